package org.medpki.core.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.medpki.core.testpki.TestCsrs.dns;
import static org.medpki.core.testpki.TestCsrs.email;
import static org.medpki.core.testpki.TestCsrs.ip;
import static org.medpki.core.testpki.TestCsrs.uri;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.keys.SignatureAlgorithm;
import org.medpki.core.lint.CertificateLinter;
import org.medpki.core.policy.RequestValidator;
import org.medpki.core.policy.ValidatedRequest;
import org.medpki.core.profile.CertificateProfile;
import org.medpki.core.profile.ProfileCatalog;
import org.medpki.core.testpki.SoftwareSigner;
import org.medpki.core.testpki.TestCsrs;
import org.medpki.core.testpki.TestKeys;
import org.medpki.core.testpki.TestPki;
import org.medpki.core.testpki.TestProfiles;

class EndEntityTemplateTest {
    static ProfileCatalog profiles;
    static TestPki serverCa;
    static TestPki identityCa;
    final RequestValidator validator = new RequestValidator();
    final EndEntityTemplate template = new EndEntityTemplate();
    final CertificateLinter linter = new CertificateLinter();
    static final Instant NOW = TestPki.NOW;

    @TempDir
    Path tmp;

    @BeforeAll
    static void pki() {
        profiles = TestProfiles.catalog();
        serverCa = TestPki.create("server-ca", TestKeys.freshEc("secp256r1"), SignatureAlgorithm.ECDSA_SHA256);
        identityCa = TestPki.create("identity-ca", TestKeys.rsa(3072), SignatureAlgorithm.RSA_PSS_SHA256);
    }

    @Test
    void tlsServerCertificateValidatesWithPkixAndHasTheProfilesExtensions() throws Exception {
        CertificateProfile profile = profiles.get("tls-server");
        ValidatedRequest req = validator.validate(TestCsrs.der(TestKeys.ec("secp256r1"), "CN=fhir.hospital.test",
                List.of(dns("fhir.hospital.test"), ip("10.20.30.40"))), profile);
        TBSCertificate tbs = template.build(profile, req, serverCa.issuing(), new SerialNumbers().next(), NOW, null,
                Set.of("clientAuth"));
        assertThat(linter.lint(tbs, profile, serverCa.issuingCert())).isEmpty();
        X509CertificateHolder cert = serverCa.signByIssuing(tbs);
        X509Certificate ee = SoftwareSigner.jdk(cert);
        pkix(serverCa, ee);

        assertThat(ee.getVersion()).isEqualTo(3);
        assertThat(ee.getBasicConstraints()).isEqualTo(-1);
        assertThat(ee.getCriticalExtensionOIDs()).containsExactlyInAnyOrder("2.5.29.19", "2.5.29.15");
        boolean[] ku = ee.getKeyUsage();
        assertThat(ku[0]).as("digitalSignature").isTrue();
        assertThat(ku[2]).as("keyEncipherment is not for EC keys").isFalse();
        assertThat(ee.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        assertThat(ee.getSubjectAlternativeNames().stream().map(l -> (Object) l.get(1)).toList())
                .containsExactly("fhir.hospital.test", "10.20.30.40");
        assertThat(ee.getNotAfter().getTime() - ee.getNotBefore().getTime())
                .isEqualTo(Duration.ofDays(90).minusSeconds(1).toMillis());
        assertThat(ee.getNotBefore().toInstant()).isEqualTo(NOW.minus(Duration.ofMinutes(1)));
        assertThat(ee.getSerialNumber().bitLength()).isBetween(65, 159);
        assertThat(ee.getIssuerX500Principal()).isEqualTo(SoftwareSigner.jdk(serverCa.issuingCert()).getSubjectX500Principal());
        assertThat(ee.getSigAlgName()).isEqualTo("SHA256withECDSA");
        byte[] aki = AuthorityKeyIdentifier.fromExtensions(cert.getExtensions()).getKeyIdentifier();
        assertThat(aki).isEqualTo(SubjectKeyIdentifier.fromExtensions(serverCa.issuingCert().getExtensions()).getKeyIdentifier());
        assertThat(SubjectKeyIdentifier.fromExtensions(cert.getExtensions()).getKeyIdentifier())
                .isEqualTo(KeyIdentifiers.of(req.publicKey()));
        assertThat(new String(ee.getExtensionValue("2.5.29.31"), StandardCharsets.ISO_8859_1))
                .contains("http://crl.hospital.test/server-ca.crl");
        String aia = new String(ee.getExtensionValue("1.3.6.1.5.5.7.1.1"), StandardCharsets.ISO_8859_1);
        assertThat(aia).contains("http://ocsp.hospital.test").contains("http://pki.hospital.test/certs/server-ca.crt");
        assertThat(new String(ee.getExtensionValue("2.5.29.32"), StandardCharsets.ISO_8859_1)).isNotEmpty();
        assertThat(cert.getExtension(Extension.certificatePolicies).getParsedValue().toString())
                .contains("1.3.6.1.4.1.55555.1.1.1");
    }

    @Test
    void everyProfileIssuesALintCleanCertificateThatValidates() throws Exception {
        record Case(String profile, KeyPair key, String subject, List<org.bouncycastle.asn1.x509.GeneralName> sans,
                    TestPki ca, String eku) {
        }
        for (Case c : List.of(
                new Case("tls-server", TestKeys.rsa(2048), "", List.of(dns("*.hospital.test")), serverCa, "1.3.6.1.5.5.7.3.1"),
                new Case("tls-server", TestKeys.ed25519(), "", List.of(dns("ed.hospital.test")), serverCa, "1.3.6.1.5.5.7.3.1"),
                new Case("user", TestKeys.rsa(2048), "CN=Dr. Alice Example,O=Test Hospital",
                        List.of(email("alice@hospital.test")), identityCa, "1.3.6.1.5.5.7.3.4"),
                new Case("device", TestKeys.ec("secp384r1"), "serialNumber=PUMP-0042,O=Test Hospital",
                        List.of(uri("urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66")), serverCa, "1.3.6.1.5.5.7.3.2"),
                new Case("code-signing", TestKeys.ec("secp384r1"), "CN=Firmware Pipeline,O=Test Hospital", List.of(),
                        identityCa, "1.3.6.1.5.5.7.3.3"))) {
            CertificateProfile profile = profiles.get(c.profile());
            ValidatedRequest req = validator.validate(TestCsrs.der(c.key(), c.subject(), c.sans()), profile);
            TBSCertificate tbs = template.build(profile, req, c.ca().issuing(), new SerialNumbers().next(), NOW, null);
            assertThat(linter.lint(tbs, profile, c.ca().issuingCert())).as(c.profile()).isEmpty();
            X509Certificate ee = SoftwareSigner.jdk(c.ca().signByIssuing(tbs));
            pkix(c.ca(), ee);
            assertThat(ee.getExtendedKeyUsage()).as(c.profile()).contains(c.eku());
            assertThat(ee.getNotAfter().getTime() - ee.getNotBefore().getTime() + 1000)
                    .isEqualTo(profile.defaultValidity().toMillis());
            if (c.subject().isEmpty()) {
                assertThat(ee.getCriticalExtensionOIDs()).as("SAN critical with an empty subject").contains("2.5.29.17");
            }
            if (c.key().getPublic().getAlgorithm().equals("RSA") && !c.profile().equals("code-signing")) {
                assertThat(ee.getKeyUsage()[2]).as("keyEncipherment for RSA").isTrue();
            }
        }
    }

    @Test
    void validityIsCappedByTheProfileAndTheIssuer() {
        CertificateProfile profile = profiles.get("tls-server");
        ValidatedRequest req = tlsRequest();
        TBSCertificate tbs = template.build(profile, req, serverCa.issuing(), TestPki.serial(), NOW, Duration.ofDays(1000));
        assertThat(Duration.between(tbs.getStartDate().getDate().toInstant(), tbs.getEndDate().getDate().toInstant()))
                .isEqualTo(Duration.ofDays(397).minusSeconds(1));
        TBSCertificate shortOne = template.build(profile, req, serverCa.issuing(), TestPki.serial(), NOW, Duration.ofDays(7));
        assertThat(shortOne.getEndDate().getDate().toInstant()).isEqualTo(NOW.minusSeconds(60).plus(Duration.ofDays(7)).minusSeconds(1));

        TestPki expiring = TestPki.create("server-ca", TestKeys.freshEc("secp256r1"), SignatureAlgorithm.ECDSA_SHA256,
                NOW.plus(Duration.ofDays(30)));
        TBSCertificate capped = template.build(profile, req, expiring.issuing(), TestPki.serial(), NOW, null);
        assertThat(capped.getEndDate().getDate()).isEqualTo(expiring.issuingCert().getNotAfter());
        assertThat(linter.lint(capped, profile, expiring.issuingCert())).isEmpty();

        assertThatThrownBy(() -> template.build(profile, req, serverCa.issuing(), TestPki.serial(), NOW, Duration.ofDays(-1)))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.MALFORMED));
    }

    @Test
    void refusesAWrongIssuerOrAnUnofferedPurpose() {
        ValidatedRequest req = tlsRequest();
        assertThatThrownBy(() -> template.build(profiles.get("tls-server"), req, identityCa.issuing(), TestPki.serial(), NOW, null))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION))
                .hasMessageContaining("issued by server-ca");
        assertThatThrownBy(() -> template.build(profiles.get("tls-server"), req, serverCa.issuing(), TestPki.serial(), NOW, null,
                Set.of("codeSigning")))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.MALFORMED))
                .hasMessageContaining("codeSigning");
    }

    @Test
    void opensslVerifiesTheChainAndShowsTheExtensions() throws Exception {
        CertificateProfile profile = profiles.get("tls-server");
        TBSCertificate tbs = template.build(profile, tlsRequest(), serverCa.issuing(), TestPki.serial(), NOW, null);
        X509CertificateHolder ee = serverCa.signByIssuing(tbs);
        Path root = pem("root.pem", serverCa.root());
        Path issuing = pem("issuing.pem", serverCa.issuingCert());
        Path leaf = pem("leaf.pem", ee);

        String verify = run("openssl", "verify", "-x509_strict", "-purpose", "sslserver", "-CAfile", root.toString(),
                "-untrusted", issuing.toString(), leaf.toString());
        assertThat(verify).contains(leaf + ": OK");

        String text = run("openssl", "x509", "-in", leaf.toString(), "-noout", "-text");
        assertThat(text)
                .contains("X509v3 Basic Constraints: critical", "CA:FALSE")
                .contains("X509v3 Key Usage: critical", "Digital Signature")
                .contains("TLS Web Server Authentication")
                .doesNotContain("TLS Web Client Authentication")
                .contains("DNS:www.hospital.test")
                .contains("Policy: 1.3.6.1.4.1.55555.1.1.1")
                .contains("URI:http://crl.hospital.test/server-ca.crl")
                .contains("OCSP - URI:http://ocsp.hospital.test")
                .contains("CA Issuers - URI:http://pki.hospital.test/certs/server-ca.crt")
                .contains("X509v3 Authority Key Identifier")
                .contains("X509v3 Subject Key Identifier");

        String issuingText = run("openssl", "x509", "-in", issuing.toString(), "-noout", "-text");
        assertThat(issuingText).contains("CA:TRUE, pathlen:0").contains("Certificate Sign, CRL Sign");
    }

    private ValidatedRequest tlsRequest() {
        return validator.validate(TestCsrs.der(TestKeys.ec("secp256r1"), "CN=www.hospital.test",
                List.of(dns("www.hospital.test"))), profiles.get("tls-server"));
    }

    static void pkix(TestPki ca, X509Certificate ee) throws GeneralSecurityException {
        var path = CertificateFactory.getInstance("X.509").generateCertPath(List.of(ee, SoftwareSigner.jdk(ca.issuingCert())));
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(SoftwareSigner.jdk(ca.root()), null)));
        params.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(path, params);
    }

    Path pem(String name, X509CertificateHolder cert) throws IOException {
        return pem(tmp, name, cert);
    }

    /** Writes {@code cert} as PEM into {@code dir}. */
    static Path pem(Path dir, String name, X509CertificateHolder cert) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n");
        return p;
    }

    /** Runs a command, capturing its output (never inheritIO: it would corrupt Surefire's channel). */
    static String run(String... command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException(command[0] + " is not installed: run the tests through ops/test, which installs it", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + " said: " + out).isZero();
        return out;
    }
}
