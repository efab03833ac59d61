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

        Path acme = pki.home().resolve("acme.yaml");
        Files.writeString(acme, "ordersPerHour: 5\n");
        try {
            PkiProcess.Result bad = pki.run("config", "check");
            assertThat(bad.exit()).as(bad.toString()).isEqualTo(8);
            assertThat(bad.err().strip()).contains("acme.yaml").contains("ordersPerHour").doesNotContain("\n");
        } finally {
            Files.delete(acme);
        }
        Path crl = pki.home().resolve("crl.yaml");
        Files.writeString(crl, "keepExpired: 1h\n");
        try {
            PkiProcess.Result bad = pki.run("config", "check");
            assertThat(bad.exit()).as(bad.toString()).isEqualTo(8);
            assertThat(bad.err().strip()).contains("keepExpired").doesNotContain("\n");
        } finally {
            Files.delete(crl);
        }
    }
}
