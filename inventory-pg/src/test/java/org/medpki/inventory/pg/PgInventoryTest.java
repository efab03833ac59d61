package org.medpki.inventory.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.inventory.CaRecord;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.inventory.CertificateQuery;
import org.medpki.core.inventory.CertificateRecord;
import org.medpki.core.inventory.CertificateStatus;
import org.medpki.core.inventory.Inventory;
import org.medpki.core.inventory.NewCa;
import org.medpki.core.revocation.RevocationReason;

/** The inventory against a real PostgreSQL (from ops/test). */
class PgInventoryTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static TestDatabase database;
    private static InventoryDatabase db;
    private static Inventory inventory;
    private static long caId;

    @BeforeAll
    static void open() throws Exception {
        database = TestDatabase.create();
        db = InventoryDatabase.open(database.url(), 8);
        inventory = db.inventory();
        caId = inventory.saveCa(TestCertificates.root("Test Root")).id();
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

    private static BigInteger serial() {
        return new BigInteger(159, RANDOM).setBit(150);
    }

    @Test
    void recordsCasAndFindsThemByNameAndId() throws Exception {
        CaRecord issuing = inventory.saveCa(new NewCa("Test Issuing", CaRole.ISSUING, caId, "issuing-key",
                TestCertificates.selfSigned("Test Issuing"), null, null));
        assertThat(inventory.ca("Test Issuing")).get().extracting(CaRecord::id).isEqualTo(issuing.id());
        assertThat(inventory.ca(issuing.id())).get().extracting(CaRecord::parentId, CaRecord::role)
                .containsExactly(caId, CaRole.ISSUING);
        assertThat(inventory.cas()).extracting(CaRecord::name).contains("Test Root", "Test Issuing");
        assertThatThrownBy(() -> inventory.saveCa(TestCertificates.root("Test Root")))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.CONFLICT));
        assertThatThrownBy(() -> inventory.saveCa(new NewCa("Orphan", CaRole.ISSUING, 999_999L, "k",
                TestCertificates.selfSigned("Orphan"), null, null)))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND));
        assertThatThrownBy(() -> inventory.saveCa(new NewCa("Junk", CaRole.ROOT, null, "k", new byte[] {1, 2, 3},
                null, null)))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.MALFORMED));
    }

    @Test
    void intentThenIssuedThenRevoked() {
        BigInteger serial = serial();
        inventory.recordIntent(TestCertificates.intent(caId, serial));
        CertificateRecord pending = inventory.certificate(caId, serial).orElseThrow();
        assertThat(pending.status()).isEqualTo(CertificateStatus.PENDING);
        assertThat(pending.der()).isNull();
        assertThat(pending.sans()).containsExactly("host" + serial.toString(16) + ".example");

        byte[] der = {0x30, 0x01, 0x00};
        inventory.recordIssued(caId, serial, der);
        CertificateRecord issued = inventory.certificate(caId, serial).orElseThrow();
        assertThat(issued.status()).isEqualTo(CertificateStatus.ISSUED);
        assertThat(issued.der()).isEqualTo(der);
        assertThat(issued.serial()).isEqualTo(serial);

        Instant revokedAt = Instant.parse("2026-11-24T10:15:30.123456789Z");
        Instant invalid = Instant.parse("2026-11-20T00:00:00Z");
        CertificateRecord revoked = inventory.revoke(caId, serial, RevocationReason.KEY_COMPROMISE, revokedAt, invalid);
        assertThat(revoked.status()).isEqualTo(CertificateStatus.REVOKED);
        assertThat(revoked.reason()).isEqualTo(RevocationReason.KEY_COMPROMISE);
        assertThat(revoked.revokedAt()).isEqualTo(revokedAt.truncatedTo(ChronoUnit.MICROS));
        assertThat(revoked.invalidityDate()).isEqualTo(invalid);
        assertThat(inventory.certificatesWithSerial(serial)).singleElement()
                .extracting(CertificateRecord::status).isEqualTo(CertificateStatus.REVOKED);

        assertThatThrownBy(() -> inventory.revoke(caId, serial, RevocationReason.SUPERSEDED, Instant.now(), null))
                .isInstanceOfSatisfying(PkiException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.ALREADY_REVOKED);
                    assertThat(e.getMessage()).contains(serial.toString(16));
                });
        // The first revocation stands.
        assertThat(inventory.certificate(caId, serial).orElseThrow().reason()).isEqualTo(RevocationReason.KEY_COMPROMISE);
    }

    @Test
    void duplicateSerialIsAConflictAndLeavesTheFirstRowAlone() {
        BigInteger serial = serial();
        inventory.recordIntent(TestCertificates.intent(caId, serial));
        var other = new org.medpki.core.inventory.CertificateIntent(caId, serial, "other-profile", "CN=other",
                List.of(), Instant.now(), Instant.now().plusSeconds(60), new byte[] {9}, new byte[32], "someone-else");
        assertThatThrownBy(() -> inventory.recordIntent(other))
                .isInstanceOfSatisfying(PkiException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.CONFLICT);
                    assertThat(e.getMessage()).contains(serial.toString(16));
                });
        CertificateRecord row = inventory.certificate(caId, serial).orElseThrow();
        assertThat(row.profile()).isEqualTo("tls-server");
        assertThat(row.requester()).isEqualTo("acme:test");
    }

    @Test
    void concurrentIntentsWithDuplicatesFailOnlyTheDuplicates() throws Exception {
        // 64 callers at once, each serial submitted twice: exactly one of each pair wins.
        List<BigInteger> serials = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            serials.add(serial());
        }
        ExecutorService pool = Executors.newFixedThreadPool(64);
        List<Future<ErrorKind>> results = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            BigInteger serial = serials.get(i % 32);
            results.add(pool.submit(() -> {
                try {
                    inventory.recordIntent(TestCertificates.intent(caId, serial));
                    return null;
                } catch (PkiException e) {
                    return e.kind();
                }
            }));
        }
        int ok = 0;
        int conflicts = 0;
        for (Future<ErrorKind> f : results) {
            ErrorKind k = f.get(60, TimeUnit.SECONDS);
            if (k == null) {
                ok++;
            } else {
                assertThat(k).isEqualTo(ErrorKind.CONFLICT);
                conflicts++;
            }
        }
        pool.shutdown();
        assertThat(ok).isEqualTo(32);
        assertThat(conflicts).isEqualTo(32);
        for (BigInteger s : serials) {
            assertThat(inventory.certificate(caId, s)).isPresent();
        }
    }

    @Test
    void anIntentForAnUnknownCaFailsAlone() throws Exception {
        BigInteger good = serial();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        Future<?> bad = pool.submit(() -> inventory.recordIntent(TestCertificates.intent(424_242L, serial())));
        Future<?> fine = pool.submit(() -> inventory.recordIntent(TestCertificates.intent(caId, good)));
        fine.get(60, TimeUnit.SECONDS);
        assertThatThrownBy(() -> bad.get(60, TimeUnit.SECONDS)).cause()
                .isInstanceOfSatisfying(PkiException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND);
                    assertThat(e.getMessage()).contains("424242");
                });
        pool.shutdown();
        assertThat(inventory.certificate(caId, good)).isPresent();
    }

    @Test
    void issuingWithoutIntentOrTwiceFails() {
        BigInteger unknown = serial();
        assertThatThrownBy(() -> inventory.recordIssued(caId, unknown, new byte[] {1}))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND));
        BigInteger serial = serial();
        inventory.recordIntent(TestCertificates.intent(caId, serial));
        inventory.recordIssued(caId, serial, new byte[] {1});
        assertThatThrownBy(() -> inventory.recordIssued(caId, serial, new byte[] {2}))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.CONFLICT));
        assertThat(inventory.certificate(caId, serial).orElseThrow().der()).containsExactly(1);
    }

    @Test
    void revokingUnknownOrPendingIsNotFound() {
        BigInteger unknown = serial();
        assertThatThrownBy(() -> inventory.revoke(caId, unknown, RevocationReason.UNSPECIFIED, Instant.now(), null))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND));
        BigInteger pending = serial();
        inventory.recordIntent(TestCertificates.intent(caId, pending));
        assertThatThrownBy(() -> inventory.revoke(caId, pending, RevocationReason.UNSPECIFIED, Instant.now(), null))
                .isInstanceOfSatisfying(PkiException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND);
                    assertThat(e.getMessage()).contains("was never issued");
                });
        assertThat(inventory.certificate(caId, pending).orElseThrow().status()).isEqualTo(CertificateStatus.PENDING);
        assertThatThrownBy(() -> inventory.revoke(caId, pending, RevocationReason.REMOVE_FROM_CRL, Instant.now(), null))
                .isInstanceOfSatisfying(PkiException.class,
                        e -> assertThat(e.kind()).isEqualTo(ErrorKind.BAD_REVOCATION_REASON));
    }

    @Test
    void revocationAndIssuanceAreAnnouncedToListeners() throws Exception {
        LinkedBlockingQueue<String> revocations = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<String> issuances = new LinkedBlockingQueue<>();
        try (RevocationListener r = db.listen(Inventory.REVOCATION_CHANNEL, revocations::add, null);
             RevocationListener i = db.listen(Inventory.ISSUANCE_CHANNEL, issuances::add, null)) {
            assertThat(r.isListening()).isTrue();
            BigInteger serial = serial();
            inventory.recordIntent(TestCertificates.intent(caId, serial));
            inventory.recordIssued(caId, serial, new byte[] {1});
            assertThat(issuances.poll(30, TimeUnit.SECONDS)).isEqualTo(caId + ":" + serial.toString(16));
            inventory.revoke(caId, serial, RevocationReason.CESSATION_OF_OPERATION, Instant.now(), null);
            assertThat(revocations.poll(30, TimeUnit.SECONDS)).isEqualTo(caId + ":" + serial.toString(16));
            // A refused revocation announces nothing.
            assertThatThrownBy(() -> inventory.revoke(caId, serial, RevocationReason.UNSPECIFIED, Instant.now(), null))
                    .isInstanceOf(PkiException.class);
            BigInteger second = serial();
            inventory.recordIntent(TestCertificates.intent(caId, second));
            inventory.recordIssued(caId, second, new byte[] {1});
            inventory.revoke(caId, second, RevocationReason.SUPERSEDED, Instant.now(), null);
            assertThat(revocations.poll(30, TimeUnit.SECONDS)).isEqualTo(caId + ":" + second.toString(16));
        }
    }

    @Test
    void theListenerReconnectsAfterItsConnectionIsKilled() throws Exception {
        LinkedBlockingQueue<String> revocations = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<Boolean> reconnects = new LinkedBlockingQueue<>();
        try (RevocationListener r = db.listen(Inventory.REVOCATION_CHANNEL, revocations::add, () -> reconnects.add(true))) {
            try (Connection c = database.admin(); Statement s = c.createStatement()) {
                s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + database.name()
                        + "' AND query LIKE 'LISTEN " + Inventory.REVOCATION_CHANNEL + "%'");
            }
            assertThat(reconnects.poll(60, TimeUnit.SECONDS)).as("reconnected").isTrue();
            BigInteger serial = serial();
            inventory.recordIntent(TestCertificates.intent(caId, serial));
            inventory.recordIssued(caId, serial, new byte[] {1});
            inventory.revoke(caId, serial, RevocationReason.KEY_COMPROMISE, Instant.now(), null);
            assertThat(revocations.poll(30, TimeUnit.SECONDS)).isEqualTo(caId + ":" + serial.toString(16));
        }
    }

    @Test
    void listsAndCountsByProfileAndStatus() {
        BigInteger a = serial();
        BigInteger b = serial();
        var expiring = new org.medpki.core.inventory.CertificateIntent(caId, a, "short-lived", "CN=a", List.of("a"),
                Instant.now().minusSeconds(60), Instant.now().plus(2, ChronoUnit.DAYS), new byte[] {1}, new byte[32], "t");
        var later = new org.medpki.core.inventory.CertificateIntent(caId, b, "short-lived", "CN=b", List.of(),
                Instant.now().minusSeconds(60), Instant.now().plus(200, ChronoUnit.DAYS), new byte[] {1}, new byte[32], "t");
        inventory.recordIntent(expiring);
        inventory.recordIntent(later);
        inventory.recordIssued(caId, a, new byte[] {1});
        inventory.recordIssued(caId, b, new byte[] {1});
        assertThat(inventory.list(new CertificateQuery("short-lived", CertificateStatus.ISSUED,
                Instant.now().plus(30, ChronoUnit.DAYS), 10))).extracting(CertificateRecord::serial).containsExactly(a);
        assertThat(inventory.list(new CertificateQuery("short-lived", null, null, 10)))
                .extracting(CertificateRecord::serial).containsExactlyInAnyOrder(a, b);
        assertThat(inventory.countByProfile())
                .contains(new Inventory.ProfileCount("short-lived", CertificateStatus.ISSUED, 2));
    }

    @Test
    void checkConstraintsRefuseInconsistentRows() throws Exception {
        String cols = "INSERT INTO certificate (ca_id, serial, profile, subject, spki_sha256, not_before, not_after, "
                + "status, tbs, der, requester, issued_at, revoked_at, revocation_reason) VALUES (" + caId + ", ";
        String common = ", 'p', 'CN=x', decode(repeat('00', 32), 'hex'), now(), now() + interval '1 day', ";
        String[] bad = {
            cols + "0" + common + "'pending', '\\x01', null, 'r', null, null, null)",           // serial 0
            cols + "-5" + common + "'pending', '\\x01', null, 'r', null, null, null)",          // negative
            cols + "730750818665451459101842416358141509827966271488" + common
                    + "'pending', '\\x01', null, 'r', null, null, null)",                         // 2^159: 21 octets
            cols + "11" + common + "'pending', '\\x01', '\\x02', 'r', null, null, null)",       // pending with der
            cols + "12" + common + "'issued', '\\x01', null, 'r', now(), null, null)",          // issued without der
            cols + "13" + common + "'revoked', '\\x01', '\\x02', 'r', now(), null, 1)",         // revoked without time
            cols + "14" + common + "'revoked', '\\x01', '\\x02', 'r', now(), now(), 7)",        // reason 7
            cols + "15" + common + "'issued', '\\x01', '\\x02', 'r', now(), now(), 1)",         // issued with revocation
            cols + "16" + common + "'expired', '\\x01', '\\x02', 'r', now(), null, null)",      // unknown status
            "INSERT INTO ca (name, role, certificate, key_label) VALUES ('x', 'intermediate', '\\x01', 'k')",
            "INSERT INTO audit_event (seq, at, type, actor, outcome, details, prev_hash, hash) "
                    + "VALUES (1, now(), 't', 'a', 'success', '{}', '\\x00', '\\x00')",           // short hashes
        };
        try (Connection c = database.admin(); Statement s = c.createStatement()) {
            for (String sql : bad) {
                assertThatThrownBy(() -> s.execute(sql)).as(sql).isInstanceOf(java.sql.SQLException.class)
                        .satisfies(e -> assertThat(((java.sql.SQLException) e).getSQLState()).startsWith("23"));
            }
            // The same shape with consistent values is accepted, so the refusals above are the CHECKs.
            s.execute(cols + "17" + common + "'revoked', '\\x01', '\\x02', 'r', now(), now(), 1)");
        }
    }

    @Test
    void aDatabaseThatIsDownIsUnavailableWithoutThePassword() {
        String url = "postgresql://medpki:Sup3rSecretPw@127.0.0.1:1/inventory";
        assertThatThrownBy(() -> InventoryDatabase.open(url, 2))
                .isInstanceOfSatisfying(PkiException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.DATABASE_UNAVAILABLE);
                    assertThat(e.getMessage()).startsWith("the inventory database at 127.0.0.1:1/inventory is unreachable: ")
                            .doesNotContain("Sup3rSecretPw");
                    for (Throwable c = e; c != null; c = c.getCause()) {
                        assertThat(String.valueOf(c.getMessage())).doesNotContain("Sup3rSecretPw");
                    }
                });
    }

    @Test
    void theVertxPoolReportsADownDatabaseTheSameWay() {
        // Without migration, the first contact is the vertx-pg-client pool, not Flyway's JDBC.
        String url = "postgres://medpki:An0therSecret@127.0.0.1:1/inventory";
        assertThatThrownBy(() -> InventoryDatabase.open(url, 2, false))
                .isInstanceOfSatisfying(PkiException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.DATABASE_UNAVAILABLE);
                    assertThat(e.getMessage()).startsWith("the inventory database at 127.0.0.1:1/inventory is unreachable: ")
                            .doesNotContain("An0therSecret");
                });
    }

    @Test
    void aSortedListPagedByKeysetGivesEveryRowOnceInOrder() {
        Instant base = Instant.now().plus(10, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        List<CertificateRecord> made = new java.util.ArrayList<>();
        for (int i = 0; i < 7; i++) {
            BigInteger serial = serial();
            // Pairs with the same notAfter: ties are broken by serial and CA.
            inventory.recordIntent(new org.medpki.core.inventory.CertificateIntent(caId, serial, "paged-list", "CN=p" + i,
                    List.of(), Instant.now().minusSeconds(60), base.plus(i / 2, ChronoUnit.DAYS), new byte[] {1},
                    new byte[32], "t"));
            inventory.recordIssued(caId, serial, new byte[] {1});
            made.add(inventory.certificate(caId, serial).orElseThrow());
        }
        for (CertificateQuery.SortKey key : CertificateQuery.SortKey.values()) {
            java.util.function.Function<CertificateRecord, Instant> time = switch (key) {
                case NOT_AFTER -> CertificateRecord::notAfter;
                case CREATED_AT -> CertificateRecord::createdAt;
                case SERIAL -> r -> null;
            };
            java.util.Comparator<CertificateRecord> order = java.util.Comparator
                    .comparing(time, java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder()))
                    .thenComparing(CertificateRecord::serial).thenComparingLong(CertificateRecord::caId);
            for (boolean descending : new boolean[] {false, true}) {
                List<BigInteger> expected = made.stream().sorted(descending ? order.reversed() : order)
                        .map(CertificateRecord::serial).toList();
                List<BigInteger> paged = new java.util.ArrayList<>();
                CertificateQuery.Cursor after = null;
                for (int page = 0; page < 5; page++) {
                    List<CertificateRecord> rows = inventory.list(new CertificateQuery("paged-list", null, null, 3)
                            .withOrder(new CertificateQuery.Order(key, descending, after)));
                    rows.forEach(r -> paged.add(r.serial()));
                    if (rows.size() < 3) {
                        break;
                    }
                    CertificateRecord last = rows.getLast();
                    after = new CertificateQuery.Cursor(time.apply(last), last.caId(), last.serial());
                }
                assertThat(paged).as(key + (descending ? " desc" : " asc")).containsExactlyElementsOf(expected);
            }
        }
    }

    @Test
    void theMigrationHistoryHasTheInventoryVersions() throws Exception {
        try (Connection c = database.admin(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT count(*) FROM flyway_schema_history WHERE success AND version IN ('1', '2', '3')")) {
            r.next();
            assertThat(r.getInt(1)).isEqualTo(3);
        }
    }

    @Test
    void aCaRevocationIsRecordedOnceListedOnItsIssuersCompleteCrlAndFinal() throws Exception {
        CaRecord issuing = inventory.saveCa(new NewCa("Revoked Issuing", CaRole.ISSUING, caId, "revoked-key",
                TestCertificates.selfSigned("Revoked Issuing"), null, null));
        BigInteger serial = serial();
        Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(5);
        assertThatThrownBy(() -> inventory.revokeCa(new org.medpki.core.inventory.CaRevocation(caId, serial, at,
                RevocationReason.CA_COMPROMISE, null, "test")))
                .as("the root").isInstanceOf(PkiException.class);
        assertThatThrownBy(() -> inventory.revokeCa(new org.medpki.core.inventory.CaRevocation(999_999L, serial, at,
                RevocationReason.CA_COMPROMISE, null, "test")))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND));

        inventory.revokeCa(new org.medpki.core.inventory.CaRevocation(issuing.id(), serial, at,
                RevocationReason.CA_COMPROMISE, null, "break-glass:cli:test"));
        assertThat(inventory.caRevocations()).filteredOn(r -> r.caId() == issuing.id()).singleElement()
                .satisfies(r -> {
                    assertThat(r.serial()).isEqualTo(serial);
                    assertThat(r.reason()).isEqualTo(RevocationReason.CA_COMPROMISE);
                    assertThat(r.revokedBy()).isEqualTo("break-glass:cli:test");
                    assertThat(r.revokedAt()).isEqualTo(at);
                });
        assertThatThrownBy(() -> inventory.revokeCa(new org.medpki.core.inventory.CaRevocation(issuing.id(), serial, at,
                RevocationReason.SUPERSEDED, null, "test")))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.ALREADY_REVOKED));

        // The root's complete CRL (shard 0) lists it; the entries stream in serial order with the certificates'.
        List<org.medpki.core.crl.RevokedEntry> listed = new ArrayList<>();
        db.crlStore().publish(new org.medpki.core.crl.CrlStore.CrlRequest(caId, 0, org.medpki.core.crl.CrlKind.FULL,
                Instant.now().plusSeconds(1), Instant.now().minusSeconds(86_400), java.time.Duration.ZERO),
                (number, base, entries) -> {
                    long n = entries.forEach(listed::add);
                    return new org.medpki.core.crl.SignedCrl(new byte[] {0x30, 0x00}, number, Instant.now(),
                            Instant.now().plusSeconds(3600), n);
                });
        assertThat(listed).filteredOn(e -> e.serial().equals(serial)).singleElement()
                .satisfies(e -> assertThat(e.reason()).isEqualTo(RevocationReason.CA_COMPROMISE));

        // Final: not changed, not removed, even by the owner.
        try (Connection c = database.admin(); Statement s = c.createStatement()) {
            for (String sql : new String[] {"UPDATE ca_revocation SET revocation_reason = 0",
                    "DELETE FROM ca_revocation", "TRUNCATE ca_revocation"}) {
                assertThatThrownBy(() -> s.execute(sql)).as(sql).isInstanceOf(java.sql.SQLException.class);
            }
        }
    }
}
