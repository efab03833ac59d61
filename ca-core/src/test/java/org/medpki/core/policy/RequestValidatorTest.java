package org.medpki.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.medpki.core.testpki.TestCsrs.dns;
import static org.medpki.core.testpki.TestCsrs.email;
import static org.medpki.core.testpki.TestCsrs.ip;
import static org.medpki.core.testpki.TestCsrs.uri;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.Signature;
import java.util.List;

import org.assertj.core.api.AbstractThrowableAssert;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.CertificationRequest;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.Test;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.profile.CertificateProfile;
import org.medpki.core.profile.ProfileCatalog;
import org.medpki.core.testpki.TestCsrs;
import org.medpki.core.testpki.TestKeys;
import org.medpki.core.testpki.TestProfiles;

class RequestValidatorTest {
    private static final ProfileCatalog PROFILES = TestProfiles.catalog();
    private final RequestValidator validator = new RequestValidator();

    private static CertificateProfile tls() {
        return PROFILES.get("tls-server");
    }

    @Test
    void withValidatedNamesTheSubjectKeepsOnlyACommonNameThatIsOneOfThem() {
        KeyPair kp = TestKeys.ec("secp256r1");
        List<GeneralName> names = List.of(dns("www.hospital.test"), dns("api.hospital.test"));
        byte[] csr = TestCsrs.der(kp, "CN=API.hospital.test,O=Evil Corp,OU=Payments,C=US,L=Nowhere", names);
        assertThat(validator.validate(csr, tls(), names, true).subject().toString()).isEqualTo("CN=api.hospital.test");
        // A CN that is none of the names is not kept: the first name becomes the CN.
        byte[] other = TestCsrs.der(kp, "CN=bank.example,O=Evil Corp", names);
        assertThat(validator.validate(other, tls(), names, true).subject().toString()).isEqualTo("CN=www.hospital.test");
        // Otherwise (pki issue, service certificates) the subject is the profile's business.
        assertThat(validator.validate(csr, tls()).subject().toString()).contains("O=Evil Corp");
        assertThat(validator.validate(csr, tls(), names).subject().toString()).contains("O=Evil Corp");
    }

    @Test
    void goodTlsServerRequest() {
        KeyPair kp = TestKeys.ec("secp256r1");
        byte[] csr = TestCsrs.der(kp, "CN=FHIR.hospital.test,O=Test Hospital",
                List.of(dns("FHIR.hospital.test"), dns("api.hospital.test"), ip("10.1.2.3"), dns("fhir.hospital.test")));
        ValidatedRequest r = validator.validate(csr, tls());
        // Lower-cased and de-duplicated.
        assertThat(r.subjectAltNameStrings()).containsExactly("dns:fhir.hospital.test", "dns:api.hospital.test", "ip:10.1.2.3");
        assertThat(r.publicKey().getAlgorithm().getAlgorithm().getId()).isEqualTo("1.2.840.10045.2.1");
        assertThat(r.spkiSha256()).hasSize(32);
        assertThat(r.subject().toString()).contains("FHIR.hospital.test");
    }

    @Test
    void goodRequestForEveryProfileAndKeyType() {
        assertThat(validator.validate(TestCsrs.der(TestKeys.rsa(2048), "CN=Dr. Alice Example,O=Test Hospital",
                List.of(email("alice@Hospital.test"))), PROFILES.get("user")).subjectAltNameStrings())
                .containsExactly("email:alice@hospital.test");
        assertThat(validator.validate(TestCsrs.der(TestKeys.ed25519(), "serialNumber=PUMP-0042,O=Test Hospital",
                List.of(uri("urn:dev:mac:0024befffe804ff1"), dns("pump-0042.devices.hospital.test"))),
                PROFILES.get("device")).subjectAltNames()).hasSize(2);
        assertThat(validator.validate(TestCsrs.der(TestKeys.ec("secp384r1"), "CN=Firmware Build,O=Test Hospital",
                List.of()), PROFILES.get("code-signing")).subjectAltNames()).isEmpty();
        assertThat(validator.validate(TestCsrs.der(TestKeys.rsa(3072), "CN=App Build", List.of()),
                PROFILES.get("code-signing")).subject().toString()).isEqualTo("CN=App Build");
        // A tls-server request with SANs only (empty subject) is fine.
        assertThat(validator.validate(TestCsrs.der(TestKeys.ec("secp384r1"), "", List.of(dns("*.hospital.test"))),
                tls()).subjectAltNameStrings()).containsExactly("dns:*.hospital.test");
    }

    @Test
    void acceptsPem() {
        byte[] pem = TestCsrs.pem(TestKeys.ec("secp256r1"), "CN=www.hospital.test", List.of(dns("www.hospital.test")));
        assertThat(new String(pem, java.nio.charset.StandardCharsets.US_ASCII)).startsWith("-----BEGIN CERTIFICATE REQUEST-----");
        assertThat(validator.validate(pem, tls()).subjectAltNameStrings()).containsExactly("dns:www.hospital.test");
    }

    @Test
    void rejectsGarbageAndWrongPem() {
        rejects(new byte[] {0x30, 0x03, 0x02, 0x01}, tls(), ErrorKind.BAD_CSR, "the CSR is not valid DER/PEM");
        rejects("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n".getBytes(), tls(), ErrorKind.BAD_CSR,
                "not a 'CERTIFICATE REQUEST'");
        rejects(new byte[0], tls(), ErrorKind.BAD_CSR, "empty");
    }

    @Test
    void rejectsBadSignature() {
        byte[] csr = TestCsrs.der(TestKeys.ec("secp256r1"), "CN=www.hospital.test", List.of(dns("www.hospital.test")));
        // Flip a bit inside the subject's CN value: the structure stays valid, the signature does not.
        String text = new String(csr, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = text.indexOf("www.hospital.test");
        csr[at] ^= 0x01;
        rejects(csr, tls(), ErrorKind.BAD_CSR, "the CSR signature does not verify");
    }

    @Test
    void ecdsaSignaturesVerifyForEveryAllowedHashAndOnlyUnderTheRequestsOwnKey() throws Exception {
        List<GeneralName> names = List.of(dns("www.hospital.test"));
        for (String alg : List.of("SHA256withECDSA", "SHA384withECDSA", "SHA512withECDSA")) {
            for (String curve : List.of("secp256r1", "secp384r1")) {
                byte[] csr = TestCsrs.der(TestKeys.ec(curve), "CN=www.hospital.test", names, alg, false);
                assertThat(validator.validate(csr, tls()).subjectAltNameStrings()).as(alg + " " + curve)
                        .containsExactly("dns:www.hospital.test");
            }
        }
        // The request's key, someone else's signature over the same CertificationRequestInfo.
        byte[] good = TestCsrs.der(TestKeys.freshEc("secp256r1"), "CN=www.hospital.test", names);
        CertificationRequest request = CertificationRequest.getInstance(good);
        Signature other = Signature.getInstance("SHA256withECDSA");
        other.initSign(TestKeys.freshEc("secp256r1").getPrivate());
        other.update(request.getCertificationRequestInfo().getEncoded(ASN1Encoding.DER));
        byte[] forged = new CertificationRequest(request.getCertificationRequestInfo(), request.getSignatureAlgorithm(),
                new DERBitString(other.sign())).getEncoded(ASN1Encoding.DER);
        rejects(forged, tls(), ErrorKind.BAD_CSR, "the CSR signature does not verify");
        // The right signature, with a trailing octet inside the BIT STRING: not DER, refused.
        byte[] sig = request.getSignature().getOctets();
        byte[] padded = java.util.Arrays.copyOf(sig, sig.length + 1);
        byte[] lax = new CertificationRequest(request.getCertificationRequestInfo(), request.getSignatureAlgorithm(),
                new DERBitString(padded)).getEncoded(ASN1Encoding.DER);
        rejects(lax, tls(), ErrorKind.BAD_CSR, "the CSR signature does not verify");
    }

    @Test
    void rejectsSha1Signature() {
        byte[] csr = TestCsrs.der(TestKeys.rsa(2048), "CN=www.hospital.test", List.of(dns("www.hospital.test")),
                "SHA1withRSA", false);
        rejects(csr, tls(), ErrorKind.BAD_CSR, "weak signature algorithm sha1WithRSAEncryption");
    }

    @Test
    void rejectsWeakKeys() {
        List<GeneralName> names = List.of(dns("www.hospital.test"));
        rejects(TestCsrs.der(TestKeys.rsa(1024), "", names), tls(), ErrorKind.BAD_PUBLIC_KEY, "1024 bits");
        rejects(TestCsrs.der(TestKeys.rsaWithExponent(2048, BigInteger.valueOf(3)), "", names), tls(),
                ErrorKind.BAD_PUBLIC_KEY, "exponent is 3");
        rejects(TestCsrs.der(TestKeys.ec("secp521r1"), "", names), tls(), ErrorKind.BAD_PUBLIC_KEY, "secp521r1");
        rejects(TestCsrs.der(TestKeys.ecBc("secp256k1"), "", names), tls(), ErrorKind.BAD_PUBLIC_KEY, "secp256k1");
        // code-signing wants RSA >= 3072 and P-384.
        rejects(TestCsrs.der(TestKeys.rsa(2048), "CN=Build", List.of()), PROFILES.get("code-signing"),
                ErrorKind.BAD_PUBLIC_KEY, "needs at least 3072");
        rejects(TestCsrs.der(TestKeys.ec("secp256r1"), "CN=Build", List.of()), PROFILES.get("code-signing"),
                ErrorKind.BAD_PUBLIC_KEY, "EC curve P-256");
    }

    @Test
    void rejectsRocaKeyAndAcceptsANormalOne() {
        KeyPair roca = RocaKeys.vulnerable();
        var n = ((java.security.interfaces.RSAPublicKey) roca.getPublic()).getModulus();
        assertThat(n.bitLength()).isGreaterThanOrEqualTo(2048);
        assertThat(RocaFingerprint.matches(n)).isTrue();
        rejects(TestCsrs.der(roca, "", List.of(dns("www.hospital.test"))), tls(), ErrorKind.BAD_PUBLIC_KEY, "ROCA");

        KeyPair normal = TestKeys.rsa(2048);
        assertThat(RocaFingerprint.matches(((java.security.interfaces.RSAPublicKey) normal.getPublic()).getModulus())).isFalse();
        assertThat(validator.validate(TestCsrs.der(normal, "", List.of(dns("www.hospital.test"))), tls())).isNotNull();
    }

    @Test
    void rejectsNamesOutsideTheProfile() {
        KeyPair kp = TestKeys.ec("secp256r1");
        record Case(List<GeneralName> names, String message) {
        }
        for (Case c : List.of(
                new Case(List.of(dns("www.example.com")), "'www.example.com' is outside"),
                new Case(List.of(dns("evil-hospital.test")), "'evil-hospital.test' is outside"),
                new Case(List.of(dns("hospital.test.evil.org")), "'hospital.test.evil.org' is outside"),
                new Case(List.of(dns("www.hospital.test"), dns("a.*.hospital.test")), "'a.*.hospital.test' is not valid"),
                new Case(List.of(dns("www.hospital.test.")), "ends with a dot"),
                new Case(List.of(dns("under_score.hospital.test")), "contains '_'"),
                new Case(List.of(dns("-x.hospital.test")), "hyphen"),
                new Case(List.of(dns("ab--c.hospital.test")), "reserved LDH label"),
                new Case(List.of(ip("8.8.8.8")), "IP address 8.8.8.8 is outside"),
                new Case(List.of(email("a@hospital.test")), "takes no email"),
                new Case(List.of(uri("https://www.hospital.test/")), "takes no URIs"))) {
            rejects(TestCsrs.der(kp, "", c.names()), tls(), ErrorKind.REJECTED_IDENTIFIER, c.message());
        }
        // IDNA A-labels are ordinary LDH names.
        assertThat(validator.validate(TestCsrs.der(kp, "", List.of(dns("xn--krankenhaus-mnchen-d3b.hospital.test"))), tls()))
                .isNotNull();
        CertificateProfile device = PROFILES.get("device");
        rejects(TestCsrs.der(kp, "serialNumber=P1", List.of(dns("*.devices.hospital.test"))), device,
                ErrorKind.REJECTED_IDENTIFIER, "wildcard");
        rejects(TestCsrs.der(kp, "serialNumber=P1", List.of(uri("https://devices.hospital.test.evil.org/x"))), device,
                ErrorKind.REJECTED_IDENTIFIER, "is outside");
        rejects(TestCsrs.der(kp, "serialNumber=P1", List.of(dns("pump.hospital.test"))), device,
                ErrorKind.REJECTED_IDENTIFIER, "is outside");
        rejects(TestCsrs.der(TestKeys.rsa(2048), "CN=Mallory", List.of(email("mallory@evil.test"))), PROFILES.get("user"),
                ErrorKind.REJECTED_IDENTIFIER, "'mallory@evil.test' is outside");
    }

    @Test
    void checksTheSubject() {
        KeyPair kp = TestKeys.ec("secp256r1");
        rejects(TestCsrs.der(kp, "CN=other.hospital.test", List.of(dns("www.hospital.test"))), tls(),
                ErrorKind.REJECTED_IDENTIFIER, "CN 'other.hospital.test' is not one of");
        rejects(TestCsrs.der(kp, "CN=www.hospital.test,serialNumber=1", List.of(dns("www.hospital.test"))), tls(),
                ErrorKind.BAD_CSR, "subject attribute SERIALNUMBER is not allowed");
        rejects(TestCsrs.der(kp, "CN=www.hospital.test", List.of()), tls(), ErrorKind.BAD_CSR, "at least 1");
        rejects(TestCsrs.der(kp, "O=Test Hospital", List.of(uri("urn:dev:mac:0024befffe804ff1"))), PROFILES.get("device"),
                ErrorKind.BAD_CSR, "must contain serialNumber");
        rejects(TestCsrs.der(TestKeys.rsa(2048), "O=Test Hospital", List.of(email("bob@hospital.test"))), PROFILES.get("user"),
                ErrorKind.BAD_CSR, "must contain CN");
        rejects(TestCsrs.der(kp, "CN=www.hospital.test,C=de", List.of(dns("www.hospital.test"))), tls(),
                ErrorKind.BAD_CSR, "C must");
        rejects(TestCsrs.der(kp, "O=A,O=B", List.of(dns("www.hospital.test"))), tls(), ErrorKind.BAD_CSR, "more than once");
        // The CN may be an IP SAN too.
        assertThat(validator.validate(TestCsrs.der(kp, "CN=10.0.0.7", List.of(ip("10.0.0.7"))), tls())).isNotNull();
    }

    @Test
    void rejectsARequestForACaCertificate() {
        byte[] csr = TestCsrs.der(TestKeys.ec("secp256r1"), "", List.of(dns("www.hospital.test")), "SHA256withECDSA", true);
        rejects(csr, tls(), ErrorKind.BAD_CSR, "cA=true");
    }

    @Test
    void expectedNamesMustMatchExactly() {
        byte[] csr = TestCsrs.der(TestKeys.ec("secp256r1"), "", List.of(dns("a.hospital.test"), dns("B.hospital.test")));
        assertThat(validator.validate(csr, tls(), List.of(dns("b.hospital.test"), dns("a.hospital.test")))).isNotNull();
        assertThatThrownBy(() -> validator.validate(csr, tls(), List.of(dns("a.hospital.test"))))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.BAD_CSR))
                .hasMessageContaining("unexpected [dns:b.hospital.test]");
        assertThatThrownBy(() -> validator.validate(csr, tls(),
                List.of(dns("a.hospital.test"), dns("b.hospital.test"), dns("c.hospital.test"))))
                .hasMessageContaining("missing [dns:c.hospital.test]");
    }

    private AbstractThrowableAssert<?, ?> rejects(byte[] csr, CertificateProfile profile, ErrorKind kind, String message) {
        return assertThatThrownBy(() -> validator.validate(csr, profile))
                .as(message)
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(kind))
                .hasMessageContaining(message);
    }
}
