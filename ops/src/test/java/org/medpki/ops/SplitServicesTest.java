package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The split deployment on one PostgreSQL: 'pki serve ca', two 'serve acme', two 'serve ocsp' and
 * 'serve crl', each a process of its own as its own database login, with real clients (lego,
 * certbot, openssl, curl). Only the CA gets the CA token's PIN; the services get a database URL
 * without credentials (their logins' passwords are in PKI_HOME/secrets).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SplitServicesTest {
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(120);
    /** The test harness's own variables (its token PIN, the cluster's superuser URL) reach no service. */
    private static final Set<String> HARNESS = Set.of("PKI_TEST_TOKEN_PIN", "PKI_TEST_PG_ADMIN_URL");
    private static final Set<String> CA_SECRETS = Set.of("PKI_TOKEN_PIN", "PKI_TOKEN_PIN_FILE", "PKI_TEST_TOKEN_PIN",
            "PKI_TEST_PG_ADMIN_URL");

    @TempDir
    static Path tmp;
    static PkiProcess pki;
    static String adminUrl;
    static Map<String, String> serviceEnv;
    static TestDnsServer dns;
    static ConnectProxy proxy;
    static int httpPort;
    static int acme1;
    static int acme2;
    static int ocsp2;
    static int http01Port;
    static final Map<String, PkiProcess.Started> services = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        adminUrl = TestEnvironment.newDatabase();
        pki = new PkiProcess(tmp.resolve("home"), adminUrl);
        httpPort = AcmeLab.freePort(2);
        acme1 = AcmeLab.freePort(1);
        acme2 = AcmeLab.freePort(1);
        ocsp2 = AcmeLab.freePort(1);
        http01Port = AcmeLab.freePort(1);
        Files.writeString(pki.home().resolve("acme.yaml"), "publicHost: " + AcmeLab.ACME_HOST + "\n");
        // The CA API is reached by a name outside the PKI's domain, as in containers ("ca"): the
        // services authenticate the endpoint by its certificate (CN ca from the service CA), which
        // names no host, and the CA binds every address.
        PkiProcess.Result init = pki.run("init", "--http-port", Integer.toString(httpPort), "--ca-api-host", "localhost");
        assertThat(init.exit()).as(init.toString()).isZero();
        try (var in = Files.newInputStream(pki.home().resolve("services/ca/chain.pem"))) {
            var endpoint = (java.security.cert.X509Certificate) java.security.cert.CertificateFactory
                    .getInstance("X.509").generateCertificate(in);
            assertThat(endpoint.getSubjectAlternativeNames()).as("no SAN for a name outside the domain").isNull();
        }

        dns = new TestDnsServer(Files.createDirectories(tmp.resolve("txt")));
        proxy = new ConnectProxy();
        Path hosts = tmp.resolve("hosts");
        Files.writeString(hosts, "127.0.0.1 lego.split.hospital.test certbot.split.hospital.test"
                + " killed.split.hospital.test after.split.hospital.test back.split.hospital.test\n");
        TestEnvironment.PgUrl admin = TestEnvironment.PgUrl.parse(adminUrl);
        // No password in the URL: a service takes host, port and database from it, its login from secrets.
        serviceEnv = new HashMap<>(Map.of(
                "PKI_DATABASE_URL", "postgresql://medpki@" + admin.host() + ":" + admin.port() + "/" + admin.database(),
                "PKI_ACME_HTTP01_PORT", Integer.toString(http01Port),
                "PKI_ACME_DNS_SERVER", dns.address(),
                "PKI_ACME_HOSTS_FILE", hosts.toString(),
                // the clients' http-01 servers run on this host: loosen the default deny-list
                "PKI_ACME_ALLOW_LOOPBACK", "true"));

        serve("ca", HARNESS);
        serve("ocsp-1", CA_SECRETS, "ocsp");
        serve("ocsp-2", CA_SECRETS, "ocsp", "--port", Integer.toString(ocsp2));
        serve("crl", CA_SECRETS, "crl");
        serve("acme-1", CA_SECRETS, "acme", "--port", Integer.toString(acme1));
        serve("acme-2", CA_SECRETS, "acme", "--port", Integer.toString(acme2));
    }

    @AfterAll
    static void stop() throws Exception {
        for (PkiProcess.Started s : services.values()) {
            s.process().destroy();
        }
        for (PkiProcess.Started s : services.values()) {
            if (!s.process().waitFor(30, TimeUnit.SECONDS)) {
                s.process().destroyForcibly();
            }
        }
        if (dns != null) {
            dns.close();
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    /** Starts 'pki serve' (the service named by the key's prefix unless given) and waits until it serves. */
    private static void serve(String key, Set<String> without, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("serve"));
        command.addAll(args.length == 0 ? List.of(key) : List.of(args));
        PkiProcess.Started s = pki.start(serviceEnv, without, command.toArray(String[]::new));
        services.put(key, s);
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!Files.readString(s.out()).contains("serving")) {
            assertThat(s.process().isAlive()).as(key + " keeps running: " + Files.readString(s.err())).isTrue();
            assertThat(System.nanoTime()).as(key + " serves within 120 s").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    @Test
    @Order(1)
    void eachServiceRunsAsItsOwnLoginAndOnlyTheCaHoldsTheCaPin() throws Exception {
        for (String acme : List.of("acme-1", "acme-2", "crl")) {
            long pid = services.get(acme).process().pid();
            String maps = Files.readString(Path.of("/proc/" + pid + "/maps"));
            assertThat(maps).as(acme + " maps no PKCS#11 module").doesNotContainIgnoringCase("softhsm")
                    .doesNotContainIgnoringCase("pkcs11");
            String environ = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/environ")));
            assertThat(environ).as(acme + " has no PIN").doesNotContain("PKI_TOKEN_PIN")
                    .doesNotContain(TestEnvironment.pin()).doesNotContain("PKI_OCSP_TOKEN_PIN");
        }
        String ocspEnviron = new String(Files.readAllBytes(Path.of("/proc/" + services.get("ocsp-1").process().pid()
                + "/environ")));
        assertThat(ocspEnviron).doesNotContain("PKI_TOKEN_PIN=").doesNotContain(TestEnvironment.pin());

        Map<String, List<String>> logins = new HashMap<>();
        TestEnvironment.PgUrl admin = TestEnvironment.PgUrl.parse(adminUrl);
        try (Connection c = TestEnvironment.connect(adminUrl); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT a.application_name, a.usename, r.rolsuper FROM pg_stat_activity a "
                     + "JOIN pg_roles r ON r.rolname = a.usename WHERE a.datname = '" + admin.database()
                     + "' AND a.application_name LIKE 'medpki-%'")) {
            while (r.next()) {
                assertThat(r.getBoolean(3)).as(r.getString(1) + " as " + r.getString(2) + " is no superuser").isFalse();
                logins.computeIfAbsent(r.getString(1), k -> new ArrayList<>()).add(r.getString(2));
            }
        }
        for (String role : List.of("ca", "acme", "ocsp", "crl")) {
            assertThat(logins.get("medpki-" + role)).as("sessions of " + role + ": " + logins).isNotEmpty()
                    .allSatisfy(user -> assertThat(user).endsWith("_" + role));
        }
    }

    @Test
    @Order(2)
    void certificatesFromBothAcmeInstancesAndARevocationSeenOnEveryChannel() throws Exception {
        Path legoDir = Files.createDirectories(tmp.resolve("lego"));
        PkiProcess.Result obtained = lego(legoDir, acme1, "--http", "--http.port", ":" + http01Port,
                "--domains", "lego.split.hospital.test", "run");
        assertThat(obtained.exit()).as(obtained.toString()).isZero();
        Path legoCert = legoDir.resolve("lego/certificates/lego.split.hospital.test.crt");

        Path certbotDir = Files.createDirectories(tmp.resolve("certbot"));
        PkiProcess.Result certbot = AcmeLab.exec(clientEnv(), certbotDir, CLIENT_TIMEOUT, List.of("certbot",
                "certonly", "--standalone", "--http-01-port", Integer.toString(http01Port), "--agree-tos",
                "--register-unsafely-without-email", "-d", "certbot.split.hospital.test", "--config-dir",
                certbotDir.resolve("config").toString(), "--work-dir", certbotDir.resolve("work").toString(),
                "--logs-dir", certbotDir.resolve("logs").toString(), "--non-interactive", "--server",
                directory(acme2)));
        assertThat(certbot.exit()).as(certbot.toString()).isZero();
        Path certbotCert = certbotDir.resolve("config/live/certbot.split.hospital.test/cert.pem");
        assertThat(ocsp(certbotCert, ocspUrl(httpPort + 1))).contains(": good");

        // Issued through one instance, revoked through the other by the certificate's own key: the
        // state is shared.
        PkiProcess.Result revoked = AcmeLab.exec(clientEnv(), certbotDir, CLIENT_TIMEOUT, List.of("certbot", "revoke",
                "--cert-path", legoCert.toString(), "--key-path",
                legoDir.resolve("lego/certificates/lego.split.hospital.test.key").toString(), "--reason", "keycompromise",
                "--config-dir", certbotDir.resolve("config").toString(), "--work-dir",
                certbotDir.resolve("work").toString(), "--logs-dir", certbotDir.resolve("logs").toString(),
                "--non-interactive", "--no-delete-after-revoke", "--server", directory(acme2)));
        assertThat(revoked.exit()).as(revoked.toString()).isZero();
        for (String url : List.of(ocspUrl(httpPort + 1), ocspUrl(ocsp2))) {
            awaitContains(() -> ocsp(legoCert, url), ": revoked", Duration.ofSeconds(10));
        }
        String serial = AcmeLab.serialOf(legoCert).toUpperCase(java.util.Locale.ROOT);
        awaitContains(() -> crlText("server-ca-delta"), serial, Duration.ofSeconds(20));
        // The complete CRL at the certificate's CDP too, shortly after (crl.revocationCoalesce), not
        // at the next fullInterval: what relying parties that read only the complete CRL see.
        awaitContains(() -> crlText("server-ca"), serial, Duration.ofSeconds(60));
    }

    @Test
    @Order(3)
    void theCaApiRefusesAndAuditsWhatItDoesNotAuthorise() throws Exception {
        String api = "https://127.0.0.1:" + (httpPort + 364) + "/ca-api/v1/";
        Path services = pki.home().resolve("services");
        PkiProcess.Result none = curl("-X", "POST", api + "certificates", "-d", "{}");
        assertThat(none.out()).contains("UNAUTHORIZED").endsWith("401");
        PkiProcess.Result wrongCall = curl("--cert", services.resolve("acme/chain.pem").toString(), "--key",
                services.resolve("acme/key.pem").toString(), "-X", "POST", api + "crls", "-d",
                "{\"ca\":\"server-ca\",\"shard\":0,\"kind\":\"full\"}");
        assertThat(wrongCall.out()).contains("may not have CRLs signed").endsWith("403");
        Path legoDir = tmp.resolve("lego/lego/certificates");
        PkiProcess.Result otherCa = curl("--cert", legoDir.resolve("lego.split.hospital.test.crt").toString(), "--key",
                legoDir.resolve("lego.split.hospital.test.key").toString(), "-X", "POST", api + "certificates",
                "-d", "{}");
        assertThat(otherCa.out()).contains("another CA").endsWith("401");
        try (Connection c = TestEnvironment.connect(adminUrl); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT count(*) FROM audit_event WHERE type = 'ca-api.refused'")) {
            r.next();
            assertThat(r.getLong(1)).isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    @Order(4)
    void aCrlPublishedByAnotherProcessIsServedAtOnce() throws Exception {
        PkiProcess.Result published = pki.run("crl", "publish", "--ca", "server-ca");
        assertThat(published.exit()).as(published.toString()).isZero();
        long newest;
        try (Connection c = TestEnvironment.connect(adminUrl); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT max(crl_number) FROM crl c JOIN ca ON ca.id = c.ca_id "
                     + "WHERE ca.name = 'server-ca' AND c.shard = 0 AND c.kind = 'full'")) {
            r.next();
            newest = r.getLong(1);
        }
        long start = System.nanoTime();
        awaitContains(() -> crlText("server-ca"), "X509v3 CRL Number: \n                " + newest,
                Duration.ofSeconds(5));
        System.out.printf("CRL #%d served %d ms after 'pki crl publish' returned%n", newest,
                (System.nanoTime() - start) / 1_000_000);
    }

    @Test
    @Order(5)
    void sigkillOfAnInstanceLeavesTheOthersServingAndLosesNothing() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("killed"));
        PkiProcess.Started inFlight = null;
        // Kill one ACME and one OCSP instance while an order is in flight on the first.
        List<String> command = new ArrayList<>(List.of("lego", "--server", directory(acme1), "--accept-tos", "--email",
                "ops@hospital.test", "--path", dir.resolve("lego").toString(), "--http", "--http.port",
                ":" + http01Port, "--domains", "killed.split.hospital.test", "run"));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile());
        pb.environment().putAll(clientEnv());
        Process lego = pb.start();
        Thread.sleep(700);
        services.get("acme-1").process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        services.get("ocsp-1").process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        assertThat(lego.waitFor(120, TimeUnit.SECONDS)).isTrue();

        Path after = Files.createDirectories(tmp.resolve("after"));
        PkiProcess.Result survivor = lego(after, acme2, "--http", "--http.port", ":" + http01Port,
                "--domains", "after.split.hospital.test", "run");
        assertThat(survivor.exit()).as(survivor.toString()).isZero();
        Path afterCert = after.resolve("lego/certificates/after.split.hospital.test.crt");
        awaitContains(() -> ocsp(afterCert, ocspUrl(ocsp2)), ": good", Duration.ofSeconds(10));

        // The CRL publisher killed and started again serves the stored CRLs.
        services.get("crl").process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        serve("crl", CA_SECRETS, "crl");
        assertThat(crlText("server-ca")).contains("Certificate Revocation List");

        // The CA killed: ACME says so on /health and stays up; the CA back, ACME issues again, unrestarted.
        services.get("ca").process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        awaitContains(() -> curl("https://127.0.0.1:" + acme2 + "/health"), "\"ca\":\"DOWN\"", Duration.ofSeconds(40));
        assertThat(curl("https://127.0.0.1:" + acme2 + "/health").out()).endsWith("503");
        serve("ca", HARNESS);
        awaitContains(() -> curl("https://127.0.0.1:" + acme2 + "/health"), "\"status\":\"UP\"", Duration.ofSeconds(40));
        Path back = Files.createDirectories(tmp.resolve("back"));
        PkiProcess.Result again = lego(back, acme2, "--http", "--http.port", ":" + http01Port,
                "--domains", "back.split.hospital.test", "run");
        assertThat(again.exit()).as(again.toString()).isZero();

        // Nothing lost: every certificate a client holds is in the inventory, the revoked one still revoked.
        assertThat(show(AcmeLab.serialOf(afterCert))).contains("\"status\":\"issued\"");
        assertThat(show(AcmeLab.serialOf(back.resolve("lego/certificates/back.split.hospital.test.crt"))))
                .contains("\"status\":\"issued\"");
        assertThat(show(AcmeLab.serialOf(tmp.resolve("lego/lego/certificates/lego.split.hospital.test.crt"))))
                .contains("\"status\":\"revoked\"");
        Path killedCert = dir.resolve("lego/certificates/killed.split.hospital.test.crt");
        if (Files.exists(killedCert)) {
            assertThat(show(AcmeLab.serialOf(killedCert))).contains("\"status\":\"issued\"");
        }
    }

    private static String show(String serial) throws Exception {
        PkiProcess.Result r = pki.run("show", serial, "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        return r.out().replace(" ", "");
    }

    private static String directory(int port) {
        return "https://" + AcmeLab.ACME_HOST + ":" + port + "/acme/directory";
    }

    private static String ocspUrl(int port) {
        return "http://127.0.0.1:" + port + "/ocsp";
    }

    private static Map<String, String> clientEnv() {
        Path root = pki.home().resolve("pki/root-ca.pem");
        return Map.of("HTTPS_PROXY", proxy.url(), "https_proxy", proxy.url(), "NO_PROXY", "", "no_proxy", "",
                "REQUESTS_CA_BUNDLE", root.toString(), "LEGO_CA_CERTIFICATES", root.toString());
    }

    private static PkiProcess.Result lego(Path dir, int acmePort, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("lego", "--server", directory(acmePort), "--accept-tos",
                "--email", "ops@hospital.test", "--path", dir.resolve("lego").toString()));
        command.addAll(List.of(args));
        return AcmeLab.exec(clientEnv(), dir, CLIENT_TIMEOUT, command);
    }

    private static String ocsp(Path cert, String url) throws Exception {
        PkiProcess.Result r = PkiProcess.tool(Map.of(), "openssl", "ocsp", "-issuer",
                pki.home().resolve("pki/server-ca.pem").toString(), "-cert", cert.toString(), "-url", url, "-CAfile",
                pki.home().resolve("pki/root-ca.pem").toString(), "-no_nonce");
        return r.out() + r.err();
    }

    private static String crlText(String name) throws Exception {
        Path file = Files.createTempFile(tmp, name, ".crl");
        PkiProcess.Result got = PkiProcess.tool(Map.of(), "curl", "-sf", "-o", file.toString(),
                "http://127.0.0.1:" + httpPort + "/crl/" + name + ".crl");
        if (got.exit() != 0) {
            return "";
        }
        PkiProcess.Result text = PkiProcess.tool(Map.of(), "openssl", "crl", "-inform", "DER", "-in", file.toString(),
                "-noout", "-text");
        return text.out();
    }

    /** curl -sk with the HTTP status appended to the body. */
    private static PkiProcess.Result curl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-sk", "-w", "%{http_code}"));
        command.addAll(List.of(args));
        return PkiProcess.tool(Map.of(), command.toArray(String[]::new));
    }

    interface Probe {
        Object get() throws Exception;
    }

    private static void awaitContains(Probe probe, String expected, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            Object v = probe.get();
            last = v instanceof PkiProcess.Result r ? r.out() : String.valueOf(v);
            if (last.contains(expected)) {
                return;
            }
            Thread.sleep(100);
        }
        assertThat(last).as("within " + within).contains(expected);
    }
}
