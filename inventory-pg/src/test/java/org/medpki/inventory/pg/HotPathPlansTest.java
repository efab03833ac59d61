package org.medpki.inventory.pg;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medpki.acme.Account;
import org.medpki.admin.notice.Expiring;
import org.medpki.admin.notice.ExpiryNoticeStore;
import org.medpki.acme.AcmeIds;
import org.medpki.acme.AcmeRepository;
import org.medpki.acme.Authorization;
import org.medpki.acme.Challenge;
import org.medpki.acme.Identifier;
import org.medpki.acme.Order;
import org.medpki.core.audit.AuditEvent;
import org.medpki.core.audit.AuditLog;
import org.medpki.core.crl.CrlKind;
import org.medpki.core.inventory.CertificateQuery;
import org.medpki.core.inventory.CertificateStatus;
import org.medpki.core.inventory.Inventory;
import org.medpki.core.revocation.RevocationReason;
import org.medpki.ocsp.OcspRepository;

/**
 * Every statement that runs on a request's path (ACME from newAccount to finalize and
 * revocation, OCSP lookups, issuance and revocation in the inventory, audit appends, the CRL
 * reads that follow a revocation, the ACME housekeeping, the daily expiry notices) can
 * be served by an index. The statements are the ones the adapters really run: {@link PgQueries}
 * hands each to an observer while the flows below run; each is then planned again with
 * {@code EXPLAIN} and sequential scans priced out ({@code enable_seqscan = off}), so a plan that
 * still reads a whole table has no index to use whatever the table's size. The plans are written
 * to {@code target/hot-path-plans.txt}.
 */
class HotPathPlansTest {
    /** Tables with a handful of rows by design (one per CA, one key, one head): a sequential scan is right there. */
    private static final Set<String> SMALL = Set.of("ca", "acme_nonce_key", "audit_head", "ocsp_signer",
            "flyway_schema_history");
    private static final Pattern SEQ_SCAN = Pattern.compile("Seq Scan on (\\w+)");
    private static final SecureRandom RANDOM = new SecureRandom();

    private static TestDatabase database;
    private static InventoryDatabase db;

    @BeforeAll
    static void open() {
        database = TestDatabase.create();
        db = InventoryDatabase.open(database.url(), 4);
    }

    @AfterAll
    static void close() {
        if (db != null) {
            db.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void everyStatementOnARequestPathCanUseAnIndex() throws Exception {
        long caId = db.inventory().saveCa(TestCertificates.root("Plan Root")).id();
        seed(caId);
        Map<String, Tuple> statements = new LinkedHashMap<>();
        PgQueries queries = db.queries();
        queries.observe((sql, params) -> statements.putIfAbsent(sql, params));
        try {
            acmeFlow(PgAcmeRepository.over(db));
            issuanceAndOcsp(caId, db.inventory(), PgOcspRepository.over(db));
            auditAndCrls(caId);
            expiryNotices(caId, PgExpiryNotices.over(db));
        } finally {
            queries.observe(null);
        }
        assertThat(statements).as("the flows ran statements").hasSizeGreaterThan(30);

        StringBuilder report = new StringBuilder();
        List<String> unindexed = new ArrayList<>();
        for (Map.Entry<String, Tuple> s : statements.entrySet()) {
            String plan = plan(s.getKey(), s.getValue());
            report.append(s.getKey()).append('\n').append(plan.indent(4)).append('\n');
            Matcher m = SEQ_SCAN.matcher(plan);
            while (m.find()) {
                if (!SMALL.contains(m.group(1))) {
                    unindexed.add(m.group(1) + ": " + s.getKey());
                }
            }
        }
        write(report.toString());
        assertThat(unindexed).as("statements that read a whole table (plans in target/hot-path-plans.txt)").isEmpty();
    }

    /**
     * Rows enough for the planner to choose as it would in service (20,000 orders, authorizations,
     * challenges and certificates, across 200 accounts; a quarter of the orders ended long ago, for
     * the purge to delete), with fresh statistics.
     */
    private static void seed(long caId) {
        PgQueries queries = db.queries();
        for (String sql : List.of(
                "INSERT INTO acme_account (id, thumbprint, jwk, status) "
                        + "SELECT 'seed-account-' || g, 'seed-thumbprint-' || g, '{}', 'valid' FROM generate_series(1, 200) g",
                "INSERT INTO acme_order (id, account_id, status, identifiers, profile, expires, cert_serial, "
                        + "cert_not_after, created_at) SELECT 'seed-order-' || g, 'seed-account-' || (g % 200 + 1), "
                        + "CASE WHEN g % 4 = 0 THEN 'invalid' ELSE 'valid' END, "
                        + "'[{\"type\": \"dns\", \"value\": \"h' || g || '.seed.test\"}]', 'tls-server', "
                        + "now() - CASE WHEN g % 4 = 0 THEN interval '40 days' ELSE interval '10 days' END, "
                        + "CASE WHEN g % 4 = 0 THEN NULL ELSE to_hex(g) END, "
                        + "CASE WHEN g % 4 = 0 THEN NULL ELSE now() + interval '60 days' END, "
                        + "now() - (g || ' minutes')::interval FROM generate_series(1, 20000) g",
                "INSERT INTO acme_authorization (id, account_id, type, value, wildcard, status, expires) "
                        + "SELECT 'seed-authz-' || g, 'seed-account-' || (g % 200 + 1), 'dns', 'h' || g || '.seed.test', "
                        + "false, 'valid', CASE WHEN g % 4 = 0 THEN now() - interval '40 days' "
                        + "ELSE now() - interval '3 days' + (g || ' minutes')::interval END "
                        + "FROM generate_series(1, 20000) g",
                "INSERT INTO acme_order_authorization (order_id, authz_id) "
                        + "SELECT 'seed-order-' || g, 'seed-authz-' || g FROM generate_series(1, 20000) g",
                "INSERT INTO acme_challenge (id, authz_id, type, token, status, validated, started) "
                        + "SELECT 'seed-challenge-' || g, 'seed-authz-' || g, 'http-01', 'token', 'valid', now(), now() "
                        + "FROM generate_series(1, 20000) g",
                "INSERT INTO certificate (ca_id, serial, profile, subject, spki_sha256, not_before, not_after, status, "
                        + "tbs, der, requester, issued_at, shard) SELECT " + caId + ", 1000 + g, 'tls-server', 'CN=seed', "
                        + "decode(md5(g::text) || md5(g::text), 'hex'), now() - interval '1 day', "
                        + "now() + ((g % 90 + 1) || ' days')::interval, 'issued', '\\x00', '\\x00', 'seed', now(), g % 4 "
                        + "FROM generate_series(1, 20000) g",
                "ANALYZE")) {
            queries.run("seeding", sql, Tuple.tuple());
        }
    }

    /** The statement's plan with sequential scans priced out, for the parameters it ran with. */
    private static String plan(String sql, Tuple params) {
        PgQueries queries = db.queries();
        return queries.inTransactionOf("planning a statement", conn -> {
            queries.run(conn, "pricing out sequential scans", "SET LOCAL enable_seqscan = off", Tuple.tuple());
            StringBuilder plan = new StringBuilder();
            for (Row r : queries.run(conn, "planning a statement", "EXPLAIN " + sql, params)) {
                plan.append(r.getString(0)).append('\n');
            }
            return plan.toString();
        });
    }

    private static void acmeFlow(AcmeRepository acme) throws Exception {
        Instant now = Instant.now();
        acme.nonceKey();
        acme.spendNonce(AcmeIds.newId(), now.plusSeconds(60));
        acme.purgeSpentNonces(now);
        var key = new ECKeyGenerator(Curve.P_256).generate().toPublicJWK();
        Account account = new Account(AcmeIds.newId(), key.computeThumbprint().toString(), key, new JsonArray(),
                "valid", null);
        acme.createAccount(account);
        acme.accountByThumbprint(account.thumbprint());
        acme.account(account.id());
        acme.eabKey("unknown-kid");

        Identifier name = new Identifier("dns", "plan.hospital.test");
        Instant hourAgo = now.minus(Duration.ofHours(1));
        acme.ordersSince(account.id(), hourAgo);
        acme.ordersForIdentifierSince(account.id(), name, hourAgo);
        acme.reusableAuthorization(account.id(), name, false, now.plusSeconds(60), now.minus(Duration.ofDays(7)));
        String authzId = AcmeIds.newId();
        Challenge challenge = new Challenge(AcmeIds.newId(), authzId, "http-01", AcmeIds.newId(), "pending", null, null);
        Authorization authz = new Authorization(authzId, account.id(), name, false, "pending",
                now.plus(Duration.ofDays(7)), List.of(challenge));
        Order order = new Order(AcmeIds.newId(), account.id(), "pending", List.of(name), "tls-server",
                now.plus(Duration.ofDays(7)), null, null, null, null, null, null, List.of(authzId));
        acme.createOrder(order, List.of(authz));
        acme.order(order.id());
        acme.authorization(authzId);
        acme.challenge(challenge.id());
        acme.validationsSince(account.id(), hourAgo);
        acme.startChallenge(challenge.id());
        acme.finishChallenge(challenge, true, null, now);
        acme.refreshOrdersOf(authzId);
        acme.expireOrder(order.id(), now);
        acme.startProcessing(order.id());
        acme.orderIssued(order.id(), "5eed", "PEM", now.plus(Duration.ofDays(90)));
        acme.orderBySerial("5eed");
        acme.orderIdsOf(account.id());
        acme.expireAuthorization(authzId, now);
        acme.updateAccount(account.id(), new JsonArray(), "valid");

        // housekeeping, once a minute
        acme.expire(now);
        acme.abandonedValidations(now.minusSeconds(60));
        acme.purge(now.minus(Duration.ofDays(30)), 1000);
    }

    private static void issuanceAndOcsp(long caId, Inventory inventory, OcspRepository ocsp) {
        BigInteger serial = new BigInteger(159, RANDOM).setBit(150);
        inventory.recordIntent(TestCertificates.intent(caId, serial));
        inventory.recordIssued(caId, serial, new byte[] {0x30, 0x01, 0x00});
        inventory.keyCompromised(new byte[32]);
        inventory.certificate(caId, serial);
        inventory.certificatesWithSerial(serial);
        ocsp.state(caId, serial);
        ocsp.stored(caId, serial);
        // the refresher's minute-by-minute look-up (the full one, at start and every refreshAfter, reads every valid certificate)
        ocsp.dueSince(Instant.now().minus(Duration.ofMinutes(6)), Instant.now().minus(Duration.ofHours(24)),
                Instant.now().minus(Duration.ofHours(10)), new long[] {caId}, 20_000);
        inventory.revoke(caId, serial, RevocationReason.KEY_COMPROMISE, Instant.now(), null);
        inventory.list(new CertificateQuery(null, CertificateStatus.ISSUED,
                Instant.now().plus(30, ChronoUnit.DAYS), 1000));
    }

    /** An audit append (every issuance, revocation and audited refusal) and the CRL reads after a revocation. */
    private static void auditAndCrls(long caId) {
        AuditLog log = new AuditLog(db.auditStore(), Clock.systemUTC());
        log.record(AuditEvent.success(Instant.now(), "plan.checked", "test", Map.of("k", "v")));
        log.record(AuditEvent.success(Instant.now(), "plan.checked", "test", Map.of("k", "w")));
        PgCrlStore crls = db.crlStore();
        crls.latest(caId, 0, CrlKind.FULL);
        crls.shardsInUse(caId);
        crls.shardsOf(caId, List.of(BigInteger.TEN));
    }

    /** The daily expiry notices: a walk over what expires (with the replacement probe), the CAs, and the notices' records. */
    private static void expiryNotices(long caId, ExpiryNoticeStore store) {
        Instant now = Instant.now();
        List<Expiring> page = store.expiringCertificates(now, now.plus(30, ChronoUnit.DAYS), null, 1000);
        store.expiringCertificates(now, now.plus(30, ChronoUnit.DAYS), page.getLast(), 1000);
        store.expiringCas(now, now.plus(30, ChronoUnit.DAYS));
        ExpiryNoticeStore.Notice notice = new ExpiryNoticeStore.Notice(caId, page.getFirst().serial(), 30, "email",
                "team@hospital.test", page.getFirst().notAfter());
        store.claim(notice, now, now.minus(Duration.ofHours(1)));
        store.failed(notice, "relay down", now);
        store.claim(notice, now, now.minus(Duration.ofHours(1)));
        store.sent(notice, now);
    }

    private static void write(String report) throws IOException {
        Path target = Path.of("target");
        Files.createDirectories(target);
        Files.writeString(target.resolve("hot-path-plans.txt"), report);
    }
}
