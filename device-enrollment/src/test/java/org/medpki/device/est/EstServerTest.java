package org.medpki.device.est;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.revocation.RevocationReason;
import org.medpki.core.testpki.TestKeys;
import org.medpki.device.DeviceEnrollment;
import org.medpki.device.InMemoryDeviceEnrollment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the EST server refuses, asked with curl: status, reason, and that nothing was issued. */
class EstServerTest {
    @TempDir
    static Path dir;
    static EstFixture est;

    @BeforeAll
    static void start() throws Exception {
        est = new EstFixture(dir);
    }

    @AfterAll
    static void stop() throws Exception {
        est.close();
    }

    /** A base64 PKCS#10 request in a file, as curl sends it. */
    private static Path csrFile(String name) throws Exception {
        return est.write(name, Base64.getMimeEncoder().encodeToString(EstFixture.request("CN=device").csr().getEncoded()));
    }

    private static EstFixture.Answer enroll(String userPassword, Path body, String... more) throws Exception {
        List<String> options = new ArrayList<>(List.of("-H", "Content-Type: application/pkcs10",
                "--data-binary", "@" + body));
        if (userPassword != null) {
            options.addAll(List.of("-u", userPassword));
        }
        options.addAll(List.of(more));
        return est.curl("simpleenroll", options.toArray(String[]::new));
    }

    private static int failures() {
        return est.registry.failures.size();
    }

    @Test
    void withoutCredentialsTheAnswerIsABasicChallenge() throws Exception {
        int before = failures();
        EstFixture.Answer a = enroll(null, csrFile("plain.b64"));
        assertThat(a.status()).isEqualTo(401);
        assertThat(a.headers()).containsIgnoringCase("www-authenticate: Basic realm=\"" + EstServer.REALM + "\"");
        assertThat(a.body()).isEmpty();
        assertThat(failures()).as("a challenge is no failed authentication").isEqualTo(before);
    }

    @Test
    void aWrongCodeIsRefusedAndRecordedWithoutTheCode() throws Exception {
        InMemoryDeviceEnrollment.Device device = est.registry.register("WRONG-1", "right-code-7731");
        EstFixture.Answer a = enroll("WRONG-1:wrong-code-0000", csrFile("wrong.b64"));
        assertThat(a.status()).isEqualTo(401);
        assertThat(a.headers()).containsIgnoringCase("www-authenticate: Basic");
        assertThat(a.text()).doesNotContain("wrong-code-0000").doesNotContain("right-code-7731")
                .doesNotContain("Exception");
        assertThat(est.registry.failures).anyMatch(f -> f.startsWith("est WRONG-1"));
        assertThat(est.registry.failures).noneMatch(f -> f.contains("wrong-code-0000"));
        assertThat(device.certificates()).isEmpty();
        // The right code still works: a refusal spends nothing.
        assertThat(enroll("WRONG-1:right-code-7731", csrFile("right.b64")).status()).isEqualTo(200);
        assertThat(device.certificates()).hasSize(1);
    }

    @Test
    void aCodeWorksOnce() throws Exception {
        InMemoryDeviceEnrollment.Device device = est.registry.register("ONCE-1", "once-code-1");
        assertThat(enroll("ONCE-1:once-code-1", csrFile("once1.b64")).status()).isEqualTo(200);
        EstFixture.Answer again = enroll("ONCE-1:once-code-1", csrFile("once2.b64"));
        assertThat(again.status()).isEqualTo(401);
        assertThat(device.certificates()).hasSize(1);
    }

    @Test
    void anotherDevicesCodeIsRefused() throws Exception {
        InMemoryDeviceEnrollment.Device a = est.registry.register("DEV-A", "code-of-a");
        InMemoryDeviceEnrollment.Device b = est.registry.register("DEV-B", "code-of-b");
        EstFixture.Answer answer = enroll("DEV-A:code-of-b", csrFile("other.b64"));
        assertThat(answer.status()).isEqualTo(401);
        assertThat(a.certificates()).isEmpty();
        assertThat(b.certificates()).isEmpty();
        assertThat(est.registry.failures).anyMatch(f -> f.startsWith("est DEV-A"));
    }

    @Test
    void malformedBodiesAreBadRequestsAndSpendNothing() throws Exception {
        InMemoryDeviceEnrollment.Device device = est.registry.register("BAD-1", "bad-code-1");
        EstFixture.Answer notBase64 = enroll("BAD-1:bad-code-1", est.write("junk.b64", "this is *not* base64!"));
        assertThat(notBase64.status()).isEqualTo(400);
        assertThat(notBase64.headers()).containsIgnoringCase("content-type: text/plain");
        assertThat(notBase64.text()).contains("not base64");

        EstFixture.Answer notDer = enroll("BAD-1:bad-code-1", est.write("notder.b64", "MIIBAAAA"));
        assertThat(notDer.status()).isEqualTo(400);
        assertThat(notDer.text()).contains("PKCS#10");

        byte[] csr = EstFixture.request("CN=device").csr().getEncoded();
        csr[csr.length - 5] ^= 0x01; // inside the signature
        EstFixture.Answer badSignature = enroll("BAD-1:bad-code-1",
                est.write("badsig.b64", Base64.getEncoder().encodeToString(csr)));
        assertThat(badSignature.status()).isEqualTo(400);
        assertThat(badSignature.text()).contains("signature does not verify");

        EstFixture.Answer wrongType = est.curl("simpleenroll", "-u", "BAD-1:bad-code-1", "-H",
                "Content-Type: application/json", "--data-binary", "@" + csrFile("type.b64"));
        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(wrongType.text()).contains("application/pkcs10");

        EstFixture.Answer empty = enroll("BAD-1:bad-code-1", est.write("empty.b64", ""));
        assertThat(empty.status()).isEqualTo(400);

        assertThat(device.certificates()).isEmpty();
        assertThat(enroll("BAD-1:bad-code-1", csrFile("good.b64")).status()).isEqualTo(200);
    }

    @Test
    void malformedBasicCredentialsAreRecorded() throws Exception {
        int before = failures();
        EstFixture.Answer notBase64 = enroll(null, csrFile("mb1.b64"), "-H", "Authorization: Basic %%%");
        assertThat(notBase64.status()).isEqualTo(401);
        assertThat(notBase64.text()).contains("not base64");
        String noColon = Base64.getEncoder().encodeToString("SERIAL-ONLY".getBytes());
        assertThat(enroll(null, csrFile("mb2.b64"), "-H", "Authorization: Basic " + noColon).status()).isEqualTo(401);
        String control = Base64.getEncoder().encodeToString("CTRL-1:sec\u0007ret".getBytes());
        assertThat(enroll(null, csrFile("mb3.b64"), "-H", "Authorization: Basic " + control).status()).isEqualTo(401);
        assertThat(enroll(null, csrFile("mb4.b64"), "-H", "Authorization: Bearer abc").status()).isEqualTo(401);
        assertThat(failures()).isEqualTo(before + 4);
        assertThat(est.registry.failures).anyMatch(f -> f.startsWith("est CTRL-1:"))
                .noneMatch(f -> f.contains("sec\u0007ret"));
    }

    @Test
    void aManufacturerCertificateTheRegistryDoesNotTrustIsRefused() throws Exception {
        InMemoryDeviceEnrollment.Device device = est.registry.register("STRANGE-1", null);
        KeyPair key = TestKeys.freshEc("secp256r1");
        X509Certificate idevid = EstFixture.idevid("STRANGE-1", key, est.strangerManufacturer, est.strangerKey);
        Path cert = est.write("strange.pem", EstFixture.pem(idevid, est.strangerManufacturer));
        Path keyFile = est.write("strange.key", EstFixture.pkcs8(key.getPrivate()));
        int before = failures();
        EstFixture.Answer a = enroll(null, csrFile("strange.b64"), "--cert", cert.toString(), "--key", keyFile.toString());
        assertThat(a.status()).isEqualTo(403);
        assertThat(device.certificates()).isEmpty();
        assertThat(failures()).isEqualTo(before + 1);

        // Nor may it re-enroll: it is no certificate of this PKI.
        EstFixture.Answer re = est.curl("simplereenroll", "-H", "Content-Type: application/pkcs10", "--data-binary",
                "@" + csrFile("strange2.b64"), "--cert", cert.toString(), "--key", keyFile.toString());
        assertThat(re.status()).isEqualTo(403);
        assertThat(est.registry.failures).anyMatch(f -> f.startsWith("est STRANGE-1: simplereenroll"));
        assertThat(device.certificates()).isEmpty();
    }

    @Test
    void aTrustedManufacturerCertificateEnrollsWithCurl() throws Exception {
        InMemoryDeviceEnrollment.Device device = est.registry.register("KNOWN-1", null);
        KeyPair key = TestKeys.freshEc("secp256r1");
        X509Certificate idevid = EstFixture.idevid("KNOWN-1", key, est.manufacturer, est.manufacturerKey);
        Path cert = est.write("known.pem", EstFixture.pem(idevid));
        Path keyFile = est.write("known.key", EstFixture.pkcs8(key.getPrivate()));
        EstFixture.Answer a = enroll(null, csrFile("known.b64"), "--cert", cert.toString(), "--key", keyFile.toString());
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.headers()).containsIgnoringCase("content-type: application/pkcs7-mime; smime-type=certs-only")
                .containsIgnoringCase("content-transfer-encoding: base64");
        assertThat(device.certificates()).hasSize(1);
    }

    @Test
    void reenrollmentNeedsACertificateOfThisPki() throws Exception {
        InMemoryDeviceEnrollment.Device device = est.registry.register("RE-1", "re-code-1");
        EstFixture.Answer none = est.curl("simplereenroll", "-H", "Content-Type: application/pkcs10",
                "--data-binary", "@" + csrFile("re1.b64"));
        assertThat(none.status()).isEqualTo(403);
        assertThat(none.text()).contains("client certificate");
        EstFixture.Answer basic = est.curl("simplereenroll", "-u", "RE-1:re-code-1", "-H",
                "Content-Type: application/pkcs10", "--data-binary", "@" + csrFile("re2.b64"));
        assertThat(basic.status()).isEqualTo(403);
        assertThat(device.certificates()).isEmpty();
    }

    @Test
    void aRevokedCurrentCertificateCannotReenroll() throws Exception {
        InMemoryDeviceEnrollment.Device device = est.registry.register("REV-1", "rev-code-1");
        KeyPair key = TestKeys.freshEc("secp256r1");
        var csr = new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder(
                new org.bouncycastle.asn1.x500.X500Name("CN=device"), key.getPublic())
                .build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA")
                        .build(key.getPrivate()));
        Path body = est.write("rev.b64", Base64.getMimeEncoder().encodeToString(csr.getEncoded()));
        assertThat(enroll("REV-1:rev-code-1", body).status()).isEqualTo(200);
        X509Certificate current = device.certificates().get(0);
        Path cert = est.write("rev.pem", EstFixture.pem(current));
        Path keyFile = est.write("rev.key", EstFixture.pkcs8(key.getPrivate()));
        // simpleenroll is no way to renew: this PKI's own certificate is no IDevID.
        EstFixture.Answer notFirst = enroll(null, csrFile("rev1.b64"), "--cert", cert.toString(), "--key",
                keyFile.toString());
        assertThat(notFirst.status()).isEqualTo(401);
        assertThat(device.certificates()).hasSize(1);
        EstFixture.Answer renewed = est.curl("simplereenroll", "-H", "Content-Type: application/pkcs10",
                "--data-binary", "@" + csrFile("rev2.b64"), "--cert", cert.toString(), "--key", keyFile.toString());
        assertThat(renewed.status()).isEqualTo(200);
        assertThat(device.certificates()).hasSize(2);
        // The superseded certificate is revoked by the registry: a second renewal with it fails.
        EstFixture.Answer again = est.curl("simplereenroll", "-H", "Content-Type: application/pkcs10",
                "--data-binary", "@" + csrFile("rev3.b64"), "--cert", cert.toString(), "--key", keyFile.toString());
        assertThat(again.status()).isEqualTo(403);
        assertThat(device.certificates()).hasSize(2);
    }

    @Test
    void unknownResourcesLabelsAndOversizedBodies() throws Exception {
        assertThat(est.curl("somelabel/cacerts").status()).isEqualTo(404);
        assertThat(est.curl("fullcmc", "-X", "POST").status()).isEqualTo(404);
        assertThat(est.curl("cacerts", "-X", "POST").status()).isEqualTo(405);
        Path big = est.write("big.b64", "A".repeat(EstServer.MAX_BODY + 1));
        EstFixture.Answer tooBig = enroll("BIG-1:x", big);
        assertThat(tooBig.status()).isEqualTo(413);
        assertThat(tooBig.text()).doesNotContain("Exception");
    }

    @Test
    void theServicesRefusalsAreHttpAnswersWithoutSecretsOrStackTraces() throws Exception {
        Refusing refusing = new Refusing(est.registry);
        try (EstFixture other = new EstFixture(java.nio.file.Files.createDirectories(dir.resolve("refusing")),
                refusing)) {
            record Case(ErrorKind kind, int status, String shown) {
            }
            List<Case> cases = List.of(
                    new Case(ErrorKind.CA_UNAVAILABLE, 503, "retry later"),
                    new Case(ErrorKind.DATABASE_UNAVAILABLE, 503, "retry later"),
                    new Case(ErrorKind.BAD_PUBLIC_KEY, 400, "detail of BAD_PUBLIC_KEY"),
                    new Case(ErrorKind.BAD_CSR, 400, "detail of BAD_CSR"),
                    new Case(ErrorKind.REJECTED_IDENTIFIER, 400, "detail of REJECTED_IDENTIFIER"),
                    new Case(ErrorKind.UNAUTHORIZED, 401, "do not allow"),
                    new Case(ErrorKind.INTERNAL, 500, "internal error"));
            for (Case c : cases) {
                refusing.kind = c.kind();
                EstFixture.Answer a = other.curl("simpleenroll", "-u", "DOWN-1:down-code-1", "-H",
                        "Content-Type: application/pkcs10", "--data-binary", "@" + csrFile("down.b64"));
                assertThat(a.status()).as(c.kind().name()).isEqualTo(c.status());
                assertThat(a.text()).as(c.kind().name()).contains(c.shown()).doesNotContain("down-code-1")
                        .doesNotContain("Exception").doesNotContain("\tat ");
                if (c.status() == 503) {
                    assertThat(a.headers()).containsIgnoringCase("retry-after: 30");
                }
                if (c.kind() == ErrorKind.INTERNAL || c.kind() == ErrorKind.UNAUTHORIZED) {
                    assertThat(a.text()).doesNotContain("detail of");
                }
            }
        }
    }

    @Test
    void noCsrAttributesIsNoContent() {
        EstConfig config = EstConfig.of("127.0.0.1", 0, "unused", "unused", List.of())
                .withCsrAttributes(new org.bouncycastle.asn1.est.CsrAttrs(new org.bouncycastle.asn1.est.AttrOrOID[0]));
        Reply reply = new EstRequests(est.registry, config).csrAttrs();
        assertThat(reply.status()).isEqualTo(204);
        assertThat(reply.body()).isEmpty();
        Reply standard = new EstRequests(est.registry, EstConfig.of("127.0.0.1", 0, "unused", "unused", List.of()))
                .csrAttrs();
        assertThat(standard.status()).isEqualTo(200);
        assertThat(org.bouncycastle.asn1.est.CsrAttrs.getInstance(Base64.getMimeDecoder().decode(standard.body())))
                .isEqualTo(EstConfig.DEFAULT_CSR_ATTRIBUTES);
    }

    /** The registry's CA certificates, but every enrollment is refused with {@link #kind}. */
    private static final class Refusing implements DeviceEnrollment {
        private final InMemoryDeviceEnrollment registry;
        volatile ErrorKind kind = ErrorKind.CA_UNAVAILABLE;

        Refusing(InMemoryDeviceEnrollment registry) {
            this.registry = registry;
        }

        private PkiException refusal() {
            return new PkiException(kind, "detail of " + kind);
        }

        @Override
        public Enrolled enrollWithCode(Protocol protocol, String serial, String code, byte[] csr) {
            throw refusal();
        }

        @Override
        public Enrolled enrollWithManufacturerCertificate(Protocol protocol, List<X509Certificate> chain, byte[] csr) {
            throw refusal();
        }

        @Override
        public Enrolled reenroll(Protocol protocol, X509Certificate current, byte[] csr) {
            throw refusal();
        }

        @Override
        public Optional<byte[]> macSecret(String serial) {
            return Optional.empty();
        }

        @Override
        public void revoke(Protocol protocol, X509Certificate current, BigInteger serial, RevocationReason reason) {
            throw refusal();
        }

        @Override
        public List<X509Certificate> caCertificates() {
            return registry.caCertificates();
        }

        @Override
        public void authenticationFailed(Protocol protocol, String claimed, String reason) {
            registry.authenticationFailed(protocol, claimed, reason);
        }
    }
}
