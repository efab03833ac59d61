package org.medpki.device.cmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.medpki.device.cmp.CmpTestSupport.cert;
import static org.medpki.device.cmp.CmpTestSupport.keyPem;
import static org.medpki.device.cmp.CmpTestSupport.pem;
import static org.medpki.device.cmp.CmpTestSupport.readPem;
import static org.medpki.device.cmp.CmpTestSupport.run;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medpki.core.testpki.TestKeys;
import org.medpki.device.InMemoryDeviceEnrollment;
import org.medpki.device.cmp.CmpTestSupport.Result;
import org.medpki.listener.ListenerLimits;

/** The CMP server with the real client, openssl cmp (OpenSSL 3.0), over the in-memory enrollment. */
class CmpOpensslTest {
    static Vertx vertx;
    static InMemoryDeviceEnrollment enrollment;
    static CmpServer server;
    static int port;
    @TempDir
    static Path dir;
    static KeyPair manufacturerKey;
    static X509Certificate manufacturer;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        enrollment = new InMemoryDeviceEnrollment();
        KeyPair cmpRootKey = TestKeys.freshEc("secp256r1");
        X509Certificate cmpRoot = cert("CN=CMP Test Root,O=Test Hospital", cmpRootKey, null, null, true);
        KeyPair signerKey = TestKeys.freshEc("secp256r1");
        X509Certificate signer = cert("CN=MedPKI CMP,O=Test Hospital", signerKey, cmpRoot, cmpRootKey, false);
        server = new CmpServer(vertx, enrollment, new CmpConfig("127.0.0.1", 0,
                new CmpSigner(new X509Certificate[] {signer, cmpRoot}, signerKey.getPrivate(), null),
                ListenerLimits.DEFAULTS));
        port = server.start().await();
        Files.writeString(dir.resolve("cmproot.pem"), pem(cmpRoot));
        Files.writeString(dir.resolve("root.pem"), pem(enrollment.root()));
        Files.writeString(dir.resolve("issuing.pem"), pem(enrollment.issuingCa()));
        manufacturerKey = TestKeys.freshEc("secp256r1");
        manufacturer = cert("CN=Manufacturer CA,O=Devices Inc", manufacturerKey, null, null, true);
        enrollment.trustManufacturer(manufacturer);
    }

    @AfterAll
    static void stop() {
        server.close();
        vertx.close().await();
    }

    private static Path key(String name) throws Exception {
        Path p = dir.resolve(name);
        if (!Files.exists(p)) {
            Files.writeString(p, keyPem(TestKeys.freshEc("secp256r1")));
        }
        return p;
    }

    private static Result cmp(String... args) throws Exception {
        List<String> c = new ArrayList<>(List.of("openssl", "cmp", "-server", "127.0.0.1:" + port,
                "-path", ".well-known/cmp", "-msg_timeout", "20", "-total_timeout", "25"));
        c.addAll(List.of(args));
        return run(dir, c.toArray(String[]::new));
    }

    private static Result irWithCode(String serial, String code, String keyFile, String out) throws Exception {
        return cmp("-cmd", "ir", "-ref", serial, "-secret", "pass:" + code, "-newkey", key(keyFile).toString(),
                "-subject", "/CN=device", "-certout", out, "-cacertsout", out + ".cacerts");
    }

    @Test
    void irWithTheEnrollmentCodeThenKurThenRr() throws Exception {
        enrollment.register("DEV-100", "code-100-abc");
        Result ir = irWithCode("DEV-100", "code-100-abc", "k100.pem", "c100.pem");
        assertThat(ir.exit()).as(ir.output()).isZero();
        X509Certificate issued = readPem(dir.resolve("c100.pem"));
        assertThat(enrollment.device("DEV-100").certificates()).containsExactly(issued);
        assertThat(InMemoryDeviceEnrollment.serialNumberOf(issued.getSubjectX500Principal())).isEqualTo("DEV-100");
        Result verify = run(dir, "openssl", "verify", "-CAfile", "root.pem", "-untrusted", "issuing.pem", "c100.pem");
        assertThat(verify.exit()).as(verify.output()).isZero();
        // caPubs of a MAC-protected ip: the root
        assertThat(readPem(dir.resolve("c100.pem.cacerts"))).isEqualTo(enrollment.root());
        // openssl confirmed: nothing is left pending
        assertThat(server.responder().pendingTransactions()).isZero();

        Result kur = cmp("-cmd", "kur", "-cert", "c100.pem", "-key", key("k100.pem").toString(),
                "-newkey", key("k100b.pem").toString(), "-certout", "c100b.pem", "-trusted", "cmproot.pem");
        assertThat(kur.exit()).as(kur.output()).isZero();
        X509Certificate renewed = readPem(dir.resolve("c100b.pem"));
        assertThat(enrollment.device("DEV-100").certificates()).containsExactly(issued, renewed);
        assertThat(enrollment.isRevoked(issued.getSerialNumber())).isTrue();
        assertThat(server.responder().pendingTransactions()).isZero();

        Result rr = cmp("-cmd", "rr", "-oldcert", "c100b.pem", "-cert", "c100b.pem", "-key",
                key("k100b.pem").toString(), "-revreason", "1", "-trusted", "cmproot.pem");
        assertThat(rr.exit()).as(rr.output()).isZero();
        assertThat(enrollment.isRevoked(renewed.getSerialNumber())).isTrue();
    }

    @Test
    void crAndP10crWithTheEnrollmentCode() throws Exception {
        enrollment.register("DEV-107", "code-107");
        Result cr = cmp("-cmd", "cr", "-ref", "DEV-107", "-secret", "pass:code-107", "-newkey",
                key("k107.pem").toString(), "-subject", "/CN=device", "-certout", "c107.pem");
        assertThat(cr.exit()).as(cr.output()).isZero();
        assertThat(enrollment.device("DEV-107").certificates()).containsExactly(readPem(dir.resolve("c107.pem")));

        enrollment.register("DEV-108", "code-108");
        Result csr = run(dir, "openssl", "req", "-new", "-key", key("k108.pem").toString(), "-subj", "/CN=device",
                "-out", "r108.csr");
        assertThat(csr.exit()).as(csr.output()).isZero();
        Result p10 = cmp("-cmd", "p10cr", "-ref", "DEV-108", "-secret", "pass:code-108", "-csr", "r108.csr",
                "-certout", "c108.pem");
        assertThat(p10.exit()).as(p10.output()).isZero();
        assertThat(enrollment.device("DEV-108").certificates()).containsExactly(readPem(dir.resolve("c108.pem")));
    }

    @Test
    void irWithImplicitConfirm() throws Exception {
        enrollment.register("DEV-101", "code-101");
        Result ir = cmp("-cmd", "ir", "-ref", "DEV-101", "-secret", "pass:code-101", "-newkey",
                key("k101.pem").toString(), "-subject", "/CN=device", "-certout", "c101.pem", "-implicit_confirm");
        assertThat(ir.exit()).as(ir.output()).isZero();
        assertThat(enrollment.device("DEV-101").certificates()).containsExactly(readPem(dir.resolve("c101.pem")));
        assertThat(server.responder().pendingTransactions()).isZero();
    }

    @Test
    void irWithTheManufacturerCertificate() throws Exception {
        enrollment.register("DEV-102", null);
        KeyPair idevidKey = TestKeys.freshEc("secp256r1");
        X509Certificate idevid = cert("SERIALNUMBER=DEV-102,CN=Pump,O=Devices Inc", idevidKey, manufacturer,
                manufacturerKey, false);
        Files.writeString(dir.resolve("idevid.pem"), pem(idevid));
        Files.writeString(dir.resolve("idevid.key"), keyPem(idevidKey));
        Result ir = cmp("-cmd", "ir", "-cert", "idevid.pem", "-key", "idevid.key", "-newkey",
                key("k102.pem").toString(), "-subject", "/CN=device", "-certout", "c102.pem", "-trusted", "cmproot.pem");
        assertThat(ir.exit()).as(ir.output()).isZero();
        assertThat(enrollment.device("DEV-102").certificates()).containsExactly(readPem(dir.resolve("c102.pem")));
    }

    @Test
    void wrongSecretIsRefusedAndRecorded() throws Exception {
        enrollment.register("DEV-103", "right-code");
        Result ir = irWithCode("DEV-103", "wrong-code", "k103.pem", "c103.pem");
        assertThat(ir.exit()).as(ir.output()).isNotZero();
        // the refusal cannot be MAC-protected with a secret the client does not have: unprotected
        assertThat(ir.output()).contains("missing protection");
        Result shown = cmp("-cmd", "ir", "-ref", "DEV-103", "-secret", "pass:wrong-code", "-newkey",
                key("k103.pem").toString(), "-subject", "/CN=device", "-certout", "c103.pem", "-unprotected_errors");
        assertThat(shown.exit()).isNotZero();
        assertThat(shown.output()).contains("badMessageCheck", "MAC-based protection does not verify");
        assertThat(ir.output()).doesNotContain("right-code");
        assertThat(Files.exists(dir.resolve("c103.pem"))).isFalse();
        assertThat(enrollment.device("DEV-103").certificates()).isEmpty();
        assertThat(enrollment.failures).contains("cmp DEV-103: CMP MAC does not verify");
        // the code still works afterwards
        Result right = irWithCode("DEV-103", "right-code", "k103.pem", "c103.pem");
        assertThat(right.exit()).as(right.output()).isZero();
    }

    @Test
    void unknownReferenceIsRefused() throws Exception {
        Result ir = irWithCode("NO-SUCH-DEVICE", "whatever", "k104.pem", "c104.pem");
        assertThat(ir.exit()).as(ir.output()).isNotZero();
        assertThat(Files.exists(dir.resolve("c104.pem"))).isFalse();
        assertThat(enrollment.failures).contains("cmp NO-SUCH-DEVICE: CMP MAC for a device without a usable enrollment code");
    }

    @Test
    void aSpentCodeIsRefused() throws Exception {
        enrollment.register("DEV-105", "once-only");
        assertThat(irWithCode("DEV-105", "once-only", "k105.pem", "c105.pem").exit()).isZero();
        Result again = irWithCode("DEV-105", "once-only", "k105b.pem", "c105b.pem");
        assertThat(again.exit()).as(again.output()).isNotZero();
        assertThat(Files.exists(dir.resolve("c105b.pem"))).isFalse();
        assertThat(enrollment.device("DEV-105").certificates()).hasSize(1);
    }

    @Test
    void kurWithACertificateNotFromThisCaIsRefused() throws Exception {
        enrollment.register("DEV-106", null);
        // openssl leaves self-signed certificates out of extraCerts: a leaf of another CA
        KeyPair otherCaKey = TestKeys.freshEc("secp256r1");
        X509Certificate otherCa = cert("CN=MedPKI Test server-ca,O=Test Hospital,C=DE", otherCaKey, null, null, true);
        KeyPair k = TestKeys.freshEc("secp256r1");
        X509Certificate foreign = cert("SERIALNUMBER=DEV-106,O=Test Hospital", k, otherCa, otherCaKey, false);
        Files.writeString(dir.resolve("foreign.pem"), pem(foreign));
        Files.writeString(dir.resolve("foreign.key"), keyPem(k));
        Result kur = cmp("-cmd", "kur", "-cert", "foreign.pem", "-key", "foreign.key", "-newkey",
                key("k106.pem").toString(), "-certout", "c106.pem", "-trusted", "cmproot.pem");
        assertThat(kur.exit()).as(kur.output()).isNotZero();
        assertThat(kur.output()).contains("not issued by this CA");
        assertThat(Files.exists(dir.resolve("c106.pem"))).isFalse();
        assertThat(enrollment.device("DEV-106").certificates()).isEmpty();
    }

    @Test
    void malformedBodyGets400WithoutStackTrace() throws Exception {
        Files.writeString(dir.resolve("garbage.bin"), "this is not DER at all");
        Result curl = run(dir, "curl", "-sS", "-o", "answer.bin", "-w", "%{http_code}", "-H",
                "Content-Type: application/pkixcmp", "--data-binary", "@garbage.bin",
                "http://127.0.0.1:" + port + "/.well-known/cmp");
        assertThat(curl.output()).isEqualTo("400");
        byte[] body = Files.readAllBytes(dir.resolve("answer.bin"));
        var msg = org.bouncycastle.asn1.cmp.PKIMessage.getInstance(body);
        assertThat(msg.getBody().getType()).isEqualTo(org.bouncycastle.asn1.cmp.PKIBody.TYPE_ERROR);
        assertThat(new String(body, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("Exception", "at org.");
    }
}
