package org.medpki.core.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.testpki.TestProfiles;

class ProfileCatalogTest {
    @TempDir
    Path tmp;

    @Test
    void loadsTheRealProfiles() {
        ProfileCatalog catalog = TestProfiles.catalog();
        assertThat(catalog.names()).containsExactly("admin", "atna-node", "code-signing", "device", "scep-ra",
                "sdc-participant", "service", "shortlived", "tls-client", "tls-server", "udap-client", "user");
        assertThat(catalog.all()).hasSize(12);

        CertificateProfile tls = catalog.get("tls-server");
        assertThat(tls.issuer()).isEqualTo("server-ca");
        assertThat(tls.policyOid()).isEqualTo("1.3.6.1.4.1.55555.1.1.1");
        assertThat(tls.defaultValidity()).isEqualTo(Duration.ofDays(90));
        assertThat(tls.maxValidity()).isEqualTo(Duration.ofDays(397));
        assertThat(tls.extendedKeyUsage()).containsExactly(KeyPurpose.SERVER_AUTH, KeyPurpose.CLIENT_AUTH);
        assertThat(tls.optionalExtendedKeyUsage()).containsExactly(KeyPurpose.CLIENT_AUTH);
        assertThat(tls.defaultExtendedKeyUsage()).containsExactly(KeyPurpose.SERVER_AUTH);
        assertThat(tls.subjectAltNames().dnsPatterns()).containsExactly("hospital.test", "*.hospital.test");
        assertThat(tls.subjectAltNames().dnsWildcards()).isTrue();
        assertThat(tls.subject().commonName()).isEqualTo(CommonNameRule.SAN);
        assertThat(tls.keyUsageFor(KeyFamily.RSA)).containsExactlyInAnyOrder(
                KeyUsageName.DIGITAL_SIGNATURE, KeyUsageName.KEY_ENCIPHERMENT);
        assertThat(tls.keyUsageFor(KeyFamily.EC)).containsExactly(KeyUsageName.DIGITAL_SIGNATURE);
        assertThat(tls.crlDistributionPoint()).isEqualTo("http://crl.hospital.test/{ca}.crl");
        assertThat(tls.crlDistributionPointFor("server-ca")).isEqualTo("http://crl.hospital.test/server-ca.crl");
        assertThat(tls.ocspUrl()).isEqualTo("http://ocsp.hospital.test");
        assertThat(tls.caIssuersUrlFor("server-ca")).isEqualTo("http://pki.hospital.test/certs/server-ca.crt");

        CertificateProfile user = catalog.get("user");
        assertThat(user.issuer()).isEqualTo("identity-ca");
        assertThat(user.policyOid()).isEqualTo("1.3.6.1.4.1.55555.1.1.2");
        assertThat(user.subject().commonName()).isEqualTo(CommonNameRule.REQUIRED);
        assertThat(user.subjectAltNames().emailPatterns()).containsExactly("*@hospital.test");
        assertThat(user.extendedKeyUsage()).containsExactly(KeyPurpose.CLIENT_AUTH, KeyPurpose.EMAIL_PROTECTION);

        CertificateProfile device = catalog.get("device");
        assertThat(device.policyOid()).isEqualTo("1.3.6.1.4.1.55555.1.1.3");
        assertThat(device.subject().requires(SubjectAttribute.SERIAL_NUMBER)).isTrue();
        assertThat(device.subjectAltNames().dnsPatterns()).containsExactly("*.devices.hospital.test");
        assertThat(device.subjectAltNames().uriPrefixes()).contains("https://devices.hospital.test/");
        assertThat(device.subjectAltNames().dnsWildcards()).isFalse();

        CertificateProfile code = catalog.get("code-signing");
        assertThat(code.policyOid()).isEqualTo("1.3.6.1.4.1.55555.1.1.4");
        assertThat(code.keys().rsaMinBits()).isEqualTo(3072);
        assertThat(code.keys().ecCurves()).containsExactly(EcCurve.P384);
        assertThat(code.keyUsage()).containsExactly(KeyUsageName.DIGITAL_SIGNATURE);
        assertThat(code.subjectAltNames().allowsAny()).isFalse();
    }

    @Test
    void unknownProfileNamesTheKnownOnes() {
        assertThatThrownBy(() -> TestProfiles.catalog().get("vpn"))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNKNOWN_PROFILE))
                .hasMessage("unknown profile 'vpn' (known: admin, atna-node, code-signing, device, scep-ra, sdc-participant, "
                        + "service, shortlived, tls-client, tls-server, udap-client, user)");
    }

    @Test
    void unknownKeyIsNamedWithItsFile() throws IOException {
        writeTls(tls().replace("  max: 397d", "  max: 397d\n  maximum: 400d"));
        assertThatThrownBy(() -> ProfileCatalog.load(tmp, TestProfiles.VARIABLES))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION))
                .hasMessageContaining("tls-server.yaml")
                .hasMessageContaining("unknown key 'validity.maximum'");
    }

    @Test
    void unknownTopLevelKey() throws IOException {
        writeTls(tls() + "\nallowEverything: true\n");
        assertThatThrownBy(() -> ProfileCatalog.load(tmp, TestProfiles.VARIABLES))
                .hasMessageContaining("tls-server.yaml").hasMessageContaining("unknown key 'allowEverything'");
    }

    @Test
    void unknownVariableIsNamed() throws IOException {
        writeTls(tls().replace("\"{ocspUrl}\"", "\"{ocspURL}\""));
        assertThatThrownBy(() -> ProfileCatalog.load(tmp, TestProfiles.VARIABLES))
                .hasMessageContaining("tls-server.yaml").hasMessageContaining("'{ocspURL}'").hasMessageContaining("ocspUrl");
    }

    @Test
    void missingVariableValueIsAnError() {
        assertThatThrownBy(() -> ProfileCatalog.load(TestProfiles.dir(), java.util.Map.of("domain", "hospital.test")))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION))
                .hasMessageContaining("unknown variable");
    }

    @Test
    void semanticErrorsAreRejected() throws IOException {
        record Case(String from, String to, String message) {
        }
        List<Case> cases = List.of(
                new Case("  default: 90d", "  default: 400d", "exceeds validity.max"),
                new Case("  max: 397d", "  max: 0d", "validity.max must be positive"),
                new Case("  max: 397d", "  max: 3650d", "longer than an end-entity certificate may live"),
                new Case("keyUsage: [digitalSignature, keyEncipherment]", "keyUsage: [keyEncipherment]", "digitalSignature"),
                new Case("keyUsage: [digitalSignature, keyEncipherment]", "keyUsage: [digitalSignature, keyCertSign]", "CA usage"),
                new Case("keyUsage: [digitalSignature, keyEncipherment]", "keyUsage: [digitalSignature, nonRepudiation]", "not consistent"),
                new Case("policyOid: 1.3.6.1.4.1.55555.1.1.1", "policyOid: 1.3.6.1.4.1.55555.1.1.1.", "policyOid"),
                new Case("policyOid: 1.3.6.1.4.1.55555.1.1.1", "policyOid: 1.55.3", "second arc"),
                new Case("  rsaMinBits: 2048", "  rsaMinBits: 1024", "rsaMinBits"),
                new Case("  ecCurves: [P-256, P-384]", "  ecCurves: [P-256, secp256k1]", "keys.ecCurves[1]"),
                new Case("  required: [serverAuth]", "  required: [serverAuth, anyExtendedKeyUsage]", "unknown extended key usage"),
                new Case("  required: [serverAuth]", "  required: [serverAuth, OCSPSigning]", "OCSPSigning"),
                new Case("  ip: [10.0.0.0/8", "  ip: [10.0.0.1/8", "host bits"),
                new Case("name: tls-server", "name: web", "must equal the file name"),
                new Case("  commonName: san", "  commonName: whatever", "commonName rule"),
                new Case("issuer: server-ca\n", "", "missing key 'issuer'"),
                new Case("  max: 397d", "  max: 397d\n  max: 30d", "Duplicate"));
        for (Case c : cases) {
            String text = tls();
            assertThat(text).as(c.from()).contains(c.from());
            writeTls(text.replace(c.from(), c.to()));
            assertThatThrownBy(() -> ProfileCatalog.load(tmp, TestProfiles.VARIABLES))
                    .as(c.to())
                    .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION))
                    .hasMessageContaining("tls-server.yaml")
                    .hasMessageContaining(c.message());
        }
    }

    @Test
    void emptyDirectoryIsAnError() {
        assertThatThrownBy(() -> ProfileCatalog.load(tmp, TestProfiles.VARIABLES)).hasMessageContaining("no *.yaml");
    }

    @Test
    void profileRecordRejectsNonsenseDirectly() {
        CertificateProfile tls = TestProfiles.catalog().get("tls-server");
        assertThatThrownBy(() -> new CertificateProfile(tls.name(), tls.description(), tls.issuer(), tls.policyOid(),
                tls.maxValidity(), tls.defaultValidity(), tls.keys(), Set.of(KeyUsageName.DIGITAL_SIGNATURE),
                List.of(KeyPurpose.CODE_SIGNING), Set.of(), tls.subject(), tls.subjectAltNames(),
                "ftp://crl/{ca}.crl", tls.ocspUrl(), tls.caIssuersUrl()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("crlDistributionPoint");
    }

    private static String tls() {
        try {
            return Files.readString(TestProfiles.dir().resolve("tls-server.yaml"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void writeTls(String text) throws IOException {
        Files.writeString(tmp.resolve("tls-server.yaml"), text);
    }
}
