package org.medpki.core.lint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.medpki.core.testpki.TestCsrs.dns;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.keys.SignatureAlgorithm;
import org.medpki.core.policy.RequestValidator;
import org.medpki.core.profile.CertificateProfile;
import org.medpki.core.template.CaTemplates;
import org.medpki.core.template.EndEntityTemplate;
import org.medpki.core.template.SignatureAlgorithms;
import org.medpki.core.testpki.TbsEditor;
import org.medpki.core.testpki.TestCsrs;
import org.medpki.core.testpki.TestKeys;
import org.medpki.core.testpki.TestPki;
import org.medpki.core.testpki.TestProfiles;

class CertificateLinterTest {
    static CertificateProfile profile;
    static TestPki pki;
    static TBSCertificate good;
    final CertificateLinter linter = new CertificateLinter();

    @BeforeAll
    static void setUp() {
        profile = TestProfiles.catalog().get("tls-server");
        pki = TestPki.create("server-ca", TestKeys.freshEc("secp256r1"), SignatureAlgorithm.ECDSA_SHA256);
        var req = new RequestValidator().validate(TestCsrs.der(TestKeys.ec("secp256r1"), "CN=www.hospital.test",
                List.of(dns("www.hospital.test"))), profile);
        good = new EndEntityTemplate().build(profile, req, pki.issuing(), TestPki.serial(), TestPki.NOW, null);
    }

    @Test
    void theTemplatesOutputIsClean() {
        assertThat(linter.lint(good, profile, pki.issuingCert())).isEmpty();
        linter.check(good, profile, pki.issuingCert());
    }

    @Test
    void catchesBrokenCertificates() {
        expect(e -> e.remove(Extension.authorityKeyIdentifier), "e_aki_missing");
        expect(e -> e.replace(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(new byte[20])), "e_aki_mismatch");
        expect(e -> e.remove(Extension.subjectKeyIdentifier), "e_ski_missing");
        expect(e -> e.replace(Extension.basicConstraints, true, new BasicConstraints(true)), "e_bc_ca");
        expect(e -> e.replace(Extension.basicConstraints, false, new BasicConstraints(false)), "e_bc_not_critical");
        expect(e -> e.remove(Extension.basicConstraints), "e_bc_missing");
        expect(e -> e.notAfter(TestPki.NOW.plus(Duration.ofDays(400))), "e_validity_too_long");
        expect(e -> e.notAfter(TestPki.NOW.minus(Duration.ofDays(1))), "e_validity_order");
        expect(e -> e.serial(BigInteger.valueOf(12345)), "e_serial_low_entropy");
        expect(e -> e.serial(BigInteger.ONE.shiftLeft(170)), "e_serial_too_long");
        expect(e -> e.serial(BigInteger.valueOf(-5).shiftLeft(100)), "e_serial_not_positive");
        expect(e -> e.issuer(new X500Name("CN=Somebody Else")), "e_issuer_dn_mismatch");
        expect(e -> e.signature(SignatureAlgorithms.forAlgorithm(SignatureAlgorithm.RSA_PKCS1_SHA256)),
                "e_signature_algorithm_key_mismatch");
        expect(e -> e.replace(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment)),
                "e_ku_key_type");
        expect(e -> e.replace(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign)),
                "e_ku_ca_usage");
        expect(e -> e.replace(Extension.keyUsage, false, new KeyUsage(KeyUsage.digitalSignature)), "e_ku_not_critical");
        expect(e -> e.replace(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {
            KeyPurposeId.id_kp_serverAuth, KeyPurposeId.anyExtendedKeyUsage})), "e_eku_any");
        expect(e -> e.replace(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_codeSigning)),
                "e_eku_not_allowed");
        expect(e -> e.replace(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth)),
                "e_eku_required_missing");
        expect(e -> e.remove(Extension.subjectAlternativeName), "e_san_missing");
        expect(e -> e.replace(Extension.subjectAlternativeName, false,
                new GeneralNames(new GeneralName(GeneralName.dNSName, "www.evil.test"))), "e_san_not_allowed");
        expect(e -> e.replace(Extension.subjectAlternativeName, true,
                new GeneralNames(new GeneralName(GeneralName.dNSName, "www.hospital.test"))), "e_san_criticality");
        expect(e -> e.remove(Extension.certificatePolicies), "e_policy_missing");
        expect(e -> e.remove(Extension.cRLDistributionPoints), "e_crldp_missing");
        expect(e -> e.remove(Extension.authorityInfoAccess), "e_aia_ocsp_missing");
        expect(e -> e.replace(new org.bouncycastle.asn1.ASN1ObjectIdentifier("1.3.6.1.4.1.55555.99"), true,
                org.bouncycastle.asn1.DERNull.INSTANCE), "e_unknown_critical_extension");
    }

    @Test
    void unknownNonCriticalExtensionIsOnlyAWarning() {
        TBSCertificate t = TbsEditor.edit(good, e -> e.replace(
                new org.bouncycastle.asn1.ASN1ObjectIdentifier("1.3.6.1.4.1.55555.99"), false, org.bouncycastle.asn1.DERNull.INSTANCE));
        List<LintFinding> findings = linter.lint(t, profile, pki.issuingCert());
        assertThat(findings).extracting(LintFinding::code).containsExactly("w_unexpected_extension");
        assertThat(findings).noneMatch(LintFinding::isError);
        linter.check(t, profile, pki.issuingCert());
    }

    @Test
    void checkThrowsLintFailedNamingTheFindings() {
        TBSCertificate broken = TbsEditor.edit(good, e -> e.remove(Extension.authorityKeyIdentifier)
                .replace(Extension.basicConstraints, true, new BasicConstraints(true)));
        assertThatThrownBy(() -> linter.check(broken, profile, pki.issuingCert()))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.LINT_FAILED))
                .hasMessageStartingWith("certificate failed lint: ")
                .hasMessageContaining("e_aki_missing").hasMessageContaining("e_bc_ca");
    }

    @Test
    void catchesDuplicateExtensionsAndAWrongVersion() throws IOException {
        ASN1Sequence seq = ASN1Sequence.getInstance(good.getEncoded());
        ASN1EncodableVector v = new ASN1EncodableVector();
        for (ASN1Encodable part : seq) {
            if (part instanceof org.bouncycastle.asn1.ASN1TaggedObject t && t.getTagNo() == 3) {
                ASN1EncodableVector exts = new ASN1EncodableVector();
                ASN1Sequence list = ASN1Sequence.getInstance(t.getExplicitBaseObject());
                list.forEach(exts::add);
                exts.add(list.getObjectAt(0));
                v.add(new DERTaggedObject(true, 3, new DERSequence(exts)));
            } else {
                v.add(part);
            }
        }
        List<LintFinding> findings = linter.lintEncoded(new DERSequence(v).getEncoded(), profile, pki.issuingCert());
        assertThat(findings).extracting(LintFinding::code).contains("e_duplicate_extension");

        TBSCertificate v1 = new TBSCertificate(new org.bouncycastle.asn1.ASN1Integer(0), good.getSerialNumber(),
                good.getSignature(), good.getIssuer(), good.getValidity(), good.getSubject(),
                good.getSubjectPublicKeyInfo(), null, null, good.getExtensions());
        assertThat(linter.lint(v1, profile, pki.issuingCert())).extracting(LintFinding::code).contains("e_version");
    }

    @Test
    void validityOutsideTheIssuerIsAnError() {
        TestPki shortCa = TestPki.create("server-ca", TestKeys.freshEc("secp256r1"), SignatureAlgorithm.ECDSA_SHA256,
                TestPki.NOW.plus(Duration.ofDays(10)));
        List<LintFinding> findings = linter.lint(TbsEditor.edit(good, e -> e.issuer(shortCa.issuingCert().getSubject())),
                profile, shortCa.issuingCert());
        assertThat(findings).extracting(LintFinding::code).contains("e_validity_outside_issuer", "e_aki_mismatch");
    }

    @Test
    void caLinterCatchesBrokenPkiCertificates() {
        var templates = new CaTemplates();
        var caLinter = new CaCertificateLinter();
        var key = TestPki.spki(TestKeys.freshEc("secp256r1"));
        TBSCertificate issuing = templates.issuing(pki.rootInfo(), new X500Name("CN=Another CA"), key, TestPki.serial(),
                TestPki.NOW, TestPki.NOW.plus(Duration.ofDays(365)), 0, List.of(TestPki.CP_OID), null, null);
        assertThat(caLinter.lint(issuing, CaRole.ISSUING, pki.root())).isEmpty();
        assertThat(caLinter.lint(TbsEditor.edit(issuing, e -> e.replace(Extension.basicConstraints, true, new BasicConstraints(true))),
                CaRole.ISSUING, pki.root())).extracting(LintFinding::code).containsExactly("e_bc_path_len_missing");
        assertThat(caLinter.lint(TbsEditor.edit(issuing, e -> e.replace(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign))),
                CaRole.ISSUING, pki.root())).extracting(LintFinding::code).containsExactly("e_ku_ca");
        // An issuing CA outliving the root.
        assertThat(caLinter.lint(TbsEditor.edit(issuing, e -> e.notAfter(TestPki.NOW.plus(Duration.ofDays(365 * 30)))),
                CaRole.ISSUING, pki.root())).extracting(LintFinding::code).containsExactly("e_validity_outside_issuer");
        // Signed by an end-entity "CA".
        TBSCertificate ocsp = templates.ocspSigner(pki.issuing(), new X500Name("CN=OCSP"), key, TestPki.serial(),
                TestPki.NOW, TestPki.NOW.plus(Duration.ofDays(30)));
        assertThat(caLinter.lint(ocsp, CaRole.OCSP_SIGNER, pki.issuingCert())).isEmpty();
        assertThat(caLinter.lint(TbsEditor.edit(ocsp, e -> e.remove(OCSPObjectIdentifiers.id_pkix_ocsp_nocheck)),
                CaRole.OCSP_SIGNER, pki.issuingCert())).extracting(LintFinding::code).containsExactly("e_ocsp_nocheck_missing");
        assertThat(caLinter.lint(TbsEditor.edit(ocsp, e -> e.replace(Extension.extendedKeyUsage, false,
                new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))), CaRole.OCSP_SIGNER, pki.issuingCert()))
                .extracting(LintFinding::code).containsExactly("e_eku_ocsp");
        assertThat(caLinter.lint(ocsp, CaRole.AUDIT, pki.issuingCert())).extracting(LintFinding::code)
                .contains("e_ku_audit", "e_eku_audit", "e_ocsp_nocheck_misplaced");
        assertThatThrownBy(() -> caLinter.check(TbsEditor.edit(ocsp, e -> e.replace(Extension.basicConstraints, true,
                new BasicConstraints(true))), CaRole.OCSP_SIGNER, pki.issuingCert()))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.LINT_FAILED))
                .hasMessageContaining("ocsp-signer certificate failed lint").hasMessageContaining("e_bc_ca");
    }

    private void expect(Consumer<TbsEditor> change, String code) {
        TBSCertificate broken = TbsEditor.edit(good, change);
        assertThat(linter.lint(broken, profile, pki.issuingCert())).as(code)
                .extracting(LintFinding::code).contains(code);
    }
}
