package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 'pki config show|check' on a real installation: effective settings, secrets masked, bad keys named. */
class ConfigCommandTest {
    @TempDir
    static Path tmp;
    static PkiProcess pki;
    static String databaseUrl;

    @BeforeAll
    static void init() throws Exception {
        databaseUrl = TestEnvironment.newDatabase();
        pki = new PkiProcess(tmp.resolve("home"), databaseUrl);
        PkiProcess.Result init = pki.run("init", "--http-port", Integer.toString(AcmeLab.freePort(2)));
        assertThat(init.exit()).as(init.toString()).isZero();
    }

    @Test
    void showPrintsTheEffectiveSettingsWithoutASecret() throws Exception {
        PkiProcess.Result show = pki.run(Map.of("PKI_OCSP_VALIDITY", "PT12H"), "config", "show", "--json");
        assertThat(show.exit()).as(show.toString()).isZero();
        JsonNode s = new ObjectMapper().readTree(show.out());
        assertThat(s.at("/acme/directory").asText()).startsWith("https://127.0.0.1:").endsWith("/acme/directory");
        assertThat(s.at("/ocsp/validity").asText()).isEqualTo("PT12H");
        assertThat(s.at("/crl/fullInterval").asText()).isEqualTo("PT6H");
        assertThat(s.at("/caApi/callers/acme/issue/0").asText()).isEqualTo("tls-server");
        assertThat(s.at("/environment/PKI_TOKEN_PIN").asText()).isEqualTo("***");
        String password = TestEnvironment.PgUrl.parse(databaseUrl).password();
        assertThat(show.out() + show.err()).doesNotContain(TestEnvironment.pin()).doesNotContain(password);
        assertThat(s.at("/environment/PKI_DATABASE_URL").asText()).contains(":***@");

        PkiProcess.Result text = pki.run("config", "show");
        assertThat(text.exit()).as(text.toString()).isZero();
        assertThat(text.out()).contains("acme.profile = tls-server").doesNotContain(TestEnvironment.pin());
    }

    @Test
    void checkNamesTheBadKeyInOneLineAndExits8() throws Exception {
        PkiProcess.Result ok = pki.run("config", "check");
        assertThat(ok.exit()).as(ok.toString()).isZero();
        assertThat(ok.out()).contains("valid");

        PkiProcess.Result env = pki.run(Map.of("PKI_OCSP_VALIDITY", "a day"), "config", "check");
        assertThat(env.exit()).as(env.toString()).isEqualTo(8);
        assertThat(env.err().strip()).contains("PKI_OCSP_VALIDITY").doesNotContain("\n").doesNotContain("Exception");

        Path settings = pki.home().resolve("medpki.yaml");
        String written = Files.readString(settings);
        try {
            Files.writeString(settings, written + "acme:\n  ordersPerHour: 5\n");
            PkiProcess.Result bad = pki.run("config", "check");
            assertThat(bad.exit()).as(bad.toString()).isEqualTo(8);
            assertThat(bad.err().strip()).contains("medpki.yaml").contains("acme.ordersPerHour")
                    .contains("ordersPerAccountPerHour").doesNotContain("\n");

            Files.writeString(settings, written + "crl:\n  keepExpired: 1h\n");
            bad = pki.run("config", "check");
            assertThat(bad.exit()).as(bad.toString()).isEqualTo(8);
            assertThat(bad.err().strip()).contains("keepExpired").doesNotContain("\n");

            Files.writeString(settings, written + "colour: blue\n");
            bad = pki.run("config", "check");
            assertThat(bad.exit()).as(bad.toString()).isEqualTo(8);
            assertThat(bad.err().strip()).contains("colour").doesNotContain("\n");
        } finally {
            Files.writeString(settings, written);
        }
        // One rule for every scalar setting: PKI_<SECTION>_<KEY>.
        PkiProcess.Result eab = pki.run(Map.of("PKI_ACME_EAB_REQUIRED", "maybe"), "config", "check");
        assertThat(eab.exit()).as(eab.toString()).isEqualTo(8);
        assertThat(eab.err().strip()).contains("PKI_ACME_EAB_REQUIRED").contains("acme.eabRequired")
                .doesNotContain("\n");
        PkiProcess.Result crl = pki.run(Map.of("PKI_CRL_FULL_INTERVAL", "soon"), "config", "check");
        assertThat(crl.exit()).as(crl.toString()).isEqualTo(8);
        assertThat(crl.err().strip()).contains("PKI_CRL_FULL_INTERVAL").doesNotContain("\n");
    }

    @Test
    void theEnvironmentOverridesEachSettingByOneRule() throws Exception {
        PkiProcess.Result show = pki.run(Map.of("PKI_ACME_EAB_REQUIRED", "true", "PKI_CRL_DELTA_INTERVAL", "2m",
                "PKI_ACME_ORDER_LIFETIME", "P2D", "PKI_CRL_MAX_CONNECTIONS", "64"), "config", "show", "--json");
        assertThat(show.exit()).as(show.toString()).isZero();
        JsonNode s = new ObjectMapper().readTree(show.out());
        assertThat(s.at("/acme/eabRequired").asBoolean()).isTrue();
        assertThat(s.at("/acme/orderLifetime").asText()).isEqualTo("PT48H");
        assertThat(s.at("/crl/deltaInterval").asText()).isEqualTo("PT2M");
        assertThat(s.at("/crl/maxConnections").asInt()).isEqualTo(64);
        assertThat(s.at("/crl/requestHeadTimeout").asText()).isEqualTo("PT10S");
        assertThat(s.at("/fromEnvironment/acme.eabRequired").asText()).isEqualTo("PKI_ACME_EAB_REQUIRED");
        // The environment is applied when read, never written.
        assertThat(Files.readString(pki.home().resolve("medpki.yaml"))).doesNotContain("eabRequired: true");
    }

    @Test
    void anInstallationFromBeforeMedpkiYamlKeepsWorkingAndMigrates() throws Exception {
        PkiProcess old = new PkiProcess(tmp.resolve("old"), TestEnvironment.newDatabase());
        PkiProcess.Result init = old.run("init", "--token-label", "oldlayout",
                "--http-port", Integer.toString(AcmeLab.freePort(2)));
        assertThat(init.exit()).as(init.toString()).isZero();
        PkiProcess.Result before = old.run("config", "show", "--json");
        assertThat(before.exit()).as(before.toString()).isZero();

        // The earlier layout: config.yaml with domain, organisation at the top; acme.yaml; crl.yaml.
        Path medpki = old.home().resolve("medpki.yaml");
        String yaml = Files.readString(medpki);
        String installation = yaml.substring(yaml.indexOf("installation:\n"), yaml.indexOf("token:\n"));
        String config = yaml.replace(installation, installation.replace("installation:\n", "").replaceAll("(?m)^  ", ""));
        Files.writeString(old.home().resolve("config.yaml"), config);
        Files.writeString(old.home().resolve("acme.yaml"), "ordersPerAccountPerHour: 77\n");
        Files.writeString(old.home().resolve("crl.yaml"), "deltaInterval: 3m\n");
        Files.delete(medpki);

        PkiProcess.Result legacy = old.run("config", "show", "--json");
        assertThat(legacy.exit()).as(legacy.toString()).isZero();
        JsonNode l = new ObjectMapper().readTree(legacy.out());
        assertThat(l.at("/acme/ordersPerAccountPerHour").asInt()).isEqualTo(77);
        assertThat(l.at("/crl/deltaInterval").asText()).isEqualTo("PT3M");
        assertThat(l.at("/installation/domain").asText()).isEqualTo(new ObjectMapper().readTree(before.out())
                .at("/installation/domain").asText());

        PkiProcess.Result migrate = old.run("config", "migrate");
        assertThat(migrate.exit()).as(migrate.toString()).isZero();
        assertThat(migrate.out()).contains("config.yaml merged", "acme.yaml merged", "crl.yaml merged");
        assertThat(old.home().resolve("config.yaml")).doesNotExist();
        assertThat(old.home().resolve("acme.yaml.migrated")).exists();
        PkiProcess.Result after = old.run("config", "show", "--json");
        assertThat(after.exit()).as(after.toString()).isZero();
        JsonNode a = new ObjectMapper().readTree(after.out());
        assertThat(a.at("/acme/ordersPerAccountPerHour").asInt()).isEqualTo(77);
        assertThat(a.at("/crl/deltaInterval").asText()).isEqualTo("PT3M");
        assertThat(a.at("/installation")).isEqualTo(l.at("/installation"));

        // Both at once is refused: two files would disagree about which one counts.
        Files.writeString(old.home().resolve("acme.yaml"), "ordersPerAccountPerHour: 5\n");
        PkiProcess.Result both = old.run("config", "check");
        assertThat(both.exit()).as(both.toString()).isEqualTo(8);
        assertThat(both.err().strip()).contains("acme.yaml").contains("pki config migrate").doesNotContain("\n");
        PkiProcess.Result conflict = old.run("config", "migrate");
        assertThat(conflict.exit()).as(conflict.toString()).isEqualTo(8);
        assertThat(conflict.err()).contains("both exist");
    }
}
