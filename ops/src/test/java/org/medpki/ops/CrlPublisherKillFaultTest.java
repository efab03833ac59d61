package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.Extension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault: the CRL publisher of a split deployment ('pki serve ca' and 'pki serve crl') killed with
 * SIGKILL while it publishes, again and again, and another one started each time. Publication is
 * made continuous by a complete CRL every 2 s and a delta every second. No CRL number is used
 * twice for a CA's scope, numbers follow issuance order, every stored CRL verifies with its CA's
 * key and carries the number it is stored under, and each new publisher takes over: it becomes
 * active, publishes a newer CRL and serves it.
 */
class CrlPublisherKillFaultTest {
    private static final int KILLS = 3;
    private static final Set<String> CA_SECRETS = Set.of("PKI_TOKEN_PIN", "PKI_TOKEN_PIN_FILE", "PKI_TEST_TOKEN_PIN",
            "PKI_TEST_PG_ADMIN_URL");

    @TempDir
    static Path tmp;
    static PkiProcess pki;
    static String db;
    static int repositoryPort;
    static Map<String, String> serviceEnv;
    static final List<PkiProcess.Started> started = new ArrayList<>();
    private final SecureRandom random = new SecureRandom();

    @BeforeAll
    static void start() throws Exception {
        db = TestEnvironment.newDatabase();
        pki = new PkiProcess(tmp.resolve("home"), db);
        repositoryPort = AcmeLab.freePort(2);
        PkiProcess.Result init = pki.run("init", "--http-port", Integer.toString(repositoryPort), "--ca-api-host",
                "localhost");
        assertThat(init.exit()).as(init.toString()).isZero();
        TestEnvironment.PgUrl admin = TestEnvironment.PgUrl.parse(db);
        serviceEnv = new HashMap<>(Map.of(
                "PKI_DATABASE_URL", "postgresql://medpki@" + admin.host() + ":" + admin.port() + "/" + admin.database(),
                // Publication all the time, so that a kill lands in one.
                "PKI_CRL_FULL_INTERVAL", "PT2S",
                "PKI_CRL_DELTA_INTERVAL", "PT1S"));
        serve("ca", Set.of("PKI_TEST_TOKEN_PIN", "PKI_TEST_PG_ADMIN_URL"));
    }

    @AfterAll
    static void stop() throws Exception {
        for (PkiProcess.Started s : started.reversed()) {
            s.process().destroy();
            if (!s.process().waitFor(30, TimeUnit.SECONDS)) {
                s.process().destroyForcibly();
            }
        }
    }

    private static PkiProcess.Started serve(String service, Set<String> without) throws Exception {
        PkiProcess.Started s = pki.start(serviceEnv, without, "serve", service);
        started.add(s);
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!Files.readString(s.out()).contains("serving")) {
            assertThat(s.process().isAlive()).as(service + " keeps running: " + Files.readString(s.err())).isTrue();
            assertThat(System.nanoTime()).as(service + " serves within 120 s").isLessThan(deadline);
            Thread.sleep(100);
        }
        return s;
    }

    @Test
    void sigkilledPublishersNeverReuseACrlNumberAndTheNextOneTakesOver() throws Exception {
        PkiProcess.Started publisher = serve("crl", CA_SECRETS);
        for (int kill = 1; kill <= KILLS; kill++) {
            awaitHealth("\"publisher\":\"active\"");
            // Just after a CRL was stored: in the middle of a round, which publishes one scope after
            // another (each issuing CA's complete and delta CRLs, the root's), the next one being made.
            long before = storedCount();
            await("another CRL stored", 10, () -> storedCount() > before);
            Thread.sleep(random.nextInt(150));
            publisher.process().destroyForcibly(); // SIGKILL: no shutdown hook, no lock given back
            assertThat(publisher.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            BigInteger atKill = newestNumber("server-ca");

            publisher = serve("crl", CA_SECRETS);
            awaitHealth("\"publisher\":\"active\"");
            await("the new publisher stores a CRL of server-ca newer than #" + atKill,
                    () -> newestNumber("server-ca").compareTo(atKill) > 0);
            await("the new publisher serves a CRL of server-ca newer than #" + atKill,
                    () -> served("server-ca").compareTo(atKill) > 0);
        }

        int checked = 0;
        Map<String, Integer> perScope = new java.util.TreeMap<>();
        Map<String, BigInteger> lastNumber = new HashMap<>();
        Map<String, Timestamp> lastThisUpdate = new HashMap<>();
        CertificateFactory x509 = CertificateFactory.getInstance("X.509");
        try (Connection c = TestEnvironment.connect(db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT ca.name, c.shard, c.crl_number, c.kind, c.this_update, c.der, "
                     + "ca.certificate FROM crl c JOIN ca ON ca.id = c.ca_id ORDER BY c.ca_id, c.shard, c.crl_number")) {
            while (rs.next()) {
                String scope = rs.getString(1) + "/" + rs.getInt(2);
                BigInteger number = rs.getBigDecimal(3).toBigIntegerExact();
                BigInteger previous = lastNumber.put(scope, number);
                assertThat(previous == null || number.compareTo(previous) > 0)
                        .as("%s: CRL number %s used once (previous %s)", scope, number, previous).isTrue();
                Timestamp thisUpdate = rs.getTimestamp(5);
                Timestamp earlier = lastThisUpdate.put(scope, thisUpdate);
                assertThat(earlier == null || !thisUpdate.before(earlier))
                        .as("%s: #%s issued no earlier than the CRL numbered before it", scope, number).isTrue();

                X509CRL crl = (X509CRL) x509.generateCRL(new ByteArrayInputStream(rs.getBytes(6)));
                X509Certificate ca = (X509Certificate) x509.generateCertificate(new ByteArrayInputStream(rs.getBytes(7)));
                crl.verify(ca.getPublicKey()); // throws if the signature is not the CA's
                assertThat(crl.getIssuerX500Principal()).isEqualTo(ca.getSubjectX500Principal());
                assertThat(crlNumber(crl)).as("%s: the number inside the CRL", scope).isEqualTo(number);
                assertThat(crl.getExtensionValue(Extension.deltaCRLIndicator.getId()) != null)
                        .as("%s #%s is a delta exactly when stored as one", scope, number)
                        .isEqualTo(rs.getString(4).equals("delta"));
                perScope.merge(scope + " " + rs.getString(4), 1, Integer::sum);
                checked++;
            }
        }
        System.out.printf("CRL publisher killed %d times; %d stored CRLs checked: %s%n", KILLS, checked, perScope);
        assertThat(lastNumber).containsKey("server-ca/0");
    }

    // ---- helpers ----

    private static long storedCount() throws Exception {
        try (Connection c = TestEnvironment.connect(db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM crl")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static BigInteger newestNumber(String ca) throws Exception {
        try (Connection c = TestEnvironment.connect(db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT coalesce(max(c.crl_number), 0) FROM crl c JOIN ca ON ca.id = c.ca_id "
                     + "WHERE ca.name = '" + ca + "'")) {
            rs.next();
            return rs.getBigDecimal(1).toBigIntegerExact();
        }
    }

    /** The number of the complete CRL the running publisher serves for {@code ca} (0 if none). */
    private static BigInteger served(String ca) throws Exception {
        Path file = Files.createTempFile(tmp, ca, ".crl");
        PkiProcess.Result got = PkiProcess.tool(Map.of(), "curl", "-sf", "-o", file.toString(),
                "http://127.0.0.1:" + repositoryPort + "/crl/" + ca + ".crl");
        if (got.exit() != 0) {
            return BigInteger.ZERO;
        }
        return crlNumber((X509CRL) CertificateFactory.getInstance("X.509")
                .generateCRL(new ByteArrayInputStream(Files.readAllBytes(file))));
    }

    private static BigInteger crlNumber(X509CRL crl) {
        byte[] ext = crl.getExtensionValue(Extension.cRLNumber.getId());
        assertThat(ext).as("a CRL number").isNotNull();
        return ASN1Integer.getInstance(ASN1OctetString.getInstance(ext).getOctets()).getValue();
    }

    private static void awaitHealth(String expected) throws Exception {
        await("the publisher's /health says " + expected, () -> PkiProcess.tool(Map.of(), "curl", "-s",
                "http://127.0.0.1:" + repositoryPort + "/health").out().replace(" ", "").contains(expected));
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    private static void await(String what, Condition condition) throws Exception {
        await(what, 100, condition);
    }

    private static void await(String what, long pollMillis, Condition condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.holds()) {
            assertThat(System.nanoTime()).as(what + " within 60 s").isLessThan(deadline);
            Thread.sleep(pollMillis);
        }
    }
}
