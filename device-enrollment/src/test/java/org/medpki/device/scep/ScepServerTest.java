package org.medpki.device.scep;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Provider;
import java.security.Security;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.medpki.core.testpki.HandClock;
import org.medpki.device.InMemoryDeviceEnrollment;
import org.medpki.device.scep.ScepTestClient.CertRep;
import org.medpki.device.scep.ScepTestClient.Message;

/** The SCEP listener over the in-memory enrollment, driven by a BouncyCastle-built client. */
class ScepServerTest {
    static Vertx vertx;
    static KeyPair raKey;
    static X509Certificate ra;
    static KeyPair deviceKey;

    InMemoryDeviceEnrollment enrollment;
    ScepServer server;
    ScepTestClient client;
    int port;

    @BeforeAll
    static void ra() throws Exception {
        vertx = Vertx.vertx();
        raKey = ScepTestClient.rsa();
        ra = raCertificate(raKey, "SCEP RA");
        deviceKey = ScepTestClient.rsa();
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    @BeforeEach
    void start() {
        enrollment = new InMemoryDeviceEnrollment();
        enrollment.register("DEV-1", "code-one");
        server = new ScepServer(vertx, enrollment, ScepConfig.of("127.0.0.1", 0, ra, raKey.getPrivate(), null));
        port = server.start().await();
        client = new ScepTestClient(port);
    }

    @AfterEach
    void close() {
        server.close().await();
    }

    static X509Certificate raCertificate(KeyPair key, String cn) throws Exception {
        Date now = new Date();
        return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                new X500Name("CN=" + cn), BigInteger.TEN, new Date(now.getTime() - 60_000),
                new Date(now.getTime() + 86_400_000L), new X500Name("CN=" + cn), key.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(key.getPrivate())));
    }

    private Message pkcsReq(String transactionId, String code) throws Exception {
        return pkcsReq(transactionId, code, ScepTestClient.selfSigned(deviceKey, "device"));
    }

    private Message pkcsReq(String transactionId, String code, X509Certificate self) throws Exception {
        return ScepTestClient.message(ScepResponder.PKCS_REQ, transactionId, ScepTestClient.csr(deviceKey, code), ra,
                deviceKey.getPrivate(), self);
    }

    private CertRep send(Message m) throws Exception {
        HttpResponse<byte[]> r = client.post(m.der());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/x-pki-message");
        CertRep rep = ScepTestClient.certRep(r.body(), ra, deviceKey.getPrivate());
        assertThat(rep.transactionId()).isEqualTo(m.transactionId());
        assertThat(rep.recipientNonce()).isEqualTo(m.senderNonce());
        return rep;
    }

    @Test
    void capabilitiesOfferOnlyModernAlgorithms() throws Exception {
        HttpResponse<byte[]> r = client.get("operation=GetCACaps");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElseThrow()).startsWith("text/plain");
        assertThat(new String(r.body(), StandardCharsets.UTF_8).split("\n"))
                .containsExactly("AES", "POSTPKIOperation", "Renewal", "SHA-256", "SCEPStandard");
    }

    @Test
    void caCertificatesAreTheRaAndTheChain() throws Exception {
        HttpResponse<byte[]> r = client.get("operation=GetCACert");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/x-x509-ca-ra-cert");
        List<X509Certificate> certs = new ArrayList<>();
        for (Object h : new CMSSignedData(r.body()).getCertificates().getMatches(null)) {
            certs.add(new JcaX509CertificateConverter().getCertificate((X509CertificateHolder) h));
        }
        assertThat(certs).containsExactly(ra, enrollment.issuingCa(), enrollment.root());
    }

    @Test
    void pkcsReqWithTheCodeIssuesAndARetransmissionGetsTheSameCertificate() throws Exception {
        X509Certificate self = ScepTestClient.selfSigned(deviceKey, "device");
        CertRep rep = send(pkcsReq("tx-1", "code-one", self));
        assertThat(rep.status()).isEqualTo("0");
        assertThat(InMemoryDeviceEnrollment.serialNumberOf(rep.certificate().getSubjectX500Principal()))
                .isEqualTo("DEV-1");
        assertThat(rep.certificate().getPublicKey()).isEqualTo(deviceKey.getPublic());
        rep.certificate().verify(enrollment.issuingCa().getPublicKey());

        // The answer was lost: the same request again (new nonce) gets the same certificate.
        CertRep again = send(pkcsReq("tx-1", "code-one", self));
        assertThat(again.status()).isEqualTo("0");
        assertThat(again.certificate()).isEqualTo(rep.certificate());
        Message poll = ScepTestClient.message(ScepResponder.CERT_POLL, "tx-1", new byte[] {0x30, 0x00}, ra,
                deviceKey.getPrivate(), ScepTestClient.selfSigned(deviceKey, "device"));
        // Another self-signed certificate is another signer: no answer for it.
        assertThat(send(poll).failInfo()).isEqualTo("4");
        assertThat(enrollment.device("DEV-1").certificates()).hasSize(1);
    }

    @Test
    void certPollOfTheSameSignerOverGetFindsTheCertificate() throws Exception {
        X509Certificate self = ScepTestClient.selfSigned(deviceKey, "device");
        Message req = ScepTestClient.message(ScepResponder.PKCS_REQ, "tx-poll", ScepTestClient.csr(deviceKey, "code-one"),
                ra, deviceKey.getPrivate(), self);
        CertRep issued = send(req);
        Message poll = ScepTestClient.message(ScepResponder.CERT_POLL, "tx-poll", new byte[] {0x30, 0x00}, ra,
                deviceKey.getPrivate(), self);
        HttpResponse<byte[]> r = client.get("operation=PKIOperation&message="
                + java.net.URLEncoder.encode(Base64.getEncoder().encodeToString(poll.der()), StandardCharsets.US_ASCII));
        assertThat(r.statusCode()).isEqualTo(200);
        CertRep polled = ScepTestClient.certRep(r.body(), ra, deviceKey.getPrivate());
        assertThat(polled.status()).isEqualTo("0");
        assertThat(polled.certificate()).isEqualTo(issued.certificate());
        assertThat(polled.recipientNonce()).isEqualTo(poll.senderNonce());
    }

    @Test
    void unknownTransactionIsBadCertId() throws Exception {
        Message poll = ScepTestClient.message(ScepResponder.CERT_POLL, "never-seen", new byte[] {0x30, 0x00}, ra,
                deviceKey.getPrivate(), ScepTestClient.selfSigned(deviceKey, "device"));
        CertRep rep = send(poll);
        assertThat(rep.status()).isEqualTo("2");
        assertThat(rep.failInfo()).isEqualTo("4");
    }

    @Test
    void wrongChallengeIsBadRequestAndRecorded() throws Exception {
        CertRep rep = send(pkcsReq("tx-wrong", "not-the-code"));
        assertThat(rep.status()).isEqualTo("2");
        assertThat(rep.failInfo()).isEqualTo("2");
        assertThat(rep.certificate()).isNull();
        assertThat(enrollment.failures).hasSize(1).allSatisfy(f -> assertThat(f).startsWith("scep ")
                .doesNotContain("not-the-code"));
        assertThat(enrollment.device("DEV-1").certificates()).isEmpty();
    }

    @Test
    void pkcsReqWithoutChallengeIsRefused() throws Exception {
        CertRep rep = send(pkcsReq("tx-none", null));
        assertThat(rep.failInfo()).isEqualTo("2");
        assertThat(enrollment.failures).hasSize(1);
        assertThat(enrollment.device("DEV-1").certificates()).isEmpty();
    }

    @Test
    void signatureThatDoesNotVerifyIsBadMessageCheck() throws Exception {
        // Signed by another key than the certificate presented.
        KeyPair other = ScepTestClient.rsa();
        Message forged = ScepTestClient.message(ScepResponder.PKCS_REQ, "tx-forged",
                ScepTestClient.csr(deviceKey, "code-one"), ra, other.getPrivate(),
                ScepTestClient.selfSigned(deviceKey, "device"));
        CertRep rep = send(forged);
        assertThat(rep.status()).isEqualTo("2");
        assertThat(rep.failInfo()).isEqualTo("1");
        assertThat(enrollment.failures).singleElement().asString().contains("signature");
        // The code was not spent: the genuine request still enrolls.
        assertThat(send(pkcsReq("tx-genuine", "code-one")).status()).isEqualTo("0");
    }

    @Test
    void csrForAnotherKeyThanTheSignerIsRefused() throws Exception {
        KeyPair other = ScepTestClient.rsa();
        Message m = ScepTestClient.message(ScepResponder.PKCS_REQ, "tx-swap", ScepTestClient.csr(other, "code-one"),
                ra, deviceKey.getPrivate(), ScepTestClient.selfSigned(deviceKey, "device"));
        assertThat(send(m).failInfo()).isEqualTo("2");
        assertThat(enrollment.device("DEV-1").certificates()).isEmpty();
    }

    @Test
    void envelopeForAnotherRaIsBadMessageCheck() throws Exception {
        KeyPair otherRaKey = ScepTestClient.rsa();
        Message m = ScepTestClient.message(ScepResponder.PKCS_REQ, "tx-other-ra",
                ScepTestClient.csr(deviceKey, "code-one"), raCertificate(otherRaKey, "Other RA"),
                deviceKey.getPrivate(), ScepTestClient.selfSigned(deviceKey, "device"));
        CertRep rep = send(m);
        assertThat(rep.failInfo()).isEqualTo("1");
        assertThat(enrollment.device("DEV-1").certificates()).isEmpty();
    }

    @Test
    void renewalSignedByACertificateOfAnotherCaIsRefused() throws Exception {
        X509Certificate notOurs = ScepTestClient.selfSigned(deviceKey, "device");
        Message m = ScepTestClient.message(ScepResponder.RENEWAL_REQ, "tx-renew", ScepTestClient.csr(deviceKey, null),
                ra, deviceKey.getPrivate(), notOurs);
        CertRep rep = send(m);
        assertThat(rep.failInfo()).isEqualTo("2");
        assertThat(enrollment.failures).singleElement().asString().contains("RenewalReq");
    }

    @Test
    void unsupportedMessageTypeIsBadRequest() throws Exception {
        Message getCrl = ScepTestClient.message(22, "tx-crl", new byte[] {0x30, 0x00}, ra, deviceKey.getPrivate(),
                ScepTestClient.selfSigned(deviceKey, "device"));
        assertThat(send(getCrl).failInfo()).isEqualTo("2");
    }

    @Test
    void malformedInputIsA400WithAShortReason() throws Exception {
        for (byte[] body : List.of(new byte[] {0x30, (byte) 0x82, 0x10}, "hello".getBytes(StandardCharsets.US_ASCII),
                new byte[0])) {
            HttpResponse<byte[]> r = client.post(body);
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.headers().firstValue("content-type").orElseThrow()).startsWith("text/plain");
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("SignedData").doesNotContain("Exception");
        }
        // A valid request with a byte appended is not a pkiMessage either.
        byte[] valid = pkcsReq("tx-trailing", "code-one").der();
        byte[] trailing = java.util.Arrays.copyOf(valid, valid.length + 1);
        assertThat(client.post(trailing).statusCode()).isEqualTo(400);
        assertThat(client.post(pkcsReq("tx\nforged log line", "code-one").der()).statusCode()).isEqualTo(400);
        assertThat(client.get("operation=PKIOperation&message=%25%25").statusCode()).isEqualTo(400);
        assertThat(client.get("operation=Nonsense").statusCode()).isEqualTo(400);
        assertThat(rawStatusLine("/scep?operation=PKIOperation&message=%%%")).contains(" 400 ");
        assertThat(client.get("").statusCode()).isEqualTo(400);
        assertThat(enrollment.device("DEV-1").certificates()).isEmpty();
    }

    /** A request line java.net.http refuses to send (a bad percent escape), over a plain socket. */
    private String rawStatusLine(String target) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).lines().findFirst()
                    .orElse("");
        }
    }

    @Test
    void answersAreKeptForTheirTimeAndUpToTheirNumber() {
        HandClock clock = new HandClock(java.time.Instant.parse("2026-01-01T00:00:00Z"));
        ScepTransactions kept = new ScepTransactions(java.time.Duration.ofMinutes(30), 2, clock);
        kept.put("a", ra);
        clock.advance(java.time.Duration.ofMinutes(29));
        assertThat(kept.find("a")).hasValue(ra);
        clock.advance(java.time.Duration.ofMinutes(1));
        assertThat(kept.find("a")).isEmpty();
        kept.put("b", ra);
        kept.put("c", ra);
        kept.put("d", ra);
        assertThat(kept.size()).isEqualTo(2);
        assertThat(kept.find("b")).isEmpty();
        assertThat(kept.find("d")).hasValue(ra);
        // Expired entries go when the next one comes, not only when the map is full.
        clock.advance(java.time.Duration.ofHours(1));
        kept.put("e", ra);
        assertThat(kept.size()).isEqualTo(1);
    }

    @Test
    void bodyOverTheLimitIs413() throws Exception {
        HttpResponse<byte[]> r = client.post(new byte[ScepConfig.DEFAULT_MAX_BODY_BYTES + 1]);
        assertThat(r.statusCode()).isEqualTo(413);
    }

    /**
     * The RA key in a PKCS#11 token (SoftHSM2 through SunPKCS11, as the wiring gives it from the
     * HSM): not extractable, so the envelope's key transport and the CertRep's signature can only
     * have happened in the token.
     */
    @Test
    void raKeyInAPkcs11Token() throws Exception {
        String module = environment("PKI_TEST_SOFTHSM_MODULE");
        String pin = environment("PKI_TEST_TOKEN_PIN");
        environment("SOFTHSM2_CONF");
        Provider token = Security.getProvider("SunPKCS11").configure("--name=scep-ra-test\nlibrary=" + module
                + "\nslot=" + slotOf("medpki-test") + "\nattributes(generate,CKO_PRIVATE_KEY,*) = {\n  CKA_TOKEN = false\n"
                + "  CKA_SENSITIVE = true\n  CKA_EXTRACTABLE = false\n}\n");
        KeyStore.getInstance("PKCS11", token).load(null, pin.toCharArray());
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA", token);
        generator.initialize(2048);
        KeyPair hsmKey = generator.generateKeyPair();
        assertThat(hsmKey.getPrivate().getEncoded()).isNull();
        Date now = new Date();
        X509Certificate hsmRa = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                new X500Name("CN=SCEP RA in the HSM"), BigInteger.TWO, new Date(now.getTime() - 60_000),
                new Date(now.getTime() + 86_400_000L), new X500Name("CN=SCEP RA in the HSM"), hsmKey.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").setProvider(token).build(hsmKey.getPrivate())));

        ScepServer hsmServer = new ScepServer(vertx, enrollment,
                ScepConfig.of("127.0.0.1", 0, hsmRa, hsmKey.getPrivate(), token));
        try {
            ScepTestClient hsmClient = new ScepTestClient(hsmServer.start().await());
            Message m = ScepTestClient.message(ScepResponder.PKCS_REQ, "tx-hsm", ScepTestClient.csr(deviceKey, "code-one"),
                    hsmRa, deviceKey.getPrivate(), ScepTestClient.selfSigned(deviceKey, "device"));
            HttpResponse<byte[]> r = hsmClient.post(m.der());
            assertThat(r.statusCode()).isEqualTo(200);
            CertRep rep = ScepTestClient.certRep(r.body(), hsmRa, deviceKey.getPrivate());
            assertThat(rep.status()).isEqualTo("0");
            assertThat(InMemoryDeviceEnrollment.serialNumberOf(rep.certificate().getSubjectX500Principal()))
                    .isEqualTo("DEV-1");
        } finally {
            hsmServer.close().await();
        }
    }

    /** SunPKCS11 names a slot, not a label: the slot of the token, as softhsm2-util lists it. */
    private static long slotOf(String label) throws Exception {
        Process p = new ProcessBuilder("softhsm2-util", "--show-slots").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        Long slot = null;
        for (String line : out.split("\n")) {
            if (line.startsWith("Slot ")) {
                slot = Long.parseLong(line.substring(5).trim());
            } else if (line.trim().startsWith("Label:") && line.trim().substring(6).trim().equals(label)) {
                return slot;
            }
        }
        throw new IllegalStateException("no SoftHSM2 token labelled " + label + ":\n" + out);
    }

    private static String environment(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank() || value.startsWith("${")) {
            throw new IllegalStateException(name + " is not set: this test needs the SoftHSM2 token that ops/test"
                    + " makes; run it through ops/test -pl device-enrollment -am");
        }
        return value;
    }
}
