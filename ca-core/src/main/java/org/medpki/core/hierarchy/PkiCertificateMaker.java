package org.medpki.core.hierarchy;

import java.io.IOException;
import java.util.function.Function;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.cert.X509CertificateHolder;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.inventory.CaRecord;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.inventory.Inventory;
import org.medpki.core.inventory.NewCa;
import org.medpki.core.keys.KeyAlgorithm;
import org.medpki.core.keys.KeyPairInfo;
import org.medpki.core.keys.SigningKeys;
import org.medpki.core.lint.CaCertificateLinter;
import org.medpki.core.signing.CertificateSigner;

/**
 * Makes one certificate of the PKI itself, the same way at the ceremony and at every rotation:
 * key generated in the token, to-be-signed certificate built for it, linted, signed with the
 * issuer's key in the token (the new key itself for a root), and recorded in the inventory.
 */
final class PkiCertificateMaker {
    private final SigningKeys keys;
    private final Inventory inventory;
    private final CertificateSigner signer;
    private final CaCertificateLinter linter = new CaCertificateLinter();

    PkiCertificateMaker(SigningKeys keys, Inventory inventory) {
        this.keys = keys;
        this.inventory = inventory;
        this.signer = new CertificateSigner(keys);
    }

    record Made(KeyPairInfo key, X509CertificateHolder certificate, byte[] der, CaRecord record) {
        CaCertificate ca() {
            return CaCertificate.of(record);
        }
    }

    /** {@code issuer} null makes a self-signed root. */
    Made make(String name, CaRole role, KeyAlgorithm algorithm, String keyLabel, CaCertificate issuer,
              Function<SubjectPublicKeyInfo, TBSCertificate> template) {
        KeyPairInfo key = keys.generate(algorithm, keyLabel);
        TBSCertificate tbs = template.apply(SubjectPublicKeyInfo.getInstance(key.publicKey().getEncoded()));
        linter.check(tbs, role, issuer == null ? null : issuer.certificate());
        X509CertificateHolder cert = issuer == null
                ? signer.sign(tbs, key.label(), algorithm.defaultSignatureAlgorithm(), key.publicKey())
                : signer.sign(tbs, issuer.keyLabel(), issuer.signatureAlgorithm(), issuer.publicKey());
        byte[] der;
        try {
            der = cert.getEncoded();
        } catch (IOException e) {
            throw new PkiException(ErrorKind.INTERNAL, "cannot encode the certificate of " + name, e);
        }
        CaRecord record = inventory.saveCa(new NewCa(name, role, issuer == null ? null : issuer.record().id(),
                key.label(), der, cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant()));
        return new Made(key, cert, der, record);
    }
}
