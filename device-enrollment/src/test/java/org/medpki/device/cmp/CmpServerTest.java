package org.medpki.device.cmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.medpki.device.cmp.CmpTestSupport.cert;

import io.vertx.core.Vertx;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.cmp.CMPCertificate;
import org.bouncycastle.asn1.cmp.CMPObjectIdentifiers;
import org.bouncycastle.asn1.cmp.CertConfirmContent;
import org.bouncycastle.asn1.cmp.CertRepMessage;
import org.bouncycastle.asn1.cmp.CertStatus;
import org.bouncycastle.asn1.cmp.ErrorMsgContent;
import org.bouncycastle.asn1.cmp.GenMsgContent;
import org.bouncycastle.asn1.cmp.GenRepContent;
import org.bouncycastle.asn1.cmp.InfoTypeAndValue;
import org.bouncycastle.asn1.cmp.PKIBody;
import org.bouncycastle.asn1.cmp.PKIFailureInfo;
import org.bouncycastle.asn1.cmp.PKIHeader;
import org.bouncycastle.asn1.cmp.PKIHeaderBuilder;
import org.bouncycastle.asn1.cmp.PKIMessage;
import org.bouncycastle.asn1.cmp.PKIStatus;
import org.bouncycastle.asn1.cmp.PKIStatusInfo;
import org.bouncycastle.asn1.crmf.CertReqMessages;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.cmp.GeneralPKIMessage;
import org.bouncycastle.cert.cmp.ProtectedPKIMessage;
import org.bouncycastle.cert.cmp.ProtectedPKIMessageBuilder;
import org.bouncycastle.cert.crmf.CertificateRequestMessageBuilder;
import org.bouncycastle.cert.crmf.PKMACBuilder;
import org.bouncycastle.cert.crmf.jcajce.JcePKMACValuesCalculator;
import org.bouncycastle.operator.MacCalculator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.jcajce.JcePBMac1CalculatorBuilder;
import org.bouncycastle.pkcs.jcajce.JcePBMac1CalculatorProviderBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medpki.core.testpki.TestKeys;
import org.medpki.device.InMemoryDeviceEnrollment;
import org.medpki.listener.ListenerLimits;

/** The CMP server with a BouncyCastle client: what openssl 3.0 cannot send (PBMAC1, genm, rejections, bad headers). */
class CmpServerTest {
    static Vertx vertx;
    static InMemoryDeviceEnrollment enrollment;
    static CmpServer server;
    static String url;
    static X509Certificate signer;
    static X509Certificate cmpRoot;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    static final SecureRandom RANDOM = new SecureRandom();

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        enrollment = new InMemoryDeviceEnrollment();
        KeyPair cmpRootKey = TestKeys.freshEc("secp256r1");
        cmpRoot = cert("CN=CMP Test Root,O=Test Hospital", cmpRootKey, null, null, true);
        KeyPair signerKey = TestKeys.freshEc("secp256r1");
        signer = cert("CN=MedPKI CMP,O=Test Hospital", signerKey, cmpRoot, cmpRootKey, false);
        server = new CmpServer(vertx, enrollment, new CmpConfig("127.0.0.1", 0,
                new CmpSigner(new X509Certificate[] {signer, cmpRoot}, signerKey.getPrivate(), null),
                ListenerLimits.DEFAULTS));
        url = "http://127.0.0.1:" + server.start().await() + "/.well-known/cmp";
    }

    @AfterAll
    static void stop() {
        server.close();
        vertx.close().await();
    }

    // ------------------------------------------------------------------ client side

    static HttpResponse<byte[]> post(String path, String type, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (type != null) {
            b.header("Content-Type", type);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static PKIMessage exchange(PKIMessage request) throws Exception {
        HttpResponse<byte[]> r = post("", "application/pkixcmp", request.getEncoded());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/pkixcmp");
        return PKIMessage.getInstance(r.body());
    }

    static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    static ProtectedPKIMessageBuilder header(String kid, byte[] tid) {
        return new ProtectedPKIMessageBuilder(new GeneralName(new X500Name("CN=device")),
                new GeneralName(new X500Name("CN=MedPKI CMP,O=Test Hospital")))
                .setTransactionID(tid).setSenderNonce(random(16)).setSenderKID(kid.getBytes(StandardCharsets.US_ASCII))
                .setMessageTime(new Date());
    }

    static PKIBody ir(KeyPair key, boolean raVerified) throws Exception {
        CertificateRequestMessageBuilder b = new CertificateRequestMessageBuilder(BigInteger.ZERO)
                .setPublicKey(SubjectPublicKeyInfo.getInstance(key.getPublic().getEncoded()))
                .setSubject(new X500Name("CN=device"));
        if (raVerified) {
            b.setProofOfPossessionRaVerified();
        } else {
            b.setProofOfPossessionSigningKeySigner(new JcaContentSignerBuilder("SHA256withECDSA")
                    .setProvider(TestKeys.BC).build(key.getPrivate()));
        }
        return new PKIBody(PKIBody.TYPE_INIT_REQ, new CertReqMessages(b.build().toASN1Structure()));
    }

    static MacCalculator pbmac1(String secret) throws Exception {
        return new JcePBMac1CalculatorBuilder("HmacSHA256", 256).setProvider(TestKeys.BC).setIterationCount(1000)
                .build(secret.toCharArray());
    }

    static MacCalculator pbm(String secret) throws Exception {
        return new PKMACBuilder(new JcePKMACValuesCalculator().setProvider(TestKeys.BC)).build(secret.toCharArray());
    }

    static int failInfo(PKIMessage m) {
        assertThat(m.getBody().getType()).as("an error message").isEqualTo(PKIBody.TYPE_ERROR);
        PKIStatusInfo si = ErrorMsgContent.getInstance(m.getBody().getContent()).getPKIStatusInfo();
        assertThat(si.getStatus().intValue()).isEqualTo(PKIStatus.REJECTION);
        return si.getFailInfo().intValue();
    }

    static boolean macVerifies(PKIMessage m, String secret) throws Exception {
        ProtectedPKIMessage p = new ProtectedPKIMessage(new GeneralPKIMessage(m));
        return p.hasPasswordBasedMacProtection()
                && p.verify(new PKMACBuilder(new JcePKMACValuesCalculator().setProvider(TestKeys.BC)), secret.toCharArray())
                || p.getProtectionAlgorithm().getAlgorithm().equals(org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.id_PBMAC1)
                && p.verify(new JcePBMac1CalculatorProviderBuilder().setProvider(TestKeys.BC).build(), secret.toCharArray());
    }

    static X509CertificateHolder issued(PKIMessage ip) {
        CertRepMessage rep = CertRepMessage.getInstance(ip.getBody().getContent());
        return new X509CertificateHolder(rep.getResponse()[0].getCertifiedKeyPair().getCertOrEncCert()
                .getCertificate().getX509v3PKCert());
    }

    // ------------------------------------------------------------------ tests

    @Test
    void pbmac1IrWithImplicitConfirm() throws Exception {
        enrollment.register("DEV-200", "code-200");
        PKIMessage ip = exchange(header("DEV-200", random(16))
                .addGeneralInfo(new InfoTypeAndValue(CMPObjectIdentifiers.it_implicitConfirm, DERNull.INSTANCE))
                .setBody(ir(TestKeys.freshEc("secp256r1"), false)).build(pbmac1("code-200")).toASN1Structure());
        assertThat(ip.getBody().getType()).isEqualTo(PKIBody.TYPE_INIT_REP);
        assertThat(macVerifies(ip, "code-200")).isTrue();
        assertThat(macVerifies(ip, "code-201")).isFalse();
        assertThat(ip.getHeader().getGeneralInfo()).extracting(InfoTypeAndValue::getInfoType)
                .contains(CMPObjectIdentifiers.it_implicitConfirm);
        X509Certificate cert = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(issued(ip));
        assertThat(enrollment.device("DEV-200").certificates()).containsExactly(cert);
        // the chain in extraCerts, the root in caPubs
        assertThat(ip.getExtraCerts()).extracting(c -> c.getX509v3PKCert().getSerialNumber().getValue())
                .containsExactly(enrollment.issuingCa().getSerialNumber(), enrollment.root().getSerialNumber());
        assertThat(CertRepMessage.getInstance(ip.getBody().getContent()).getCaPubs()).hasSize(1);
        assertThat(server.responder().pendingTransactions()).isZero();
    }

    @Test
    void certConfThatRejectsRevokesTheCertificate() throws Exception {
        enrollment.register("DEV-201", "code-201");
        byte[] tid = random(16);
        PKIMessage ip = exchange(header("DEV-201", tid).setBody(ir(TestKeys.freshEc("secp256r1"), false))
                .build(pbm("code-201")).toASN1Structure());
        assertThat(ip.getBody().getType()).isEqualTo(PKIBody.TYPE_INIT_REP);
        assertThat(macVerifies(ip, "code-201")).isTrue();
        X509CertificateHolder cert = issued(ip);
        byte[] hash = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
        PKIBody reject = new PKIBody(PKIBody.TYPE_CERT_CONFIRM, CertConfirmContent.getInstance(new DERSequence(
                new CertStatus(hash, BigInteger.ZERO, new PKIStatusInfo(PKIStatus.rejection)))));
        // a certConf that does not echo the ip's nonce is refused, and the transaction stays
        PKIMessage wrongNonce = exchange(header("DEV-201", tid).setRecipNonce(random(16)).setBody(reject)
                .build(pbm("code-201")).toASN1Structure());
        assertThat(failInfo(wrongNonce) & PKIFailureInfo.badRecipientNonce).isNotZero();
        // a new ir in the same transaction is refused
        enrollment.register("DEV-202", "code-202");
        PKIMessage inUse = exchange(header("DEV-202", tid).setBody(ir(TestKeys.freshEc("secp256r1"), false))
                .build(pbm("code-202")).toASN1Structure());
        assertThat(failInfo(inUse) & PKIFailureInfo.transactionIdInUse).isNotZero();
        assertThat(enrollment.device("DEV-202").certificates()).isEmpty();

        PKIMessage conf = exchange(header("DEV-201", tid).setRecipNonce(ip.getHeader().getSenderNonce().getOctets())
                .setBody(reject).build(pbm("code-201")).toASN1Structure());
        assertThat(conf.getBody().getType()).isEqualTo(PKIBody.TYPE_CONFIRM);
        assertThat(macVerifies(conf, "code-201")).isTrue();
        assertThat(enrollment.isRevoked(cert.getSerialNumber())).isTrue();
        assertThat(server.responder().pendingTransactions()).isZero();
    }

    @Test
    void genmCaCertsRootCaCertAndUnknown() throws Exception {
        enrollment.register("DEV-203", "code-203");
        ASN1ObjectIdentifier unknown = new ASN1ObjectIdentifier("1.3.6.1.4.1.55555.99");
        PKIMessage genp = exchange(header("DEV-203", random(16)).setBody(new PKIBody(PKIBody.TYPE_GEN_MSG,
                new GenMsgContent(new InfoTypeAndValue[] {new InfoTypeAndValue(CMPObjectIdentifiers.id_it_caCerts),
                        new InfoTypeAndValue(CMPObjectIdentifiers.id_it_rootCaCert), new InfoTypeAndValue(unknown)})))
                .build(pbmac1("code-203")).toASN1Structure());
        assertThat(genp.getBody().getType()).isEqualTo(PKIBody.TYPE_GEN_REP);
        assertThat(macVerifies(genp, "code-203")).isTrue();
        InfoTypeAndValue[] items = GenRepContent.getInstance(genp.getBody().getContent()).toInfoTypeAndValueArray();
        assertThat(items).hasSize(3);
        assertThat(items[0].getInfoType()).isEqualTo(CMPObjectIdentifiers.id_it_caCerts);
        List<X509CertificateHolder> cas = java.util.Arrays.stream(ASN1Sequence.getInstance(items[0].getInfoValue()).toArray())
                .map(c -> new X509CertificateHolder(CMPCertificate.getInstance(c).getX509v3PKCert())).toList();
        assertThat(cas).extracting(h -> h.getSerialNumber())
                .containsExactly(enrollment.issuingCa().getSerialNumber(), enrollment.root().getSerialNumber());
        assertThat(items[1].getInfoType()).isEqualTo(CMPObjectIdentifiers.id_it_rootCaKeyUpdate);
        assertThat(items[1].getInfoValue()).isNull();
        assertThat(items[2].getInfoType()).isEqualTo(unknown);
        assertThat(items[2].getInfoValue()).isNull();
        // the code is not spent by a genm
        assertThat(enrollment.macSecret("DEV-203")).isPresent();
    }

    @Test
    void raVerifiedPopIsRefused() throws Exception {
        enrollment.register("DEV-204", "code-204");
        PKIMessage error = exchange(header("DEV-204", random(16)).setBody(ir(TestKeys.freshEc("secp256r1"), true))
                .build(pbm("code-204")).toASN1Structure());
        assertThat(failInfo(error) & PKIFailureInfo.badPOP).isNotZero();
        // the refusal is MAC-protected: the device could tell it from a forgery
        assertThat(macVerifies(error, "code-204")).isTrue();
        assertThat(enrollment.device("DEV-204").certificates()).isEmpty();
        assertThat(enrollment.macSecret("DEV-204")).isPresent();
    }

    @Test
    void unprotectedIrIsRefusedAndRecorded() throws Exception {
        enrollment.register("DEV-205", "code-205");
        PKIMessage ir = new PKIMessage(headerOnly(PKIHeader.CMP_2000, random(16), random(16), new Date(), "DEV-205"),
                ir(TestKeys.freshEc("secp256r1"), false));
        assertThat(failInfo(exchange(ir)) & PKIFailureInfo.badMessageCheck).isNotZero();
        assertThat(enrollment.failures).contains("cmp DEV-205: CMP request without protection");
        assertThat(enrollment.device("DEV-205").certificates()).isEmpty();
    }

    @Test
    void headerChecks() throws Exception {
        PKIBody genm = new PKIBody(PKIBody.TYPE_GEN_MSG, new GenMsgContent(new InfoTypeAndValue(
                CMPObjectIdentifiers.id_it_caCerts)));
        assertThat(failInfo(exchange(new PKIMessage(headerOnly(1, random(16), random(16), null, "x"), genm)))
                & PKIFailureInfo.unsupportedVersion).isNotZero();
        assertThat(failInfo(exchange(new PKIMessage(headerOnly(2, random(16), null, null, "x"), genm)))
                & PKIFailureInfo.badSenderNonce).isNotZero();
        assertThat(failInfo(exchange(new PKIMessage(headerOnly(2, null, random(16), null, "x"), genm)))
                & PKIFailureInfo.badRequest).isNotZero();
        Date hourAgo = new Date(System.currentTimeMillis() - 3_600_000);
        PKIMessage late = exchange(new PKIMessage(headerOnly(3, random(16), random(16), hourAgo, "x"), genm));
        assertThat(failInfo(late) & PKIFailureInfo.badTime).isNotZero();
        assertThat(late.getHeader().getPvno().intValueExact()).isEqualTo(3);
    }

    @Test
    void httpRefusals() throws Exception {
        byte[] body = new PKIMessage(headerOnly(2, random(16), random(16), null, "x"), new PKIBody(PKIBody.TYPE_GEN_MSG,
                new GenMsgContent(new InfoTypeAndValue(CMPObjectIdentifiers.id_it_caCerts)))).getEncoded();
        assertThat(post("", "text/plain", body).statusCode()).isEqualTo(415);
        assertThat(post("", "application/pkixcmp", new byte[70 * 1024]).statusCode()).isEqualTo(413);
        assertThat(post("/../other", "application/pkixcmp", body).statusCode()).isEqualTo(404);
        // the label form is accepted (one profile): a CMP answer, not an HTTP error
        assertThat(post("/p/devices", "application/pkixcmp", body).statusCode()).isEqualTo(200);
        assertThat(post("/p/devices/getcacerts", "application/pkixcmp", body).statusCode()).isEqualTo(200);
        assertThat(post("/initialization", "application/pkixcmp", body).statusCode()).isEqualTo(200);
        assertThat(post("/p/devices/other", "application/pkixcmp", body).statusCode()).isEqualTo(404);
        HttpResponse<byte[]> get = HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(get.statusCode()).isEqualTo(405);
    }

    @Test
    void hostileMacParametersAreRefusedBeforeAnyWork() throws Exception {
        enrollment.register("DEV-206", "code-206");
        MacCalculator expensive = new PKMACBuilder(new JcePKMACValuesCalculator().setProvider(TestKeys.BC))
                .setIterationCount(CmpProtection.Mac.MAX_ITERATIONS + 1).build("code-206".toCharArray());
        PKIMessage error = exchange(header("DEV-206", random(16)).setBody(ir(TestKeys.freshEc("secp256r1"), false))
                .build(expensive).toASN1Structure());
        assertThat(failInfo(error) & PKIFailureInfo.badAlg).isNotZero();
        assertThat(enrollment.device("DEV-206").certificates()).isEmpty();
        assertThat(enrollment.failures).anyMatch(f -> f.startsWith("cmp DEV-206: CMP MAC parameters refused"));
    }

    @Test
    void kurWithAMacAndCertConfWithoutTransactionAreRefused() throws Exception {
        enrollment.register("DEV-207", "code-207");
        PKIBody kur = new PKIBody(PKIBody.TYPE_KEY_UPDATE_REQ, ir(TestKeys.freshEc("secp256r1"), false).getContent());
        PKIMessage error = exchange(header("DEV-207", random(16)).setBody(kur).build(pbm("code-207")).toASN1Structure());
        assertThat(failInfo(error) & PKIFailureInfo.notAuthorized).isNotZero();
        assertThat(enrollment.device("DEV-207").certificates()).isEmpty();

        PKIBody conf = new PKIBody(PKIBody.TYPE_CERT_CONFIRM, CertConfirmContent.getInstance(new DERSequence(
                new CertStatus(new byte[32], BigInteger.ZERO))));
        PKIMessage none = exchange(header("DEV-207", random(16)).setRecipNonce(random(16)).setBody(conf)
                .build(pbm("code-207")).toASN1Structure());
        assertThat(failInfo(none) & PKIFailureInfo.badRequest).isNotZero();
    }

    @Test
    void pendingTransactionsAreBoundedInNumberAndTime() {
        var clock = new org.medpki.core.testpki.HandClock(java.time.Instant.now());
        CmpTransactions t = new CmpTransactions(2, Duration.ofMinutes(5), clock);
        CmpProtection.Mac mac = new CmpProtection.Mac(null, "secret".getBytes(StandardCharsets.UTF_8), null);
        t.put(new byte[] {1}, null, BigInteger.ZERO, new byte[1], mac, "a");
        t.put(new byte[] {2}, null, BigInteger.ZERO, new byte[1], mac, "b");
        t.put(new byte[] {3}, null, BigInteger.ZERO, new byte[1], mac, "c");
        assertThat(t.size()).isEqualTo(2);
        assertThat(t.inUse(new byte[] {1})).isFalse();
        assertThat(t.inUse(new byte[] {3})).isTrue();
        // a kept secret is a copy, wiped when its entry leaves
        CmpProtection.Mac kept = (CmpProtection.Mac) t.get(new byte[] {3}).protection();
        assertThat(kept.secret()).isNotSameAs(mac.secret());
        clock.advance(Duration.ofMinutes(6));
        assertThat(t.size()).isZero();
        assertThat(kept.secret()).containsOnly(0);
    }

    static PKIHeader headerOnly(int pvno, byte[] tid, byte[] nonce, Date time, String kid) {
        PKIHeaderBuilder h = new PKIHeaderBuilder(pvno, new GeneralName(new X500Name("CN=device")),
                new GeneralName(new X500Name("CN=MedPKI CMP")));
        if (tid != null) {
            h.setTransactionID(tid);
        }
        if (nonce != null) {
            h.setSenderNonce(nonce);
        }
        if (time != null) {
            h.setMessageTime(new org.bouncycastle.asn1.DERGeneralizedTime(time));
        }
        h.setSenderKID(kid.getBytes(StandardCharsets.US_ASCII));
        return h.build();
    }
}
