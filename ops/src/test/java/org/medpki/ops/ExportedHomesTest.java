package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container flow without containers: 'pki init' with the administrator's password in
 * PKI_DATABASE_PASSWORD_FILE and the CA API named by a host outside the domain, then 'pki service
 * export' of ca, ocsp, crl, admin and scep, and each service run from its own exported PKI_HOME (its
 * own copy of its own SoftHSM2 token, no other PIN; the admin service no token at all; SCEP a token
 * it makes itself): the CRL and OCSP services reach the CA over its API, SCEP has its RA key
 * certified and hands it out, and the admin API answers /health and /metrics over TLS without a
 * client certificate, its metrics counting a refused call.
 */
class ExportedHomesTest {
    @TempDir
    static Path tmp;
    static final List<Process> processes = new ArrayList<>();

    @AfterAll
    static void stop() throws Exception {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private static Process serve(PkiProcess home, Map<String, String> env, Set<String> without, String... args)
            throws Exception {
        PkiProcess.Started s = home.start(env, without, args);
        processes.add(s.process());
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!Files.readString(s.out()).contains("serving")) {
            assertThat(s.process().isAlive()).as(String.join(" ", args) + ": " + Files.readString(s.err())).isTrue();
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(100);
        }
        return s.process();
    }

    private static List<String> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void servicesRunFromTheirOwnExports() throws Exception {
        TestEnvironment.PgUrl admin = TestEnvironment.PgUrl.parse(TestEnvironment.newDatabase());
        String noPassword = "postgresql://" + admin.user() + "@" + admin.host() + ":" + admin.port() + "/"
                + admin.database();
        Path passwordFile = tmp.resolve("db-admin-password");
        Files.writeString(passwordFile, admin.password() + "\n");
        Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-r--r--"));
        int httpPort = AcmeLab.freePort(2);
        int caPort = AcmeLab.freePort(1);

        PkiProcess refused = new PkiProcess(tmp.resolve("refused"), null);
        PkiProcess.Result open = refused.run(Map.of("PKI_DATABASE_URL", noPassword, "PKI_DATABASE_PASSWORD_FILE",
                passwordFile.toString()), "init", "--http-port", Integer.toString(httpPort));
        assertThat(open.exit()).as(open.toString()).isEqualTo(8);
        assertThat(open.err()).doesNotContain(admin.password());
        List<String> lines = open.err().strip().lines().toList();
        assertThat(lines.getLast()).contains("PKI_DATABASE_PASSWORD_FILE").contains("readable by other users");

        Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
        PkiProcess ceremony = new PkiProcess(tmp.resolve("init"), null);
        PkiProcess.Result init = ceremony.run(Map.of("PKI_DATABASE_URL", noPassword, "PKI_DATABASE_PASSWORD_FILE",
                passwordFile.toString()), "init", "--http-port", Integer.toString(httpPort), "--ca-api-host",
                "localhost", "--ca-api-port", Integer.toString(caPort));
        assertThat(init.exit()).as(init.toString()).isZero();
        for (String service : List.of("ca", "ocsp", "crl", "admin", "scep")) {
            PkiProcess.Result export = ceremony.run("service", "export", service, "--out",
                    tmp.resolve(service + "-home").toString());
            assertThat(export.exit()).as(export.toString()).isZero();
        }
        assertThat(files(tmp.resolve("crl-home"))).noneMatch(f -> f.startsWith("tokens/") || f.endsWith(".pin"));
        assertThat(files(tmp.resolve("ca-home"))).filteredOn(f -> f.startsWith("tokens/")).isNotEmpty()
                .allMatch(f -> !f.contains("/") || f.split("/").length == 3);
        assertThat(files(tmp.resolve("ocsp-home"))).contains("ocsp-token.pin").doesNotContain("token.pin");
        assertThat(files(tmp.resolve("admin-home"))).contains("services/admin/key.pem", "services/admin/chain.pem",
                "secrets/db-admin.password", "secrets/device-code.key", "medpki.yaml", "pki/root-ca.pem")
                .noneMatch(f -> f.startsWith("tokens/") || f.endsWith(".pin") || f.startsWith("services/ca/")
                        || f.startsWith("secrets/db-ca"));

        // SCEP's home has no token and no PIN: it makes its own enrollment token where it runs.
        assertThat(files(tmp.resolve("scep-home"))).contains("services/scep/key.pem", "secrets/db-enroll.password")
                .noneMatch(f -> f.startsWith("tokens/") || f.endsWith(".pin") || f.endsWith("device-code.key"));

        Map<String, String> service = Map.of("PKI_DATABASE_URL", noPassword);
        Set<String> caSecrets = Set.of("PKI_TOKEN_PIN", "PKI_TOKEN_PIN_FILE", "PKI_TEST_TOKEN_PIN");
        serve(new PkiProcess(tmp.resolve("ca-home"), null), service, Set.of(), "serve", "ca");
        serve(new PkiProcess(tmp.resolve("crl-home"), null), service, caSecrets, "serve", "crl");
        serve(new PkiProcess(tmp.resolve("ocsp-home"), null), service, caSecrets, "serve", "ocsp");
        int adminPort = AcmeLab.freePort(1);
        Set<String> pins = Set.of("PKI_TOKEN_PIN", "PKI_TOKEN_PIN_FILE", "PKI_TEST_TOKEN_PIN", "PKI_OCSP_TOKEN_PIN",
                "PKI_OCSP_TOKEN_PIN_FILE");
        PkiProcess adminHome = new PkiProcess(tmp.resolve("admin-home"), null);
        serve(adminHome, service, pins, "serve", "admin", "--port", Integer.toString(adminPort));

        // The SCEP service from its export, given only the enrollment token's PIN: it makes the
        // token, generates the RA key in it and has the CA certify it; GetCACert hands it out.
        Path enrollPin = tmp.resolve("enroll-token-pin");
        Files.writeString(enrollPin, "enroll-1234\n");
        Files.setPosixFilePermissions(enrollPin, PosixFilePermissions.fromString("rw-------"));
        int scepPort = AcmeLab.freePort(1);
        Map<String, String> scepEnv = Map.of("PKI_DATABASE_URL", noPassword, "PKI_ENROLL_TOKEN_PIN_FILE",
                enrollPin.toString());
        serve(new PkiProcess(tmp.resolve("scep-home"), null), scepEnv, pins, "serve", "scep", "--port",
                Integer.toString(scepPort));
        assertThat(files(tmp.resolve("scep-home"))).anyMatch(f -> f.startsWith("tokens/"))
                .noneMatch(f -> f.endsWith(".pin"));

        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<byte[]> raCerts = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + scepPort
                + "/scep?operation=GetCACert")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(raCerts.statusCode()).isEqualTo(200);
        assertThat(raCerts.headers().firstValue("Content-Type")).hasValue("application/x-x509-ca-ra-cert");
        java.security.cert.CertificateFactory x509 = java.security.cert.CertificateFactory.getInstance("X.509");
        assertThat(x509.generateCertificates(new java.io.ByteArrayInputStream(raCerts.body())).stream()
                .map(c -> ((java.security.cert.X509Certificate) c).getSubjectX500Principal().getName()))
                .anyMatch(n -> n.contains("SCEP RA"));
        for (int port : List.of(httpPort, httpPort + 1)) {
            HttpResponse<String> health = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200) {
                    break;
                }
                Thread.sleep(200);
            }
            assertThat(health.statusCode()).as("port " + port + ": " + health.body()).isEqualTo(200);
        }
        // The CRL service had the CA make and sign CRLs over the API: the root's and an issuing CA's are served.
        HttpResponse<byte[]> crl = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                + "/crl/server-ca.crl")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(crl.statusCode()).isEqualTo(200);

        // The admin API from its export: health and metrics over TLS (trusting the root) without a
        // client certificate; a call without one is refused, and the metrics count it.
        AdminCurl curl = new AdminCurl(adminHome, tmp, adminPort);
        AdminCurl.Reply health = curl.get(null, "/health");
        assertThat(health.status()).as(health.body()).isEqualTo(200);
        AdminCurl.Reply before = curl.get(null, "/metrics");
        assertThat(before.status()).as(before.body()).isEqualTo(200);
        assertThat(before.contentType()).startsWith("text/plain");
        assertThat(before.body()).contains("medpki_admin_requests{state=\"pending-approval\"} 0\n",
                "medpki_admin_requests{state=\"running\"} 0\n", "admin_connections_open ",
                "# TYPE medpki_admin_api_calls_total counter");
        String refusedCalls = "medpki_admin_api_calls_total{method=\"GET\",route=\"/api/v1/me\",outcome=\"401\"}";
        String noCertificate = "medpki_admin_api_refusals_total{reason=\"no client certificate\"}";
        AdminCurl.Reply me = curl.get(null, "/api/v1/me");
        assertThat(me.status()).as(me.body()).isEqualTo(401);
        AdminCurl.Reply after = curl.get(null, "/metrics");
        assertThat(value(after.body(), refusedCalls)).isEqualTo(value(before.body(), refusedCalls) + 1);
        assertThat(value(after.body(), noCertificate)).isEqualTo(value(before.body(), noCertificate) + 1);
        assertThat(value(after.body(), "medpki_admin_api_calls_total{method=\"GET\",route=\"/metrics\","
                + "outcome=\"200\"}")).isGreaterThanOrEqualTo(1);
    }

    /** A sample's value in a Prometheus text exposition; 0 when it is not there yet. */
    private static long value(String exposition, String sample) {
        return exposition.lines().filter(l -> l.startsWith(sample + " "))
                .mapToLong(l -> Long.parseLong(l.substring(sample.length() + 1).strip())).findFirst().orElse(0);
    }
}
