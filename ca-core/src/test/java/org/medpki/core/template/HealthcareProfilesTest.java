package org.medpki.core.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.medpki.core.testpki.TestCsrs.dns;
import static org.medpki.core.testpki.TestCsrs.uri;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.keys.SignatureAlgorithm;
import org.medpki.core.lint.CertificateLinter;
import org.medpki.core.lint.LintFinding;
import org.medpki.core.policy.RequestValidator;
import org.medpki.core.policy.ValidatedRequest;
import org.medpki.core.profile.CertificateProfile;
import org.medpki.core.profile.ProfileCatalog;
import org.medpki.core.testpki.SoftwareSigner;
import org.medpki.core.testpki.TestCsrs;
import org.medpki.core.testpki.TestKeys;
import org.medpki.core.testpki.TestPki;
import org.medpki.core.testpki.TestProfiles;

/**
 * The profiles for mutual TLS, short-lived servers, UDAP, IEEE 11073 SDC and IHE ATNA: each issues
 * a lint-clean certificate that the JDK's PKIX validator and {@code openssl verify -purpose} accept,
 * with the extensions its CP row promises; and each refuses what its row forbids.
 */
class HealthcareProfilesTest {
    static ProfileCatalog profiles;
    static TestPki serverCa;
    static TestPki identityCa;
    final RequestValidator validator = new RequestValidator();
    final EndEntityTemplate template = new EndEntityTemplate();
    final CertificateLinter linter = new CertificateLinter();

    @TempDir
    Path tmp;

    @BeforeAll
    static void pki() {
        profiles = TestProfiles.catalog();
        serverCa = TestPki.create("server-ca", TestKeys.freshEc("secp256r1"), SignatureAlgorithm.ECDSA_SHA256);
        identityCa = TestPki.create("identity-ca", TestKeys.rsa(3072), SignatureAlgorithm.RSA_PSS_SHA256);
    }

    record Case(String profile, KeyPair key, String subject, List<GeneralName> sans, TestPki ca,
                List<String> purposes, List<String> ekus) {
    }

    @Test
    void eachNewProfileIssuesACertificateThatOpensslAndPkixAccept() throws Exception {
        for (Case c : List.of(
                new Case("tls-client", TestKeys.ec("secp256r1"), "O=Test Hospital",
                        List.of(dns("fhir-backend.hospital.test"), uri("spiffe://hospital.test/ns/fhir/sa/exporter")),
                        identityCa, List.of("sslclient"), List.of("1.3.6.1.5.5.7.3.2")),
                new Case("shortlived", TestKeys.ec("secp256r1"), "", List.of(dns("portal.hospital.test")),
                        serverCa, List.of("sslserver"), List.of("1.3.6.1.5.5.7.3.1")),
                new Case("udap-client", TestKeys.rsa(2048), "O=Test Hospital",
                        List.of(uri("https://apps.hospital.test/udap/scheduler")), identityCa, List.of("sslclient"),
                        List.of("1.3.6.1.5.5.7.3.2")),
                new Case("sdc-participant", TestKeys.ec("secp384r1"), "serialNumber=MON-7781,O=Test Hospital",
                        List.of(dns("monitor-7781.devices.hospital.test"),
                                uri("urn:uuid:0fa2b1c4-7d3e-4a11-9a52-3c1d2e5f6a70")),
                        serverCa, List.of("sslserver", "sslclient"), List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2",
                                "1.2.840.10004.20701.1.1", "1.2.840.10004.20701.1.2")),
                new Case("atna-node", TestKeys.rsa(2048), "", List.of(dns("audit-repository.hospital.test")),
                        serverCa, List.of("sslserver", "sslclient"), List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2")))) {
            CertificateProfile profile = profiles.get(c.profile());
            ValidatedRequest req = validator.validate(TestCsrs.der(c.key(), c.subject(), c.sans()), profile);
            TBSCertificate tbs = template.build(profile, req, c.ca().issuing(), new SerialNumbers().next(), TestPki.NOW, null);
            assertThat(linter.lint(tbs, profile, c.ca().issuingCert())).as(c.profile()).isEmpty();
            X509CertificateHolder holder = c.ca().signByIssuing(tbs);
            X509Certificate ee = SoftwareSigner.jdk(holder);
            EndEntityTemplateTest.pkix(c.ca(), ee);
            assertThat(ee.getExtendedKeyUsage()).as(c.profile()).containsExactlyElementsOf(c.ekus());
            Path root = pem(c.profile() + "-root.pem", c.ca().root());
            Path issuing = pem(c.profile() + "-issuing.pem", c.ca().issuingCert());
            Path leaf = pem(c.profile() + ".pem", holder);
            for (String purpose : c.purposes()) {
                // -attime: the test hierarchy is made at TestPki.NOW, not at this machine's time.
                assertThat(EndEntityTemplateTest.run("openssl", "verify", "-x509_strict", "-purpose", purpose,
                        "-attime", Long.toString(TestPki.NOW.plus(Duration.ofHours(1)).getEpochSecond()),
                        "-CAfile", root.toString(), "-untrusted", issuing.toString(), leaf.toString()))
                        .as(c.profile() + " for " + purpose).contains(leaf + ": OK");
            }
        }
    }

    @Test
    void aShortLivedCertificateCarriesNoRevocationInformationButNoRevAvail() throws Exception {
        CertificateProfile profile = profiles.get("shortlived");
        assertThat(profile.noRevAvail()).isTrue();
        assertThat(profile.maxValidity()).isLessThanOrEqualTo(Duration.ofDays(7));
        ValidatedRequest req = validator.validate(TestCsrs.der(TestKeys.ec("secp256r1"), "",
                List.of(dns("*.lab.hospital.test"))), profile);
        X509CertificateHolder ee = serverCa.signByIssuing(template.build(profile, req, serverCa.issuing(),
                new SerialNumbers().next(), TestPki.NOW, Duration.ofDays(30)));
        assertThat(ee.getExtension(Extension.cRLDistributionPoints)).isNull();
        assertThat(ee.getExtension(Extension.freshestCRL)).isNull();
        Extension noRevAvail = ee.getExtension(Extension.noRevAvail);
        assertThat(noRevAvail).isNotNull();
        assertThat(noRevAvail.isCritical()).isFalse();
        assertThat(noRevAvail.getParsedValue()).isEqualTo(DERNull.INSTANCE);
        assertThat(Duration.between(ee.getNotBefore().toInstant(), ee.getNotAfter().toInstant()))
                .as("a request for 30 days is capped at the profile's 7").isLessThanOrEqualTo(Duration.ofDays(7));
        String text = EndEntityTemplateTest.run("openssl", "x509", "-in", pem("short.pem", ee).toString(), "-noout", "-text");
        assertThat(text).doesNotContain("OCSP - URI").doesNotContain("CRL Distribution")
                .contains("CA Issuers - URI:http://pki.hospital.test/certs/server-ca.crt");

        // The linter holds the line: a certificate of a profile with revocation information linted
        // as short-lived, and a short-lived one linted as tls-server, are both refused.
        CertificateProfile tls = profiles.get("tls-server");
        TBSCertificate withCrl = template.build(tls, validator.validate(TestCsrs.der(TestKeys.ec("secp256r1"), "",
                List.of(dns("www.hospital.test"))), tls), serverCa.issuing(), new SerialNumbers().next(), TestPki.NOW,
                Duration.ofDays(5));
        assertThat(linter.lint(withCrl, profile, serverCa.issuingCert())).extracting(LintFinding::code)
                .contains("e_no_rev_avail_missing", "e_no_rev_avail_crldp", "e_no_rev_avail_ocsp");
        TBSCertificate shortOne = template.build(profile, req, serverCa.issuing(), new SerialNumbers().next(),
                TestPki.NOW, null);
        assertThat(linter.lint(shortOne, tls, serverCa.issuingCert())).extracting(LintFinding::code)
                .contains("e_crldp_missing", "e_aia_ocsp_missing", "e_no_rev_avail_not_allowed");
    }

    @Test
    void udapNeedsAUriNameAndAnRs256OrEs256Key() {
        CertificateProfile udap = profiles.get("udap-client");
        assertThatThrownBy(() -> validator.validate(TestCsrs.der(TestKeys.ec("secp256r1"), "O=Test Hospital",
                List.of()), udap))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.BAD_CSR));
        assertThatThrownBy(() -> validator.validate(TestCsrs.der(TestKeys.ec("secp384r1"), "O=Test Hospital",
                List.of(uri("https://apps.hospital.test/udap/x"))), udap))
                .isInstanceOf(PkiException.class).hasMessageContaining("P-384");
        assertThatThrownBy(() -> validator.validate(TestCsrs.der(TestKeys.ec("secp256r1"), "O=Test Hospital",
                List.of(uri("https://apps.elsewhere.test/udap/x"))), udap))
                .isInstanceOf(PkiException.class).hasMessageContaining("apps.elsewhere.test");
    }

    @Test
    void aProfileWithoutRevocationInformationMustBeShortAndNameNoCrlOrOcsp() throws Exception {
        String shortlived = Files.readString(TestProfiles.dir().resolve("shortlived.yaml"));
        Path dir = Files.createDirectories(tmp.resolve("bad"));
        Path file = dir.resolve("shortlived.yaml");
        Files.writeString(file, shortlived.replace("max: 7d", "max: 8d"));
        assertThatThrownBy(() -> ProfileCatalog.loadFile(file, TestProfiles.VARIABLES))
                .isInstanceOf(PkiException.class).hasMessageContaining("noRevAvail").hasMessageContaining("7 days");
        Files.writeString(file, shortlived + "ocspUrl: \"{ocspUrl}\"\n");
        assertThatThrownBy(() -> ProfileCatalog.loadFile(file, TestProfiles.VARIABLES))
                .isInstanceOf(PkiException.class).hasMessageContaining("remove crlDistributionPoint and ocspUrl");
        Files.writeString(file, shortlived.replace("noRevAvail: true\n", ""));
        assertThatThrownBy(() -> ProfileCatalog.loadFile(file, TestProfiles.VARIABLES))
                .isInstanceOf(PkiException.class).hasMessageContaining("crlDistributionPoint");
    }

    private Path pem(String name, X509CertificateHolder cert) throws Exception {
        return EndEntityTemplateTest.pem(tmp, name, cert);
    }
}
