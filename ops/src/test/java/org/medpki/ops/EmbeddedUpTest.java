package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 'pki up' with no PKI_DATABASE_URL: first run does the ceremony against an embedded PostgreSQL
 * kept in PKI_HOME, starts the services, and other commands attach to the same database.
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
        } finally {
            up.destroy();
            assertThat(up.waitFor(60, TimeUnit.SECONDS)).as("up stops on SIGTERM").isTrue();
        }
        // A second 'up' on the same home does not run the ceremony again.
        PkiProcess.Result again = new PkiProcess(pki.home(), null).run("init", "--token-label", "embedded");
        assertThat(again.exit()).isEqualTo(5);
        assertThat(again.err()).contains("already initialised");
    }
}
