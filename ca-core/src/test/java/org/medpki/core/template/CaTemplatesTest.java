package org.medpki.core.template;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.keys.SignatureAlgorithm;
import org.medpki.core.lint.CaCertificateLinter;
import org.medpki.core.testpki.SoftwareSigner;
import org.medpki.core.testpki.TestKeys;
import org.medpki.core.testpki.TestPki;

class CaTemplatesTest {
    final CaTemplates templates = new CaTemplates();
    final CaCertificateLinter linter = new CaCertificateLinter();

    @TempDir
    Path tmp;

    @Test
    void rootAndIssuingCaAreWellFormed() throws Exception {
        TestPki pki = TestPki.create("server-ca", TestKeys.freshEc("secp256r1"), SignatureAlgorithm.ECDSA_SHA256);
        X509Certificate root = SoftwareSigner.jdk(pki.root());
        root.verify(root.getPublicKey());
        assertThat(root.getBasicConstraints()).isEqualTo(Integer.MAX_VALUE);
        assertThat(root.getKeyUsage()[5]).isTrue();
        assertThat(root.getKeyUsage()[6]).isTrue();
        assertThat(root.getExtensionValue("2.5.29.35")).as("no AKI on the root").isNull();
        X509Certificate issuing = SoftwareSigner.jdk(pki.issuingCert());
        issuing.verify(root.getPublicKey());
        assertThat(issuing.getBasicConstraints()).isEqualTo(0);
        assertThat(issuing.getCriticalExtensionOIDs()).containsExactlyInAnyOrder("2.5.29.19", "2.5.29.15");
        assertThat(linter.lint(tbs(pki.issuingCert()), CaRole.ISSUING, pki.root())).isEmpty();
        assertThat(linter.lint(tbs(pki.root()), CaRole.ROOT, null)).isEmpty();
    }

    @Test
    void ocspAndAuditSignersAreLintCleanAndShowTheirMarks() throws Exception {
        TestPki pki = TestPki.create("server-ca", TestKeys.rsa(2048), SignatureAlgorithm.RSA_PKCS1_SHA256);
        KeyPair ocspKey = TestKeys.freshEc("secp256r1");
        TBSCertificate ocsp = templates.ocspSigner(pki.issuing(), new X500Name("CN=server-ca OCSP signer,O=Test Hospital"),
                TestPki.spki(ocspKey), TestPki.serial(), TestPki.NOW, TestPki.NOW.plus(Duration.ofDays(30)));
        assertThat(linter.lint(ocsp, CaRole.OCSP_SIGNER, pki.issuingCert())).isEmpty();
        X509CertificateHolder ocspCert = pki.signByIssuing(ocsp);
        X509Certificate jdk = SoftwareSigner.jdk(ocspCert);
        jdk.verify(SoftwareSigner.jdk(pki.issuingCert()).getPublicKey());
        assertThat(jdk.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.9");
        assertThat(jdk.getExtensionValue("1.3.6.1.5.5.7.48.1.5")).as("ocsp-nocheck").isNotNull();
        assertThat(jdk.getKeyUsage()[0]).isTrue();
        assertThat(jdk.getBasicConstraints()).isEqualTo(-1);
        assertThat(jdk.getSigAlgName()).isEqualTo("SHA256withRSA");

        var pem = tmp.resolve("ocsp.pem");
        java.nio.file.Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n"
                + java.util.Base64.getMimeEncoder().encodeToString(ocspCert.getEncoded()) + "\n-----END CERTIFICATE-----\n");
        assertThat(EndEntityTemplateTest.run("openssl", "x509", "-in", pem.toString(), "-noout", "-text"))
                .contains("OCSP Signing").contains("OCSP No Check");

        TBSCertificate audit = templates.auditSigner(pki.rootInfo(), new X500Name("CN=MedPKI audit signer"),
                TestPki.spki(TestKeys.freshEc("secp384r1")), TestPki.serial(), TestPki.NOW, TestPki.NOW.plus(Duration.ofDays(365)));
        assertThat(linter.lint(audit, CaRole.AUDIT, pki.root())).isEmpty();
        X509Certificate auditCert = SoftwareSigner.jdk(SoftwareSigner.sign(audit, pki.rootKey().getPrivate(),
                SignatureAlgorithm.ECDSA_SHA384));
        assertThat(auditCert.getKeyUsage()[0]).isTrue();
        assertThat(auditCert.getKeyUsage()[1]).as("nonRepudiation").isTrue();
        assertThat(auditCert.getExtendedKeyUsage()).isNull();
    }

    static TBSCertificate tbs(X509CertificateHolder cert) {
        return cert.toASN1Structure().getTBSCertificate();
    }
}
