package org.medpki.inventory.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Migrations are idempotent; the roles get only their grants; the audit tables are append-only. */
class MigrationAndGrantsTest {

    private static TestDatabase database;
    private static long caId;
    private static final BigInteger SERIAL = new BigInteger("1234567890abcdef", 16);

    @BeforeAll
    static void setUp() throws Exception {
        database = TestDatabase.create();
        try (InventoryDatabase db = InventoryDatabase.open(database.url(), 2)) {
            caId = db.inventory().saveCa(TestCertificates.root("Grant Root")).id();
            db.inventory().recordIntent(TestCertificates.intent(caId, SERIAL));
            db.inventory().recordIssued(caId, SERIAL, new byte[] {1});
            db.auditStore().append(java.util.List.of(org.medpki.core.audit.AuditEvent.success(java.time.Instant.now(),
                    "test.event", "test", java.util.Map.of("k", "v"))), new org.medpki.core.audit.AuditChain());
        }
    }

    @AfterAll
    static void tearDown() {
        if (database != null) {
            database.close();
        }
    }

    @Test
    void openingAgainAndMigratingAgainChangesNothing() throws Exception {
        java.util.List<String> before = appliedVersions();
        assertThat(before).startsWith("1", "2", "3");
        try (InventoryDatabase again = InventoryDatabase.open(database.url(), 2)) {
            assertThat(again.inventory().ca(caId)).isPresent();
        }
        InventoryDatabase.migrate(database.url());
        assertThat(appliedVersions()).isEqualTo(before);
        try (Connection c = database.admin(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT count(*) FROM flyway_schema_history WHERE NOT success")) {
            r.next();
            assertThat(r.getInt(1)).isZero();
        }
        try (Connection c = database.admin(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname LIKE 'pki\\_%' ORDER BY 1")) {
            java.util.List<String> roles = new java.util.ArrayList<>();
            while (r.next()) {
                roles.add(r.getString(1));
                assertThat(r.getBoolean(2)).as(r.getString(1) + " can log in").isFalse();
            }
            assertThat(roles).contains("pki_acme", "pki_auditor", "pki_ca", "pki_crl", "pki_ocsp");
        }
    }

    @Test
    void readersMayReadButNotChangeCertificates() throws Exception {
        for (String role : new String[] {"pki_ocsp", "pki_crl", "pki_acme", "pki_auditor"}) {
            try (Connection c = database.admin(); Statement s = c.createStatement()) {
                s.execute("SET ROLE " + role);
                try (ResultSet r = s.executeQuery("SELECT count(*) FROM certificate")) {
                    r.next();
                    assertThat(r.getLong(1)).isEqualTo(1);
                }
                assertDenied(s, "UPDATE certificate SET profile = 'x'");
                assertDenied(s, "DELETE FROM certificate");
                assertDenied(s, "INSERT INTO ca (name, role, certificate, key_label) VALUES ('r', 'root', '\\x01', 'k')");
                assertDenied(s, "UPDATE audit_event SET actor = 'x'");
                assertDenied(s, "DELETE FROM audit_event");
            }
        }
    }

    @Test
    void theCaMayIssueButNotDeleteNorRewriteTheAuditLog() throws Exception {
        try (Connection c = database.admin(); Statement s = c.createStatement()) {
            s.execute("SET ROLE pki_ca");
            assertThat(s.executeUpdate("UPDATE certificate SET profile = profile WHERE ca_id = " + caId)).isEqualTo(1);
            assertDenied(s, "DELETE FROM certificate");
            assertDenied(s, "UPDATE audit_event SET actor = 'x'");
            assertDenied(s, "DELETE FROM audit_event");
            assertDenied(s, "TRUNCATE audit_event");
            assertDenied(s, "DELETE FROM audit_checkpoint");
            // Appending is allowed, and moving the head forward (its trigger runs for this role).
            s.execute("INSERT INTO audit_event (seq, at, type, actor, outcome, details, prev_hash, hash) "
                    + "VALUES (1000, now(), 't', 'a', 'success', '{}', decode(repeat('00', 32), 'hex'), "
                    + "decode(repeat('ab', 32), 'hex'))");
            assertThat(s.executeUpdate("UPDATE audit_head SET seq = 1000")).isEqualTo(1);
            assertDenied(s, "UPDATE audit_head SET seq = 5");
            s.execute("RESET ROLE");
            // Undo for the other tests: the owner removes the test row with the trigger disabled.
            s.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only");
            s.execute("DELETE FROM audit_event WHERE seq = 1000");
            s.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only");
            s.execute("ALTER TABLE audit_head DISABLE TRIGGER audit_head_forward");
            s.execute("UPDATE audit_head SET seq = 1");
            s.execute("ALTER TABLE audit_head ENABLE TRIGGER audit_head_forward");
        }
    }

    @Test
    void theAuditLogIsAppendOnlyEvenForTheOwner() throws Exception {
        try (Connection c = database.admin(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.execute("UPDATE audit_event SET actor = 'mallory'"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("append-only");
            assertThatThrownBy(() -> s.execute("DELETE FROM audit_event"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("append-only");
            assertThatThrownBy(() -> s.execute("TRUNCATE audit_event"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("append-only");
            assertThatThrownBy(() -> s.execute("DELETE FROM audit_head"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("append-only");
            assertThatThrownBy(() -> s.execute("UPDATE audit_head SET seq = 0"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("only moves forward");
            try (ResultSet r = s.executeQuery("SELECT count(*) FROM audit_event")) {
                r.next();
                assertThat(r.getLong(1)).isEqualTo(1);
            }
        }
    }

    @Test
    void onlyTheAcmeRoleReadsTheNonceKeyAndNobodyButTheOwnerChangesIt() throws Exception {
        try (Connection c = database.admin(); Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("SELECT octet_length(hmac_key), count(*) OVER () FROM acme_nonce_key")) {
                assertThat(r.next()).isTrue();
                assertThat(r.getInt(1)).isGreaterThanOrEqualTo(32);
                assertThat(r.getInt(2)).isEqualTo(1);
            }
            s.execute("SET ROLE pki_acme");
            try {
                s.executeQuery("SELECT hmac_key FROM acme_nonce_key").close();
                assertDenied(s, "UPDATE acme_nonce_key SET hmac_key = hmac_key");
                assertDenied(s, "INSERT INTO acme_nonce_key (one, hmac_key) VALUES (false, '\\x00')");
                assertDenied(s, "DELETE FROM acme_nonce_key");
                s.execute("INSERT INTO acme_spent_nonce (nonce, expires) VALUES ('grants-test', now())");
                assertThat(s.executeUpdate("DELETE FROM acme_spent_nonce WHERE nonce = 'grants-test'")).isEqualTo(1);
                assertDenied(s, "UPDATE acme_spent_nonce SET expires = now()");
            } finally {
                s.execute("RESET ROLE");
            }
            for (String role : new String[] {"pki_ca", "pki_ocsp", "pki_crl", "pki_auditor"}) {
                s.execute("SET ROLE " + role);
                try {
                    assertDenied(s, "SELECT count(*) FROM acme_nonce_key");
                    assertDenied(s, "SELECT count(*) FROM acme_spent_nonce");
                } finally {
                    s.execute("RESET ROLE");
                }
            }
        }
    }

    @Test
    void publicHasNoAccess() throws Exception {
        try (Connection c = database.admin(); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE medpki_test_nobody_" + database.name().substring(12) + " NOLOGIN");
            try {
                s.execute("SET ROLE medpki_test_nobody_" + database.name().substring(12));
                assertDenied(s, "SELECT count(*) FROM certificate");
                assertDenied(s, "SELECT count(*) FROM audit_event");
                assertDenied(s, "CREATE TABLE intruder (x int)");
            } finally {
                s.execute("RESET ROLE");
                s.execute("DROP ROLE medpki_test_nobody_" + database.name().substring(12));
            }
        }
    }

    private static java.util.List<String> appliedVersions() throws SQLException {
        try (Connection c = database.admin(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT version FROM flyway_schema_history ORDER BY installed_rank")) {
            java.util.List<String> versions = new java.util.ArrayList<>();
            while (r.next()) {
                versions.add(r.getString(1));
            }
            return versions;
        }
    }

    private static void assertDenied(Statement s, String sql) {
        assertThatThrownBy(() -> s.execute(sql)).as(sql).isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).as(sql).isEqualTo("42501"));
    }
}
