package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.util.Base64URL;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.operator.DigestCalculator;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults against a running 'pki up' on a PostgreSQL cluster of its own (the restart would hit
 * every test on the shared one): the database crashed and started again under ACME and OCSP
 * load (and a revocation afterwards reaching OCSP, whose LISTEN connection must come back), and a
 * flood of refused requests against the audit budget. One 'pki up' for both: the
 * budget's minute has to pass before the skipped entries are counted, and the restart fills it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PkiUpFaultTest {
    private static final String ERR = "urn:ietf:params:acme:error:";
    /** AcmeAudit.BUDGET_PER_MINUTE. */
    private static final int BUDGET = 20;
    private static final int FLOOD = 3 * BUDGET;
    private static final Duration OUTAGE = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path tmp;
    private DedicatedPostgres pg;
    private String db;
    private AcmeLab lab;
    private X509CertificateHolder issuer;
    private BigInteger issuedSerial;
    private Instant floodStarted;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final SecureRandom random = new SecureRandom();

    @BeforeAll
    void up() throws Exception {
        pg = DedicatedPostgres.start();
        db = pg.newDatabase("medpki_fault");
        // The loaders make many orders for one domain and account: lift the hourly limits.
        lab = new AcmeLab(tmp, db, Map.of(), Map.of("acme.yaml",
                "ordersPerAccountPerHour: 1000000\nordersPerNamePerHour: 1000000\n"));
    }

    @AfterAll
    void down() throws Exception {
        if (lab != null) {
            lab.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    @Order(1)
    void aFloodOfBadSignaturesWritesAtMostTheBudgetAndLegitimateRequestsStillWork() throws Exception {
        AcmeTestClient c = new AcmeTestClient(lab);
        floodStarted = Instant.now();
        for (int i = 0; i < FLOOD; i++) {
            AcmeTestClient.Reply r = c.raw(c.url("newAccount"), badSignature(c), "application/jose+json");
            assertThat(r.status()).as(r.toString()).isEqualTo(400);
            assertThat(r.problemType()).isEqualTo(ERR + "malformed");
        }
        assertThat(Duration.between(floodStarted, Instant.now())).as("the flood fits in the budget's minute")
                .isLessThan(Duration.ofSeconds(50));

        AcmeTestClient legitimate = new AcmeTestClient(lab);
        assertThat(legitimate.register(null, null).status()).isEqualTo(201);
        AcmeTestClient.Reply order = legitimate.post(legitimate.url("newOrder"), identifiers("flood.hospital.test"));
        assertThat(order.status()).as(order.toString()).isEqualTo(201);
        // The entries are written before the refusal is answered; the account's entry came after them.
        assertThat(badSignatureEntries()).as("audit entries for %d bad signatures", FLOOD).hasSize(BUDGET)
                .allSatisfy(details -> assertThat(details.has("skippedBefore")).isFalse());
    }

    @Test
    @Order(2)
    void aDatabaseCrashAndRestartUnderAcmeAndOcspLoadIsSurvivedWithoutAServerError() throws Exception {
        Path csr = Csrs.openssl(tmp, "ocsp-leaf", "ec:P-256", "/CN=fault.hospital.test", "DNS:fault.hospital.test");
        Path chain = tmp.resolve("ocsp-leaf-chain.pem");
        PkiProcess.Result issued = lab.pki.run("issue", "--profile", "tls-server", "--csr", csr.toString(), "--out",
                chain.toString());
        assertThat(issued.exit()).as(issued.toString()).isZero();
        issuedSerial = ((X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(chain)))).getSerialNumber();
        issuer = new X509CertificateHolder(((X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(Files.newInputStream(lab.pki.home().resolve("pki/server-ca.pem")))).getEncoded());

        List<Outcome> outcomes = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<AcmeTestClient> acmeClients = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            AcmeTestClient client = new AcmeTestClient(lab);
            assertThat(client.register(null, null).status()).isEqualTo(201);
            acmeClients.add(client);
        }
        ExecutorService loaders = Executors.newFixedThreadPool(5);
        List<Future<?>> running = new ArrayList<>();
        AtomicInteger names = new AtomicInteger();
        try {
            for (AcmeTestClient client : acmeClients) {
                running.add(loaders.submit(() -> {
                    while (!stop.get()) {
                        outcomes.add(acmeNewOrder(client, "load-" + names.incrementAndGet() + ".hospital.test"));
                    }
                    return null;
                }));
            }
            for (OcspKind kind : OcspKind.values()) {
                running.add(loaders.submit(() -> {
                    while (!stop.get()) {
                        outcomes.add(ocsp(kind));
                    }
                    return null;
                }));
            }
            Thread.sleep(2000);
            long crashedAt = System.nanoTime();
            pg.crash();
            Thread.sleep(OUTAGE.toMillis());
            pg.startServer();
            long restartedAt = System.nanoTime();

            // Recovered: the first moment at which both services answer a request that needs the database.
            AcmeTestClient probe = acmeClients.getFirst();
            long deadline = restartedAt + Duration.ofSeconds(90).toNanos();
            while (!(acmeNewOrder(probe, "probe.hospital.test").ok() && ocsp(OcspKind.NOT_IN_MEMORY).ok())) {
                assertThat(System.nanoTime()).as("ACME and OCSP answer within 90 s of the restart").isLessThan(deadline);
                Thread.sleep(200);
            }
            long recoveredAt = System.nanoTime();
            Thread.sleep(6000);
            stop.set(true);
            for (Future<?> f : running) {
                f.get(2 * REQUEST_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
            System.out.printf("database restart: recovered %d ms after the restart; %d requests; refused: %s%n",
                    (recoveredAt - restartedAt) / 1_000_000, outcomes.size(), outcomes.stream().filter(o -> !o.ok())
                            .collect(java.util.stream.Collectors.groupingBy(o -> o.what() + " "
                                    + o.detail().lines().findFirst().orElse(""), java.util.stream.Collectors.counting())));

            assertThat(lab.running()).as("pki up and all its services keep running").isTrue();
            for (Outcome o : outcomes) {
                assertThat(o.acceptable()).as("never a server error or a stack trace: %s", o).isTrue();
                if (o.endedNanos() < crashedAt) {
                    assertThat(o.ok()).as("before the crash: %s", o).isTrue();
                }
                if (o.startedNanos() > recoveredAt) {
                    assertThat(o.ok()).as("after recovery: %s", o).isTrue();
                }
            }
            for (String what : List.of("acme", "ocsp " + OcspKind.IN_MEMORY, "ocsp " + OcspKind.NOT_IN_MEMORY,
                    "ocsp " + OcspKind.NONCE)) {
                assertThat(outcomes).as(what + " answered after recovery")
                        .anyMatch(o -> o.what().equals(what) && o.startedNanos() > recoveredAt && o.ok());
            }
            assertThat(outcomes).as("the outage was felt: ACME refused while the database was away")
                    .anyMatch(o -> o.what().equals("acme") && !o.ok());

            // The responder follows revocations again: its LISTEN connection came back by itself.
            PkiProcess.Result revoked = lab.pki.run("revoke", issuedSerial.toString(16), "--reason", "keyCompromise");
            assertThat(revoked.exit()).as(revoked.toString()).isZero();
            long revokedDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!ocsp(OcspKind.IN_MEMORY).detail().endsWith("revoked")) {
                assertThat(System.nanoTime()).as("OCSP says revoked within 60 s").isLessThan(revokedDeadline);
                Thread.sleep(200);
            }
        } finally {
            stop.set(true);
            loaders.shutdownNow();
            loaders.awaitTermination(60, TimeUnit.SECONDS);
        }
    }

    @Test
    @Order(3)
    void afterTheBudgetsMinuteTheSkippedRefusalsAreCountedAndTheAuditChainVerifies() throws Exception {
        assertThat(floodStarted).as("the flood ran").isNotNull();
        Instant windowOver = floodStarted.plusSeconds(61);
        while (Instant.now().isBefore(windowOver)) {
            Thread.sleep(Math.max(1, Duration.between(Instant.now(), windowOver).toMillis()));
        }
        AcmeTestClient c = new AcmeTestClient(lab);
        AcmeTestClient.Reply r = c.raw(c.url("newAccount"), badSignature(c), "application/jose+json");
        assertThat(r.status()).as(r.toString()).isEqualTo(400);

        List<JsonNode> entries = badSignatureEntries();
        assertThat(entries).hasSize(BUDGET + 1);
        assertThat(entries.getLast().path("skippedBefore").asText()).as("the refusals not written, counted")
                .isEqualTo(Integer.toString(FLOOD - BUDGET));

        PkiProcess.Result verify = lab.pki.run("audit", "verify");
        assertThat(verify.exit()).as(verify.toString()).isZero();
    }

    // ---- ACME ----

    /** A newAccount request whose signature does not verify (one bit flipped). */
    private static String badSignature(AcmeTestClient c) throws Exception {
        JsonNode good = AcmeTestClient.JSON.readTree(c.jws(c.url("newAccount"), "{}", c.nonce()));
        byte[] sig = Base64URL.from(good.get("signature").asText()).decode();
        sig[5] ^= 0x40;
        return AcmeTestClient.flattened(good.get("protected").asText(), good.get("payload").asText(),
                Base64URL.encode(sig).toString());
    }

    /** The details of the audit entries for refused bad signatures, in order. */
    private List<JsonNode> badSignatureEntries() throws Exception {
        List<JsonNode> entries = new ArrayList<>();
        try (Connection c = TestEnvironment.connect(db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT details FROM audit_event WHERE type = 'acme.request_refused' "
                     + "ORDER BY seq")) {
            while (rs.next()) {
                JsonNode details = AcmeTestClient.JSON.readTree(rs.getString(1));
                if (details.path("reason").asText().equals("badSignature")) {
                    entries.add(details);
                }
            }
        }
        return entries;
    }

    /** What one request got: ok, an answer documented for an outage, or anything else (not acceptable). */
    record Outcome(String what, long startedNanos, long endedNanos, boolean ok, boolean acceptable, String detail) {
    }

    private Outcome acmeNewOrder(AcmeTestClient client, String name) {
        long started = System.nanoTime();
        try {
            AcmeTestClient.Reply r = client.post(client.url("newOrder"), identifiers(name));
            if (r.status() == 201) {
                return new Outcome("acme", started, System.nanoTime(), true, true, "201");
            }
            // While the database is away: serverInternal with Retry-After, nothing more told.
            boolean outage = r.status() == 500 && r.problemType().equals(ERR + "serverInternal")
                    && r.header("Retry-After") != null && !r.body().contains("Exception");
            return new Outcome("acme", started, System.nanoTime(), false, outage,
                    r.status() + " " + r.problemType() + " Retry-After " + r.header("Retry-After") + "\n" + r);
        } catch (Exception e) {
            return new Outcome("acme", started, System.nanoTime(), false, false, e.toString());
        }
    }

    private static String identifiers(String name) {
        return "{\"identifiers\":[{\"type\":\"dns\",\"value\":\"" + name + "\"}]}";
    }

    // ---- OCSP ----

    enum OcspKind {
        /** Answered from memory: never needs the database. */
        IN_MEMORY,
        /** A serial never issued: looked up in the database each time. */
        NOT_IN_MEMORY,
        /** With a nonce: signed on demand. */
        NONCE
    }

    private Outcome ocsp(OcspKind kind) {
        long started = System.nanoTime();
        String what = "ocsp " + kind;
        try {
            DigestCalculator sha1 = new JcaDigestCalculatorProviderBuilder().build()
                    .get(new AlgorithmIdentifier(OIWObjectIdentifiers.idSHA1, DERNull.INSTANCE));
            BigInteger serial = kind == OcspKind.NOT_IN_MEMORY ? new BigInteger(150, random) : issuedSerial;
            OCSPReqBuilder b = new OCSPReqBuilder().addRequest(new CertificateID(sha1, issuer, serial));
            if (kind == OcspKind.NONCE) {
                byte[] nonce = new byte[16];
                random.nextBytes(nonce);
                b.setRequestExtensions(new Extensions(new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false,
                        new DEROctetString(new DEROctetString(nonce)))));
            }
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(lab.ocspUrl()))
                    .timeout(REQUEST_TIMEOUT).header("Content-Type", "application/ocsp-request")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(b.build().getEncoded())).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                return new Outcome(what, started, System.nanoTime(), false, false, "HTTP " + r.statusCode());
            }
            OCSPResp response = new OCSPResp(r.body());
            int status = response.getStatus();
            String certStatus = "";
            if (status == OCSPResp.SUCCESSFUL) {
                Object s = ((BasicOCSPResp) response.getResponseObject()).getResponses()[0].getCertStatus();
                certStatus = s == null ? " good" : s instanceof RevokedStatus ? " revoked" : " unknown";
            }
            // While the database is away: tryLater (3), as README says.
            boolean ok = status == OCSPResp.SUCCESSFUL;
            return new Outcome(what, started, System.nanoTime(), ok, ok || status == OCSPResp.TRY_LATER,
                    "OCSP status " + status + certStatus);
        } catch (Exception e) {
            return new Outcome(what, started, System.nanoTime(), false, false, e.toString());
        }
    }
}
