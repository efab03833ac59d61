package org.medpki.inventory.pg;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medpki.admin.Kpis;

/**
 * The KPI and expiry timeline statements over constructed rows (certificates with and without
 * replacements, revocations with and without a published OCSP response or CRL, challenges and
 * audit entries) with exact expected numbers; the admin role may run them; each is served by
 * indexes (planned with sequential scans priced out, the plans in target/kpi-plans.txt).
 */
class PgKpisTest {
    private static final Instant T0 = Instant.parse("2026-06-01T00:00:00Z");
    private static final Instant T1 = T0.plus(Duration.ofDays(30));
    private static final Instant TL = T0.plus(Duration.ofDays(200));
    private static final Duration DAY = Duration.ofDays(1);

    private static TestDatabase database;
    private static InventoryDatabase db;
    private static Kpis kpis;
    private static long ca;
    private static long otherCa;
    private static long serial = 1000;
    private static long seq = 1;

    @BeforeAll
    static void start() throws Exception {
        database = TestDatabase.create();
        db = InventoryDatabase.open(database.url(), 2);
        kpis = PgKpis.over(db);
        try (Connection c = database.admin()) {
            ca = ca(c, "issuing-a");
            otherCa = ca(c, "issuing-b");
            renewals(c);
            revocations(c);
            validations(c);
            timeline(c);
            bulk(c);
        }
    }

    @AfterAll
    static void stop() {
        if (db != null) {
            db.close();
        }
        if (database != null) {
            database.close();
        }
    }

    // --- time to renew -------------------------------------------------------------------------

    private static void renewals(Connection c) throws Exception {
        // 90 days, window from day 60 (T0): replaced one hour in.
        cert(c, "server", "CN=a", List.of("a.example"), T0.minus(Duration.ofDays(60)), Duration.ofDays(90), "issued");
        cert(c, "server", "CN=a", List.of("a.example"), T0.plusSeconds(3600), Duration.ofDays(90), "issued");
        // The same set of SANs in another order: two days in.
        cert(c, "server", "CN=b", List.of("b.example", "c.example"), T0.minus(Duration.ofDays(60)), Duration.ofDays(90),
                "revoked-before");
        cert(c, "server", "CN=b", List.of("c.example", "b.example"), T0.plus(Duration.ofDays(2)), Duration.ofDays(90),
                "issued");
        // Short-lived (6 days): the window starts at half the life (T0); replaced ten minutes in.
        cert(c, "server", "CN=s", List.of("s.example"), T0.minus(Duration.ofDays(3)), Duration.ofDays(6), "issued");
        cert(c, "server", "CN=s", List.of("s.example"), T0.plusSeconds(600), Duration.ofDays(6), "issued");
        // Renewed 29 days before its window (day 60 of 90 is T0 + 30 days).
        cert(c, "server", "CN=d", List.of("d.example"), T0.minus(Duration.ofDays(30)), Duration.ofDays(90), "issued");
        cert(c, "server", "CN=d", List.of("d.example"), T0.plus(DAY), Duration.ofDays(90), "issued");
        // A device (no SANs, its serialNumber in the subject), 365 days: window at 243 days 8 hours.
        cert(c, "device", "SERIALNUMBER=123,CN=dev", List.of(), T0.minus(Duration.ofDays(300)), Duration.ofDays(365),
                "issued");
        cert(c, "device", "SERIALNUMBER=123,CN=dev", List.of(), T0.plus(Duration.ofHours(8)), Duration.ofDays(365),
                "issued");
        // Not replacements: another set of names, another profile, another device; issued before or after the period.
        cert(c, "server", "CN=e", List.of("e.example"), T0.minus(Duration.ofDays(60)), Duration.ofDays(90), "issued");
        cert(c, "server", "CN=e", List.of("e.example", "f.example"), T0.plus(DAY), Duration.ofDays(90), "issued");
        cert(c, "client", "CN=a", List.of("a.example"), T0.plus(DAY), Duration.ofDays(90), "issued");
        cert(c, "device", "SERIALNUMBER=124,CN=dev", List.of(), T0.plus(DAY), Duration.ofDays(365), "issued");
        cert(c, "server", "CN=g", List.of("g.example"), T0.minus(Duration.ofDays(100)), Duration.ofDays(90), "issued");
        cert(c, "server", "CN=g", List.of("g.example"), T0.minus(DAY), Duration.ofDays(90), "issued");
        cert(c, "server", "CN=a", List.of("a.example"), T1.plusSeconds(1), Duration.ofDays(90), "issued");
        // Renamed, linked only by its ACME order's "replaces" (see validations): three hours in. The
        // serial's first octet has its high bit set, so its DER content octets start with 00.
        long counter = serial;
        serial = 0xC0FFEE;
        cert(c, "server", "CN=n", List.of("n.example"), T0.minus(Duration.ofDays(60)), Duration.ofDays(90), "issued");
        cert(c, "server", "CN=n2", List.of("n2.example"), T0.plusSeconds(10_800), Duration.ofDays(90), "issued");
        serial = counter;
    }

    @Test
    void timeToRenewIsFromTheWindowStartToTheReplacement() {
        // -29 days, 600 s, 1 h, 3 h (by "replaces"), 2 days, 57 days: the median and the 95th
        // percentile are values of the set.
        Kpis.Quantiles q = kpis.timeToRenew(T0, T1);
        assertThat(q).isEqualTo(new Kpis.Quantiles(6, 3600L, Duration.ofDays(57).toSeconds()));
        assertThat(kpis.timeToRenew(T0.plusSeconds(10_000), T0.plusSeconds(11_000)))
                .isEqualTo(new Kpis.Quantiles(1, 10_800L, 10_800L));
        assertThat(kpis.timeToRenew(T1.plus(DAY), T1.plus(Duration.ofDays(2))))
                .isEqualTo(new Kpis.Quantiles(0, null, null));
    }

    // --- revocation latency --------------------------------------------------------------------

    private static void revocations(Connection c) throws Exception {
        Instant r1 = T0.plus(DAY);
        Instant r2 = T0.plus(Duration.ofDays(2));
        Instant r3 = T0.plus(Duration.ofDays(3));
        Instant r4 = r2.plusSeconds(1800);
        long s1 = revoked(c, ca, r1);
        long s2 = revoked(c, ca, r2);
        long s3 = revoked(c, ca, r3);
        revoked(c, ca, r4);
        long s5 = revoked(c, ca, T0.minus(DAY));
        ocsp(c, s1, "revoked", r1.plusSeconds(5));
        ocsp(c, s2, "revoked", r2.plusSeconds(7));
        ocsp(c, s3, "good", r3.minusSeconds(60));
        ocsp(c, s5, "revoked", T0.minus(DAY).plusSeconds(1000));
        crl(c, ca, 0, 1, "full", r1.plusSeconds(100));
        crl(c, ca, 0, 2, "full", r2.plusSeconds(3600));
        // After r3, none of these is the CA's complete CRL: a shard, a delta, another CA's.
        crl(c, ca, 1, 1, "full", r3.plusSeconds(10));
        crl(c, ca, 0, 3, "delta", r3.plusSeconds(20));
        crl(c, otherCa, 0, 1, "full", r3.plusSeconds(30));
    }

    @Test
    void revocationLatencyIsToTheRevokedOcspResponseAndTheNextCompleteCrl() {
        Kpis.RevocationLatency l = kpis.revocationLatency(T0, T1);
        assertThat(l.revoked()).isEqualTo(4);
        // OCSP: 5 s and 7 s; one stored response still good; one certificate without a stored response.
        assertThat(l.ocsp()).isEqualTo(new Kpis.Quantiles(2, 5L, 7L));
        assertThat(l.ocspNotPublished()).isEqualTo(1);
        assertThat(l.ocspNotStored()).isEqualTo(1);
        // CRL: 100 s, 1800 s (revoked between two CRLs), 3600 s; the last revocation on no CRL yet.
        assertThat(l.crl()).isEqualTo(new Kpis.Quantiles(3, 1800L, 3600L));
        assertThat(l.crlNotPublished()).isEqualTo(1);
    }

    // --- failed validations, refused issuance --------------------------------------------------

    private static void validations(Connection c) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("INSERT INTO acme_account (id, thumbprint, jwk, status) VALUES ('acc', 'tp', '{}', 'valid')");
            s.execute("INSERT INTO acme_authorization (id, account_id, type, value, wildcard, status, expires) "
                    + "VALUES ('az', 'acc', 'dns', 'a.example', false, 'invalid', '2027-01-01Z')");
        }
        String certId = "AAEC." + java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(java.math.BigInteger.valueOf(0xC0FFEE).toByteArray());
        assertThat(certId).endsWith(".AMD_7g");
        try (PreparedStatement p = c.prepareStatement("INSERT INTO acme_order (id, account_id, status, identifiers, "
                + "profile, expires, cert_serial, replaces) VALUES (?, 'acc', 'valid', '[]', 'server', '2027-01-01Z', ?, ?)")) {
            p.setString(1, "o1");
            p.setString(2, Long.toHexString(0xC0FFEF));
            p.setString(3, certId);
            p.executeUpdate();
            // The order of the second certificate (CN=a) with a malformed CERTID: not followed, the names link it.
            p.setString(1, "o2");
            p.setString(2, Long.toHexString(1001));
            p.setString(3, "not a certid!");
            p.executeUpdate();
        }
        challenge(c, "c1", "invalid", T0.plus(DAY).plusSeconds(10));
        challenge(c, "c2", "invalid", T0.plus(DAY).plusSeconds(20));
        challenge(c, "c3", "valid", T0.plus(DAY).plusSeconds(30));
        challenge(c, "c4", "invalid", T0.plus(Duration.ofDays(2)).plusSeconds(10));
        challenge(c, "c5", "invalid", T0.minusSeconds(10));
        audit(c, T0.plus(DAY).plusSeconds(1), "device.authentication_failed", "est", "{\"reason\":\"bad code\"}");
        audit(c, T0.plus(DAY).plusSeconds(2), "device.authentication_failed", "est",
                "{\"reason\":\"bad code\",\"skippedBefore\":\"3\"}");
        audit(c, T0.plus(Duration.ofDays(2)), "device.authentication_failed", "scep", "{\"reason\":\"bad code\"}");
        audit(c, T1, "device.authentication_failed", "est", "{\"reason\":\"bad code\"}");

        audit(c, T0.plus(DAY), "certificate.refused", "acme:x", "{\"kind\":\"UNAUTHORIZED\",\"profile\":\"server\"}");
        audit(c, T0.plus(DAY).plusSeconds(5), "certificate.refused", "acme:x",
                "{\"kind\":\"UNAUTHORIZED\",\"profile\":\"server\"}");
        audit(c, T0.plus(DAY).plusSeconds(9), "acme.order_refused", "acme:acc",
                "{\"identifiers\":\"[a]\",\"reason\":\"REJECTED_IDENTIFIER\"}");
        audit(c, T0.plus(DAY).plusSeconds(9), "admin-api.refused", "admin:x", "{\"reason\":\"role not allowed\"}");
        audit(c, T0.plus(Duration.ofDays(2)), "device.enrollment_refused", "est:123",
                "{\"kind\":\"BAD_CSR\",\"reason\":\"the request's signature does not verify\"}");
        audit(c, T0.plus(Duration.ofDays(2)), "acme.finalize_refused", "acme:acc",
                "{\"order\":\"o\",\"reason\":\"BAD_CSR\",\"skippedBefore\":\"4\"}");
        audit(c, T0.minusSeconds(1), "certificate.refused", "acme:x", "{\"kind\":\"UNAUTHORIZED\"}");
    }

    @Test
    void failedValidationsArePerDayAndSource() {
        LocalDate d1 = LocalDate.of(2026, 6, 2);
        LocalDate d2 = LocalDate.of(2026, 6, 3);
        assertThat(kpis.failedValidations(T0, T1)).containsExactly(new Kpis.DayCount(d1, "acme", 2),
                new Kpis.DayCount(d1, "device-est", 5), new Kpis.DayCount(d2, "acme", 1),
                new Kpis.DayCount(d2, "device-scep", 1));
    }

    @Test
    void refusedIssuanceIsPerDayAndReason() {
        LocalDate d1 = LocalDate.of(2026, 6, 2);
        LocalDate d2 = LocalDate.of(2026, 6, 3);
        assertThat(kpis.unauthorizedIssuanceAttempts(T0, T1)).containsExactly(
                new Kpis.DayCount(d1, "acme.order_refused/REJECTED_IDENTIFIER", 1),
                new Kpis.DayCount(d1, "certificate.refused/UNAUTHORIZED", 2),
                new Kpis.DayCount(d2, "acme.finalize_refused/BAD_CSR", 5),
                new Kpis.DayCount(d2, "device.enrollment_refused/BAD_CSR", 1));
    }

    // --- expiry timeline -----------------------------------------------------------------------

    private static void timeline(Connection c) throws Exception {
        Instant issued = T0.minus(Duration.ofDays(100));
        Duration toFirstDay = Duration.between(issued, TL.plus(Duration.ofHours(12)));
        // Replaced by an issued certificate with a later end.
        cert(c, "server", "CN=x", List.of("x.example"), issued, toFirstDay, "issued");
        cert(c, "server", "CN=x", List.of("x.example"), issued.plus(DAY), Duration.ofDays(400), "issued");
        // Not replaced.
        cert(c, "server", "CN=y", List.of("y.example"), issued, toFirstDay, "issued");
        // Its only successor is revoked: no replacement.
        cert(c, "device", "SERIALNUMBER=9,CN=dev", List.of(), issued, toFirstDay.plus(DAY), "issued");
        cert(c, "device", "SERIALNUMBER=9,CN=dev", List.of(), issued.plus(DAY), Duration.ofDays(400), "revoked-before");
        // Revoked, or expiring after the range: not on the timeline.
        cert(c, "server", "CN=w", List.of("w.example"), issued, toFirstDay.plus(DAY), "revoked-before");
        cert(c, "server", "CN=v", List.of("v.example"), issued, toFirstDay.plus(Duration.ofDays(5)), "issued");
    }

    @Test
    void theTimelineCountsExpiringCertificatesAndThoseWithoutReplacement() {
        LocalDate first = LocalDate.ofInstant(TL, java.time.ZoneOffset.UTC);
        assertThat(kpis.expiryTimeline(TL, TL.plus(Duration.ofDays(3)))).containsExactly(
                new Kpis.Expiring(first, "server", 2, 1), new Kpis.Expiring(first.plusDays(1), "device", 1, 1));
    }

    // --- the admin role and the plans ----------------------------------------------------------

    /**
     * 50,000 certificates outside every period above (issued, revoked and ending long before T0), so
     * that the planner's statistics favour a range over the period's few rows as they would in a
     * large inventory.
     */
    private static void bulk(Connection c) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("INSERT INTO certificate (ca_id, serial, profile, subject, sans, spki_sha256, not_before, not_after, "
                    + "status, tbs, der, requester, issued_at, revoked_at, revocation_reason) "
                    + "SELECT " + ca + ", 1000000 + i, 'bulk', 'CN=bulk' || i, ARRAY['bulk' || i || '.example'], "
                    + "decode(repeat('00', 32), 'hex'), t, t + interval '90 days', "
                    + "CASE WHEN i % 2 = 0 THEN 'revoked' ELSE 'issued' END, '\\x30'::bytea, '\\x30'::bytea, 'bulk', t, "
                    + "CASE WHEN i % 2 = 0 THEN t + interval '1 day' END, CASE WHEN i % 2 = 0 THEN 4 END "
                    + "FROM generate_series(1, 50000) i, LATERAL (SELECT timestamptz '2024-01-01Z' + i * interval '10 minutes' AS t) x");
            s.execute("ANALYZE");
        }
    }

    @Test
    void theAdminRoleRunsEveryStatementAndEachIsServedByIndexes() throws Exception {
        Map<String, String> statements = Map.of("time to renew", PgKpis.TIME_TO_RENEW,
                "revocation latency", PgKpis.REVOCATION_LATENCY, "failed validations", PgKpis.FAILED_VALIDATIONS,
                "refused issuance", PgKpis.UNAUTHORIZED_ATTEMPTS.replace("$3",
                        "'{certificate.refused,acme.order_refused}'::text[]"),
                "expiry timeline", PgKpis.EXPIRY_TIMELINE);
        StringBuilder plans = new StringBuilder();
        List<String> wholeTables = new ArrayList<>();
        try (Connection c = database.admin(); Statement s = c.createStatement()) {
            s.execute("SET ROLE pki_admin");
            int i = 0;
            for (Map.Entry<String, String> e : statements.entrySet()) {
                String name = "kpi" + i++;
                s.execute("PREPARE " + name + " AS " + e.getValue());
                String args = "('2026-06-01Z', '2026-07-01Z')";
                try (ResultSet r = s.executeQuery("EXECUTE " + name + args)) {
                    assertThat(r.next() || e.getKey().equals("expiry timeline")).as(e.getKey()).isTrue();
                }
                s.execute("SET enable_seqscan = off");
                plans.append("-- ").append(e.getKey()).append('\n');
                try (ResultSet r = s.executeQuery("EXPLAIN EXECUTE " + name + args)) {
                    while (r.next()) {
                        String line = r.getString(1);
                        plans.append(line).append('\n');
                        if (line.contains("Seq Scan on") && !line.contains("Seq Scan on ca ")) {
                            wholeTables.add(e.getKey() + ": " + line.trim());
                        }
                    }
                }
                s.execute("RESET enable_seqscan");
            }
        }
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "kpi-plans.txt"), plans);
        assertThat(wholeTables).as(plans.toString()).isEmpty();
        // The period is a range of an index, not a filter over all rows.
        assertThat(plans.toString()).as(plans.toString()).contains("Index Cond: ((issued_at >= ",
                "Index Cond: ((revoked_at >= ", "Index Cond: ((started >= ", "(at >= ");
        assertThat(plans.toString()).contains("Index Cond: ((status = 'issued'::text) AND (not_after >= ");
    }

    // --- rows ----------------------------------------------------------------------------------

    private static long ca(Connection c, String name) throws Exception {
        try (PreparedStatement p = c.prepareStatement("INSERT INTO ca (name, role, key_label, certificate) "
                + "VALUES (?, 'issuing', 'k', '\\x30'::bytea) RETURNING id")) {
            p.setString(1, name);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    /** A certificate issued at notBefore; "revoked-before": revoked long before the KPI period. */
    private static long cert(Connection c, String profile, String subject, List<String> sans, Instant notBefore,
                             Duration life, String status) throws Exception {
        boolean revoked = status.equals("revoked-before");
        return insert(c, ca, profile, subject, sans, notBefore, life, revoked ? T0.minus(Duration.ofDays(150)) : null);
    }

    private static long revoked(Connection c, long caId, Instant at) throws Exception {
        long s = serial;
        insert(c, caId, "server", "CN=r" + s, List.of("r" + s + ".example"), T0.minus(Duration.ofDays(200)),
                Duration.ofDays(400), at);
        return s;
    }

    private static long insert(Connection c, long caId, String profile, String subject, List<String> sans,
                               Instant notBefore, Duration life, Instant revokedAt) throws Exception {
        long s = serial++;
        try (PreparedStatement p = c.prepareStatement("INSERT INTO certificate (ca_id, serial, profile, subject, sans, "
                + "spki_sha256, not_before, not_after, status, tbs, der, requester, issued_at, revoked_at, "
                + "revocation_reason) VALUES (?, ?, ?, ?, ?, decode(repeat('00', 32), 'hex'), ?, ?, ?, '\\x30'::bytea, "
                + "'\\x30'::bytea, 'test', ?, ?, ?)")) {
            p.setLong(1, caId);
            p.setLong(2, s);
            p.setString(3, profile);
            p.setString(4, subject);
            p.setArray(5, c.createArrayOf("text", sans.toArray()));
            p.setTimestamp(6, Timestamp.from(notBefore));
            p.setTimestamp(7, Timestamp.from(notBefore.plus(life)));
            p.setString(8, revokedAt == null ? "issued" : "revoked");
            p.setTimestamp(9, Timestamp.from(notBefore));
            p.setTimestamp(10, revokedAt == null ? null : Timestamp.from(revokedAt));
            if (revokedAt == null) {
                p.setNull(11, java.sql.Types.SMALLINT);
            } else {
                p.setShort(11, (short) 4);
            }
            p.executeUpdate();
        }
        return s;
    }

    private static void ocsp(Connection c, long s, String status, Instant thisUpdate) throws Exception {
        try (PreparedStatement p = c.prepareStatement("INSERT INTO ocsp_response (ca_id, serial, status, signer_id, "
                + "this_update, next_update, der) VALUES (?, ?, ?, ?, ?, ?, '\\x30'::bytea)")) {
            p.setLong(1, ca);
            p.setLong(2, s);
            p.setString(3, status);
            p.setLong(4, ca);
            p.setTimestamp(5, Timestamp.from(thisUpdate));
            p.setTimestamp(6, Timestamp.from(thisUpdate.plus(DAY)));
            p.executeUpdate();
        }
    }

    private static void crl(Connection c, long caId, int shard, long number, String kind, Instant thisUpdate)
            throws Exception {
        try (PreparedStatement p = c.prepareStatement("INSERT INTO crl_counter (ca_id, shard, last_number) "
                + "VALUES (?, ?, ?) ON CONFLICT (ca_id, shard) DO UPDATE SET last_number = EXCLUDED.last_number")) {
            p.setLong(1, caId);
            p.setInt(2, shard);
            p.setLong(3, number);
            p.executeUpdate();
        }
        try (PreparedStatement p = c.prepareStatement("INSERT INTO crl (ca_id, shard, crl_number, kind, base_crl_number, "
                + "this_update, next_update, entries, der) VALUES (?, ?, ?, ?, ?, ?, ?, 1, '\\x30'::bytea)")) {
            p.setLong(1, caId);
            p.setInt(2, shard);
            p.setLong(3, number);
            p.setString(4, kind);
            if (kind.equals("delta")) {
                p.setLong(5, number - 1);
            } else {
                p.setNull(5, java.sql.Types.NUMERIC);
            }
            p.setTimestamp(6, Timestamp.from(thisUpdate));
            p.setTimestamp(7, Timestamp.from(thisUpdate.plus(DAY)));
            p.executeUpdate();
        }
    }

    private static void challenge(Connection c, String id, String status, Instant started) throws Exception {
        try (PreparedStatement p = c.prepareStatement("INSERT INTO acme_challenge (id, authz_id, type, token, status, "
                + "started) VALUES (?, 'az', 'http-01', 't', ?, ?)")) {
            p.setString(1, id);
            p.setString(2, status);
            p.setTimestamp(3, Timestamp.from(started));
            p.executeUpdate();
        }
    }

    private static void audit(Connection c, Instant at, String type, String actor, String details) throws Exception {
        long n = seq++;
        try (PreparedStatement p = c.prepareStatement("INSERT INTO audit_event (seq, at, type, actor, outcome, details, "
                + "prev_hash, hash) VALUES (?, ?, ?, ?, 'failure', ?, decode(repeat('00', 32), 'hex'), "
                + "sha256(int8send(?)))")) {
            p.setLong(1, n);
            p.setTimestamp(2, Timestamp.from(at));
            p.setString(3, type);
            p.setString(4, actor);
            p.setString(5, details);
            p.setLong(6, n);
            p.executeUpdate();
        }
    }
}
