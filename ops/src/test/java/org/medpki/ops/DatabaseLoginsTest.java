package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.medpki.inventory.pg.DatabaseUrl;
import org.medpki.inventory.pg.InventoryDatabase;
import org.medpki.inventory.pg.PgComplianceQueries;
import org.medpki.inventory.pg.PgLogins;
import org.medpki.ops.install.DatabaseGrants;
import org.medpki.ops.install.DatabaseLogins;
import org.medpki.ops.install.DatabaseRole;
import org.medpki.ops.install.PkiHome;

/**
 * The logins 'pki init' makes, against a real PostgreSQL: the owner owns the schema and migrates;
 * each service login can do what its service does and is refused what it must not do; passwords
 * are SCRAM verifiers and live in 600 files.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatabaseLoginsTest {
    @TempDir
    static Path tmp;
    PkiHome home;
    DatabaseUrl admin;
    String prefix;

    @BeforeAll
    void loginsAndSchema() throws Exception {
        admin = DatabaseUrl.parse(TestEnvironment.newDatabase());
        home = new PkiHome(tmp.resolve("home"));
        prefix = DatabaseLogins.defaultPrefix(admin.database(), false);
        DatabaseLogins.provision(home, prefix, admin);
        InventoryDatabase.migrate(login(DatabaseRole.OWNER), "medpki-owner");
        // Provisioning again (a re-run of an interrupted init) changes nothing that matters.
        DatabaseLogins.provision(home, prefix, admin);
        try (Connection c = connect(DatabaseRole.OWNER); Statement s = c.createStatement()) {
            s.execute("INSERT INTO ca (name, role, key_label, certificate) VALUES ('root', 'root', 'k', '\\x01')");
            s.execute("INSERT INTO certificate (ca_id, serial, profile, subject, spki_sha256, not_before, not_after, tbs, "
                    + "requester) SELECT id, 42, 'p', 'CN=x', decode(repeat('00', 32), 'hex'), now(), now() + interval "
                    + "'1 day', '\\x01', 'test' FROM ca");
        }
    }

    @Test
    void passwordsAreRandomScramAndPrivate() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.secrets()))).isEqualTo("rwx------");
        Set<String> passwords = new java.util.HashSet<>();
        for (DatabaseRole role : DatabaseRole.values()) {
            Path file = home.databasePassword(role);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            String password = Files.readString(file).strip();
            assertThat(password).hasSizeGreaterThanOrEqualTo(22); // >= 128 bits in base64url
            passwords.add(password);
        }
        assertThat(passwords).hasSize(DatabaseRole.values().length);
        try (Connection c = adminConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT rolname, rolpassword, rolsuper, rolcreaterole, rolcreatedb, "
                     + "rolbypassrls FROM pg_authid WHERE rolname LIKE '" + prefix + "\\_%'")) {
            int n = 0;
            while (r.next()) {
                n++;
                assertThat(r.getString(2)).as(r.getString(1)).startsWith("SCRAM-SHA-256$");
                for (int i = 3; i <= 6; i++) {
                    assertThat(r.getBoolean(i)).as(r.getString(1) + " column " + i).isFalse();
                }
            }
            assertThat(n).isEqualTo(DatabaseRole.values().length);
        }
        DatabaseUrl ca = login(DatabaseRole.CA);
        assertThatThrownBy(() -> PgLogins.connect(new DatabaseUrl(ca.host(), ca.port(), ca.database(), ca.user(),
                "wrong", null), "medpki-test").close()).isInstanceOf(SQLException.class);
    }

    @Test
    void theOwnerOwnsTheSchemaAndTheServicesDoNot() throws Exception {
        try (Connection c = adminConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")) {
            assertThat(r.next()).isTrue();
            assertThat(r.getString(1)).isEqualTo(DatabaseLogins.login(prefix, DatabaseRole.OWNER));
            assertThat(r.next()).as("one owner").isFalse();
        }
        for (DatabaseRole role : services()) {
            try (Connection c = connect(role); Statement s = c.createStatement()) {
                denied(s, "CREATE TABLE intruder (x int)");
                denied(s, "ALTER TABLE certificate ADD COLUMN x int");
                denied(s, "DROP TABLE audit_event");
            }
        }
    }

    @Test
    void eachLoginHoldsExactlyItsGrants() throws Exception {
        try (InventoryDatabase db = InventoryDatabase.open(login(DatabaseRole.AUDITOR), 1, false, "medpki-auditor")) {
            PgComplianceQueries queries = db.complianceQueries();
            for (DatabaseRole role : services()) {
                Map<String, Set<String>> actual = queries.tablePrivileges(DatabaseLogins.login(prefix, role));
                assertThat(actual).as(role.name()).isEqualTo(DatabaseGrants.expected(role));
            }
        }
    }

    @Test
    void theCaIssuesButDeletesNothing() throws Exception {
        try (Connection c = connect(DatabaseRole.CA); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            assertThat(s.executeUpdate("UPDATE certificate SET profile = profile")).isEqualTo(1);
            s.execute("INSERT INTO eab_key (kid, hmac_key, profile, profiles, name_patterns) VALUES ('k', "
                    + "decode(repeat('ab', 32), 'hex'), 'tls-server', '{tls-server}', '{x}')");
            s.executeQuery("SELECT count(*) FROM ocsp_response").close();
            c.rollback();
            denied(c, s, "SELECT count(*) FROM eab_key");
            denied(c, s, "DELETE FROM certificate");
            denied(c, s, "DELETE FROM audit_event");
            denied(c, s, "UPDATE audit_event SET actor = 'x'");
            denied(c, s, "DELETE FROM crl");
            denied(c, s, "SELECT count(*) FROM acme_account");
        }
    }

    @Test
    void acmeKeepsItsStateAndOnlyAppendsToTheAuditLog() throws Exception {
        try (Connection c = connect(DatabaseRole.ACME); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("INSERT INTO acme_spent_nonce (nonce, expires) VALUES ('n', now())");
            assertThat(s.executeUpdate("DELETE FROM acme_spent_nonce WHERE nonce = 'n'")).isEqualTo(1);
            s.executeQuery("SELECT hmac_key FROM acme_nonce_key").close();
            s.execute("INSERT INTO audit_event (seq, at, type, actor, outcome, details, prev_hash, hash) VALUES (1000, "
                    + "now(), 't', 'a', 'success', '{}', decode(repeat('00', 32), 'hex'), decode(repeat('ab', 32), 'hex'))");
            s.executeQuery("SELECT seq FROM audit_head FOR UPDATE").close();
            s.executeQuery("SELECT count(*) FROM certificate").close();
            c.rollback();
            denied(c, s, "UPDATE certificate SET profile = 'x'");
            denied(c, s, "INSERT INTO certificate (ca_id, serial, profile, subject, spki_sha256, not_before, not_after, "
                    + "tbs, requester) VALUES (1, 7, 'p', 'x', '\\x00', now(), now(), '\\x01', 'r')");
            denied(c, s, "DELETE FROM audit_event");
            denied(c, s, "SELECT count(*) FROM audit_event");
            denied(c, s, "INSERT INTO eab_key (kid, hmac_key, profile, profiles, name_patterns) VALUES ('k', '\\x00', 'p', '{p}', '{x}')");
            denied(c, s, "DELETE FROM acme_account");
            denied(c, s, "UPDATE acme_nonce_key SET hmac_key = hmac_key");
        }
    }

    @Test
    void ocspStoresResponsesAndReadsCertificates() throws Exception {
        try (Connection c = connect(DatabaseRole.OCSP); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("INSERT INTO ocsp_response (ca_id, serial, status, signer_id, this_update, next_update, der) "
                    + "SELECT id, 42, 'good', id, now(), now() + interval '1 day', '\\x01' FROM ca");
            assertThat(s.executeUpdate("UPDATE ocsp_response SET status = 'good'")).isEqualTo(1);
            c.rollback();
            denied(c, s, "INSERT INTO certificate (ca_id, serial, profile, subject, spki_sha256, not_before, not_after, "
                    + "tbs, requester) VALUES (1, 7, 'p', 'x', '\\x00', now(), now(), '\\x01', 'r')");
            denied(c, s, "UPDATE certificate SET status = 'revoked'");
            denied(c, s, "DELETE FROM ocsp_response");
            denied(c, s, "SELECT count(*) FROM acme_account");
        }
    }

    @Test
    void theCrlPublisherReadsAndWritesNothing() throws Exception {
        // The CA makes, numbers and stores CRLs; the publisher asks it and serves what is stored.
        try (Connection c = connect(DatabaseRole.CRL); Statement s = c.createStatement()) {
            s.executeQuery("SELECT count(*) FROM certificate WHERE status = 'revoked'").close();
            s.executeQuery("SELECT count(*) FROM crl").close();
            denied(c, s, "UPDATE certificate SET status = 'revoked'");
            denied(c, s, "DELETE FROM crl");
            denied(c, s, "INSERT INTO crl_counter (ca_id, shard, last_number) VALUES (1, 0, 99)");
            denied(c, s, "UPDATE crl_counter SET last_number = last_number + 1");
            denied(c, s, "DELETE FROM audit_event");
            denied(c, s, "SELECT count(*) FROM ocsp_response");
        }
    }

    @Test
    void theAuditorReadsAndWritesNothing() throws Exception {
        try (Connection c = connect(DatabaseRole.AUDITOR); Statement s = c.createStatement()) {
            for (String table : new String[] {"certificate", "audit_event", "audit_checkpoint", "crl", "ocsp_response"}) {
                s.executeQuery("SELECT count(*) FROM " + table).close();
            }
            denied(c, s, "INSERT INTO audit_event (seq, at, type, actor, outcome, details, prev_hash, hash) VALUES (1000, "
                    + "now(), 't', 'a', 'success', '{}', decode(repeat('00', 32), 'hex'), decode(repeat('ab', 32), 'hex'))");
            denied(c, s, "UPDATE certificate SET profile = 'x'");
            denied(c, s, "UPDATE audit_head SET seq = seq + 1");
            denied(c, s, "SELECT count(*) FROM eab_key");
            denied(c, s, "SELECT count(*) FROM acme_nonce_key");
            denied(c, s, "SELECT count(*) FROM acme_spent_nonce");
        }
    }

    private static DatabaseRole[] services() {
        return new DatabaseRole[] {DatabaseRole.CA, DatabaseRole.ACME, DatabaseRole.OCSP, DatabaseRole.CRL,
                DatabaseRole.AUDITOR};
    }

    private DatabaseUrl login(DatabaseRole role) throws Exception {
        return new DatabaseUrl(admin.host(), admin.port(), admin.database(), DatabaseLogins.login(prefix, role),
                Files.readString(home.databasePassword(role)).strip(), null);
    }

    private Connection connect(DatabaseRole role) throws Exception {
        return PgLogins.connect(login(role), DatabaseLogins.applicationName(role));
    }

    private Connection adminConnection() throws SQLException {
        return PgLogins.connect(admin, "medpki-test");
    }

    private static void denied(Statement s, String sql) {
        assertThatThrownBy(() -> s.execute(sql)).as(sql).isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).as(sql).isEqualTo("42501"));
    }

    /** Denied, and the transaction (if any) rolled back so the next statement runs. */
    private static void denied(Connection c, Statement s, String sql) throws SQLException {
        denied(s, sql);
        if (!c.getAutoCommit()) {
            c.rollback();
        }
    }
}
