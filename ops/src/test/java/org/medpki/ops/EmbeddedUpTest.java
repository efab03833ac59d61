package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medpki.ops.install.PkiHome;
import org.medpki.ops.install.SettingsFiles;

/**
 * 'pki up' with no PKI_DATABASE_URL: first run does the ceremony against an embedded PostgreSQL
 * kept in PKI_HOME, starts the services, and other commands attach to the same database. The
 * server is durable, refuses logins without a password, and every service logs in as its own role.
 */
class EmbeddedUpTest {

    @TempDir
    Path tmp;

    @Test
    void upInitialisesServesAndIsSeenByStatus() throws Exception {
        PkiProcess pki = new PkiProcess(tmp.resolve("home"), null);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        PkiProcess.Started started = pki.start(Map.of(), "up", "--http-port", Integer.toString(port), "--token-label", "embedded");
        Process up = started.process();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
            Path out = started.out();
            while (!Files.readString(out).contains("medpki is up")) {
                assertThat(up.isAlive()).as("up keeps running: " + Files.readString(started.err())).isTrue();
                assertThat(System.nanoTime()).as("up within 150 s").isLessThan(deadline);
                Thread.sleep(200);
            }
            HttpResponse<byte[]> root = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/ca/root-ca.crt")).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(root.statusCode()).isEqualTo(200);
            assertThat(root.headers().firstValue("Content-Type")).hasValue("application/pkix-cert");
            byte[] pemRoot = java.util.Base64.getMimeDecoder().decode(Files.readString(pki.home().resolve("pki/root-ca.pem"))
                    .replaceAll("-----[A-Z ]+-----", ""));
            assertThat(root.body()).isEqualTo(pemRoot);

            // A second command attaches to the embedded database that 'up' runs.
            PkiProcess.Result status = new PkiProcess(pki.home(), null).run("status", "--json");
            assertThat(status.exit()).as(status.toString()).isZero();
            JsonNode s = new ObjectMapper().readTree(status.out());
            assertThat(s.get("database").asText()).contains("embedded");
            assertThat(s.get("services").toString()).contains("repository").contains(Integer.toString(port));
            // The ACME directory in status resolves here and its certificate chains to the root.
            String directory = java.util.stream.StreamSupport.stream(s.get("services").spliterator(), false)
                    .filter(n -> n.get("name").asText().equals("acme")).findFirst().orElseThrow().get("url").asText();
            assertThat(directory).startsWith("https://127.0.0.1:").endsWith("/acme/directory");
            PkiProcess.Result fetched = PkiProcess.tool(Map.of(), "curl", "-sf", "--cacert",
                    pki.home().resolve("pki/root-ca.pem").toString(), directory);
            assertThat(fetched.exit()).as(fetched.toString()).isZero();
            assertThat(fetched.out()).contains("newOrder").contains(directory.replace("/directory", "/new-order"));

            // The embedded server: durable, password logins only, each service as its own login.
            int dbPort = SettingsFiles.readInstallation(new PkiHome(pki.home())).database().embeddedPort();
            String jdbc = "jdbc:postgresql://127.0.0.1:" + dbPort + "/postgres";
            assertThatThrownBy(() -> DriverManager.getConnection(jdbc, "postgres", null).close())
                    .as("the superuser without a password").isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> DriverManager.getConnection(jdbc, "postgres", "wrong").close())
                    .isInstanceOf(SQLException.class);
            Path secret = pki.home().resolve("secrets/db-superuser.password");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret))).isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret.getParent())))
                    .isEqualTo("rwx------");
            try (Connection c = DriverManager.getConnection(jdbc, "postgres", Files.readString(secret).strip());
                 Statement st = c.createStatement()) {
                for (String setting : new String[] {"fsync", "synchronous_commit", "full_page_writes"}) {
                    try (ResultSet r = st.executeQuery("SHOW " + setting)) {
                        r.next();
                        assertThat(r.getString(1)).as(setting).isEqualTo("on");
                    }
                }
                try (ResultSet r = st.executeQuery("SHOW listen_addresses")) {
                    r.next();
                    assertThat(r.getString(1)).isEqualTo("127.0.0.1");
                }
                try (ResultSet r = st.executeQuery("SELECT DISTINCT application_name, usename FROM pg_stat_activity "
                        + "WHERE application_name LIKE 'medpki-%' ORDER BY 1")) {
                    Map<String, String> sessions = new java.util.TreeMap<>();
                    while (r.next()) {
                        sessions.put(r.getString(1), r.getString(2));
                    }
                    assertThat(sessions).containsEntry("medpki-ca", "medpki_ca").containsEntry("medpki-ocsp", "medpki_ocsp")
                            .containsEntry("medpki-crl", "medpki_crl").containsEntry("medpki-acme", "medpki_acme");
                }
            }
            PkiProcess.Result report = new PkiProcess(pki.home(), null).run("report", "compliance", "--json");
            JsonNode checks = new ObjectMapper().readTree(report.out()).get("safeguards");
            Map<String, String> outcome = new java.util.HashMap<>();
            checks.forEach(g -> g.get("checks").forEach(c -> outcome.put(c.get("id").asText(), c.get("status").asText())));
            assertThat(outcome).as(report.out()).containsEntry("service-logins", "pass")
                    .containsEntry("database-durability", "pass").containsEntry("database-password-auth", "pass");
        } finally {
            up.destroy();
            assertThat(up.waitFor(60, TimeUnit.SECONDS)).as("up stops on SIGTERM").isTrue();
        }
        // A second 'up' on the same home does not run the ceremony again.
        PkiProcess.Result again = new PkiProcess(pki.home(), null).run("init", "--token-label", "embedded");
        assertThat(again.exit()).isEqualTo(5);
        assertThat(again.err()).contains("already initialised");
        // A command on the stopped installation starts the server again, with its password.
        PkiProcess.Result list = new PkiProcess(pki.home(), null).run("list", "--json");
        assertThat(list.exit()).as(list.toString()).isZero();
    }
}
