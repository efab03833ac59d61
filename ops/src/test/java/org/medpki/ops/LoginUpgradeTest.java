package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medpki.ops.install.PkiHome;
import org.medpki.ops.install.SettingsFiles;

/**
 * An installation made before there were per-service logins (tables owned by the administrator,
 * no database.rolePrefix, no secrets, no V40) is upgraded by its next command.
 */
class LoginUpgradeTest {
    @TempDir
    Path tmp;

    @Test
    void theNextCommandCreatesTheLoginsAndGivesTheSchemaToTheOwner() throws Exception {
        String databaseUrl = TestEnvironment.newDatabase();
        PkiProcess pki = new PkiProcess(tmp.resolve("home"), databaseUrl);
        PkiProcess.Result init = pki.run("init", "--token-label", "upgrade");
        assertThat(init.exit()).as(init.toString()).isZero();
        Path config = pki.home().resolve("medpki.yaml");
        String prefix = SettingsFiles.readInstallation(new PkiHome(pki.home())).database().rolePrefix();
        TestEnvironment.PgUrl admin = TestEnvironment.PgUrl.parse(databaseUrl);

        // Make it look like the earlier version's installation.
        try (Connection c = TestEnvironment.connect(databaseUrl); Statement s = c.createStatement()) {
            s.execute("REASSIGN OWNED BY " + prefix + "_owner TO " + admin.user());
            s.execute("DELETE FROM flyway_schema_history WHERE version::int >= 40"); // made after the logins
            s.execute("REVOKE INSERT ON eab_key FROM pki_ca");
            for (String role : new String[] {"owner", "ca", "acme", "ocsp", "crl", "auditor"}) {
                s.execute("DROP ROLE " + prefix + "_" + role);
            }
        }
        Files.writeString(config, Files.readString(config).replaceAll("(?m)^\\s*rolePrefix:.*\\n", ""));
        try (Stream<Path> files = Files.walk(pki.home().resolve("secrets"))) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        assertThat(SettingsFiles.readInstallation(new PkiHome(pki.home())).database().rolePrefix()).isNull();

        PkiProcess.Result list = pki.run("list");
        assertThat(list.exit()).as(list.toString()).isZero();
        assertThat(list.err()).contains("upgraded", prefix + "_*");
        assertThat(SettingsFiles.readInstallation(new PkiHome(pki.home())).database().rolePrefix()).isEqualTo(prefix);
        assertThat(pki.home().resolve("secrets/db-ca.password")).exists();
        try (Connection c = TestEnvironment.connect(databaseUrl); Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")) {
                assertThat(r.next()).isTrue();
                assertThat(r.getString(1)).isEqualTo(prefix + "_owner");
                assertThat(r.next()).isFalse();
            }
            try (ResultSet r = s.executeQuery("SELECT installed_by FROM flyway_schema_history WHERE version = '40'")) {
                assertThat(r.next()).as("V40 applied again").isTrue();
                assertThat(r.getString(1)).isEqualTo(prefix + "_owner");
            }
        }
        // The CA host's command line works as the CA's login, with V40's grant back.
        PkiProcess.Result eab = pki.run("eab", "new", "--names", "www.hospital.test");
        assertThat(eab.exit()).as(eab.toString()).isZero();
        // Migrating again, as the owner, changes nothing.
        PkiProcess.Result migrate = pki.run("db", "migrate");
        assertThat(migrate.exit()).as(migrate.toString()).isZero();
        assertThat(migrate.out()).contains("migrated (as " + prefix + "_owner)");
        // A missing password file is one line naming it.
        Files.delete(pki.home().resolve("secrets/db-auditor.password"));
        PkiProcess.Result missing = pki.run("list");
        assertThat(missing.exit()).as(missing.toString()).isEqualTo(8);
        assertThat(missing.err().strip()).contains("db-auditor.password does not exist").doesNotContain("\n");
    }
}
