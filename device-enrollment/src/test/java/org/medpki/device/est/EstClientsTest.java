package org.medpki.device.est;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManager;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.est.CACertsResponse;
import org.bouncycastle.est.CSRRequestResponse;
import org.bouncycastle.est.ESTService;
import org.bouncycastle.est.EnrollmentResponse;
import org.bouncycastle.est.HttpAuth;
import org.bouncycastle.est.jcajce.JsseESTServiceBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medpki.device.InMemoryDeviceEnrollment;

/**
 * Real EST clients against the server: BouncyCastle's EST client (cacerts, csrattrs, enrollment
 * with Basic credentials, with an IDevID, re-enrollment with the issued certificate) and curl with
 * openssl reading the answers.
 */
class EstClientsTest {
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

    private static ESTService client(KeyManager keyManager) throws Exception {
        JsseESTServiceBuilder builder = new JsseESTServiceBuilder("127.0.0.1:" + est.port, est.trustManager())
                .withTimeout(15_000);
        if (keyManager != null) {
            builder.withKeyManager(keyManager);
        }
        return builder.build();
    }

    private static X509Certificate only(EnrollmentResponse response) throws Exception {
        X509CertificateHolder[] certs = ESTService.storeToArray(response.getStore());
        assertThat(certs).hasSize(1);
        return new JcaX509CertificateConverter().getCertificate(certs[0]);
    }

    @Test
    void bouncyCastleReadsTheCaCertificatesAndTheCsrAttributes() throws Exception {
        ESTService client = client(null);
        CACertsResponse ca = client.getCACerts();
        assertThat(ca.isTrusted()).isTrue();
        List<Certificate> got = Arrays.stream(ESTService.storeToArray(ca.getCertificateStore()))
                .map(X509CertificateHolder::toASN1Structure).toList();
        assertThat(got).containsExactlyInAnyOrder(
                Certificate.getInstance(est.registry.issuingCa().getEncoded()),
                Certificate.getInstance(est.registry.root().getEncoded()));

        CSRRequestResponse attrs = client.getCSRAttributes();
        assertThat(attrs.hasAttributesResponse()).isTrue();
        assertThat(attrs.getAttributesResponse().getRequirements()).contains(BCStyle.SERIALNUMBER,
                X9ObjectIdentifiers.ecdsa_with_SHA256, X9ObjectIdentifiers.id_ecPublicKey);
        assertThat(attrs.getAttributesResponse().isAttribute(X9ObjectIdentifiers.id_ecPublicKey)).isTrue();
        assertThat(attrs.getAttributesResponse().isAttribute(BCStyle.SERIALNUMBER)).isFalse();
    }

    @Test
    void bouncyCastleEnrollsWithBasicCredentialsAndReenrollsWithTheIssuedCertificate() throws Exception {
        InMemoryDeviceEnrollment.Device device = est.registry.register("PUMP-0001", "tQ7-x9Lm-42");
        EstFixture.Request first = EstFixture.request("CN=pump");
        EnrollmentResponse enrolled = client(null).simpleEnroll(false, first.csr(),
                new HttpAuth(EstServer.REALM, "PUMP-0001", "tQ7-x9Lm-42".toCharArray()));
        X509Certificate issued = only(enrolled);
        assertThat(InMemoryDeviceEnrollment.serialNumberOf(issued.getSubjectX500Principal())).isEqualTo("PUMP-0001");
        assertThat(issued.getPublicKey()).isEqualTo(first.key().getPublic());
        assertThat(device.certificates()).containsExactly(issued);

        EstFixture.Request second = EstFixture.request("CN=pump");
        EnrollmentResponse renewed = client(EstFixture.keyManager(first.key(), issued, est.registry.issuingCa()))
                .simpleEnroll(true, second.csr(), null);
        X509Certificate next = only(renewed);
        assertThat(InMemoryDeviceEnrollment.serialNumberOf(next.getSubjectX500Principal())).isEqualTo("PUMP-0001");
        assertThat(next.getPublicKey()).isEqualTo(second.key().getPublic());
        assertThat(device.certificates()).containsExactly(issued, next);
        assertThat(est.registry.isRevoked(issued.getSerialNumber())).isTrue();
    }

    @Test
    void bouncyCastleEnrollsWithAManufacturerCertificate() throws Exception {
        InMemoryDeviceEnrollment.Device device = est.registry.register("MON-0042", null);
        var idevidKey = org.medpki.core.testpki.TestKeys.freshEc("secp256r1");
        X509Certificate idevid = EstFixture.idevid("MON-0042", idevidKey, est.manufacturer, est.manufacturerKey);
        EstFixture.Request request = EstFixture.request("CN=monitor");
        X509Certificate issued = only(client(EstFixture.keyManager(idevidKey, idevid, est.manufacturer))
                .simpleEnroll(false, request.csr(), null));
        assertThat(InMemoryDeviceEnrollment.serialNumberOf(issued.getSubjectX500Principal())).isEqualTo("MON-0042");
        assertThat(device.certificates()).containsExactly(issued);
    }

    @Test
    void curlEnrollsAndOpensslReadsTheAnswers() throws Exception {
        InMemoryDeviceEnrollment.Device device = est.registry.register("VENT-7", "curl-code-1");
        Path key = dir.resolve("vent.key");
        Path der = dir.resolve("vent.csr.der");
        EstFixture.exec("openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", key.toString(), "-subj", "/CN=ventilator", "-outform", "DER", "-out", der.toString());
        Path b64 = est.write("vent.csr.b64", EstFixture.exec("base64", der.toString()));

        String enrolled = EstFixture.exec("bash", "-c", "set -o pipefail; curl -sS --fail --cacert " + est.tlsCaPem
                + " -u VENT-7:curl-code-1 -H 'Content-Type: application/pkcs10' --data-binary @" + b64 + " "
                + est.url("simpleenroll") + " | base64 -d | openssl pkcs7 -inform DER -print_certs");
        assertThat(enrolled).contains("subject=serialNumber = VENT-7, O = Test Hospital")
                .contains("issuer=CN = MedPKI Test server-ca, O = Test Hospital, C = DE");
        assertThat(device.certificates()).hasSize(1);
        // The certificate holds the key of the openssl request.
        String again = EstFixture.exec("bash", "-c", "set -o pipefail; curl -sS --fail --cacert " + est.tlsCaPem
                + " -u VENT-7:curl-code-1 -H 'Content-Type: application/pkcs10' --data-binary @" + b64 + " "
                + est.url("simpleenroll") + " -o /dev/null -w '%{http_code}'; true");
        assertThat(again).as("the code is spent").contains("401");
        String pub = EstFixture.exec("openssl", "pkey", "-in", key.toString(), "-pubout");
        assertThat(EstFixture.pem(device.certificates().get(0).getPublicKey())).isEqualTo(pub);

        String cacerts = EstFixture.exec("bash", "-c", "set -o pipefail; curl -sS --fail --cacert " + est.tlsCaPem
                + " " + est.url("cacerts") + " | base64 -d | openssl pkcs7 -inform DER -print_certs");
        assertThat(cacerts).contains("subject=CN = MedPKI Test server-ca, O = Test Hospital, C = DE")
                .contains("subject=CN = MedPKI Test Root, O = Test Hospital, C = DE");

        EstFixture.Answer attrs = est.curl("csrattrs");
        assertThat(attrs.status()).isEqualTo(200);
        assertThat(attrs.headers()).containsIgnoringCase("content-type: application/csrattrs")
                .containsIgnoringCase("content-transfer-encoding: base64");
        Path attrsDer = est.write("csrattrs.der", Base64.getMimeDecoder().decode(attrs.body()));
        assertThat(EstFixture.exec("openssl", "asn1parse", "-inform", "DER", "-in", attrsDer.toString()))
                .contains("serialNumber").contains("id-ecPublicKey").contains("prime256v1")
                .contains("ecdsa-with-SHA256");
    }
}
