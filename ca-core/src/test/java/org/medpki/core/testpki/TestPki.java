package org.medpki.core.testpki;

import java.math.BigInteger;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.cert.X509CertificateHolder;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.keys.SignatureAlgorithm;
import org.medpki.core.lint.CaCertificateLinter;
import org.medpki.core.template.CaTemplates;
import org.medpki.core.template.IssuerInfo;
import org.medpki.core.template.SerialNumbers;
import org.medpki.core.template.SignatureAlgorithms;

/**
 * A software root and one issuing CA made with the production templates and linter, for unit
 * tests of certificate content. Root: EC P-384; issuing CA: the key and algorithm given.
 */
public record TestPki(KeyPair rootKey, X509CertificateHolder root, IssuerInfo rootInfo, KeyPair issuingKey,
                      X509CertificateHolder issuingCert, IssuerInfo issuing, SignatureAlgorithm issuingAlgorithm) {
    public static final String CP_OID = "1.3.6.1.4.1.55555.1.1";
    public static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    public static TestPki create(String issuingName, KeyPair issuingKey, SignatureAlgorithm issuingAlgorithm) {
        return create(issuingName, issuingKey, issuingAlgorithm, NOW.plus(Duration.ofDays(5 * 365)));
    }

    public static TestPki create(String issuingName, KeyPair issuingKey, SignatureAlgorithm issuingAlgorithm,
                                 Instant issuingNotAfter) {
        var templates = new CaTemplates();
        var linter = new CaCertificateLinter();
        var serials = new SerialNumbers();
        KeyPair rootKey = TestKeys.ec("secp384r1");
        var rootAlg = SignatureAlgorithm.ECDSA_SHA384;
        TBSCertificate rootTbs = templates.root(new X500Name("CN=MedPKI Test Root,O=Test Hospital,C=DE"),
                spki(rootKey), SignatureAlgorithms.forAlgorithm(rootAlg), serials.next(),
                NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(20 * 365)));
        linter.check(rootTbs, CaRole.ROOT, null);
        X509CertificateHolder root = SoftwareSigner.sign(rootTbs, rootKey.getPrivate(), rootAlg);
        IssuerInfo rootInfo = new IssuerInfo("root", root, SignatureAlgorithms.forAlgorithm(rootAlg));

        TBSCertificate issuingTbs = templates.issuing(rootInfo,
                new X500Name("CN=MedPKI Test " + issuingName + ",O=Test Hospital,C=DE"), spki(issuingKey),
                serials.next(), NOW.minus(Duration.ofHours(12)), issuingNotAfter, 0, List.of(CP_OID),
                "http://crl.hospital.test/root.crl", "http://pki.hospital.test/certs/root.crt");
        linter.check(issuingTbs, CaRole.ISSUING, root);
        X509CertificateHolder issuingCert = SoftwareSigner.sign(issuingTbs, rootKey.getPrivate(), rootAlg);
        return new TestPki(rootKey, root, rootInfo, issuingKey, issuingCert,
                new IssuerInfo(issuingName, issuingCert, SignatureAlgorithms.forAlgorithm(issuingAlgorithm)),
                issuingAlgorithm);
    }

    public X509CertificateHolder signByIssuing(TBSCertificate tbs) {
        return SoftwareSigner.sign(tbs, issuingKey.getPrivate(), issuingAlgorithm);
    }

    public static SubjectPublicKeyInfo spki(KeyPair kp) {
        return SubjectPublicKeyInfo.getInstance(kp.getPublic().getEncoded());
    }

    public static BigInteger serial() {
        return new SerialNumbers().next();
    }
}
