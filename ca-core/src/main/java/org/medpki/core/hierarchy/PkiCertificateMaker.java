package org.medpki.core.hierarchy;

import java.io.IOException;
import java.util.HexFormat;
import java.util.function.Function;
import org.bouncycastle.asn1.ASN1Encoding;
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
import org.medpki.core.keys.PublicKeys;
import org.medpki.core.keys.SigningKeys;
import org.medpki.core.lint.CaCertificateLinter;
import org.medpki.core.signing.CertificateSigner;

/**
 * Makes one certificate of the PKI itself, the same way at the ceremony and at every rotation:
 * key generated in the subject's token (which need not be the issuer's: OCSP signers' keys live in
 * a token of their own), to-be-signed certificate built for it, linted, signed with the issuer's
 * key in the issuer's token (the new key itself for a root), and recorded in the inventory. A key
 * generated elsewhere (proved by a PKCS#10 request) is certified the same way.
 */
final class PkiCertificateMaker {
    private final SigningKeys issuerKeys;
    private final Inventory inventory;
    private final CertificateSigner signer;
    private final CaCertificateLinter linter = new CaCertificateLinter();

    /** {@code issuerKeys}: the token holding the keys that sign (root, issuing CAs). */
    PkiCertificateMaker(SigningKeys issuerKeys, Inventory inventory) {
        this.issuerKeys = issuerKeys;
        this.inventory = inventory;
        this.signer = new CertificateSigner(issuerKeys);
    }

    /**
     * What was made: the key's label and public key (DER SubjectPublicKeyInfo), the token it is in
     * ({@code null} when the key was certified from a request), the certificate and its record.
     */
    record Made(String keyLabel, KeyAlgorithm keyAlgorithm, byte[] publicKey, String tokenLabel,
                X509CertificateHolder certificate, byte[] der, CaRecord record) {
        CaCertificate ca() {
            return CaCertificate.of(record);
        }

        String keySha256() {
            return HexFormat.of().formatHex(PublicKeys.sha256(publicKey));
        }
    }

    /** The key in the issuer's token; {@code issuer} null makes a self-signed root. */
    Made make(String name, CaRole role, KeyAlgorithm algorithm, String keyLabel, CaCertificate issuer,
              Function<SubjectPublicKeyInfo, TBSCertificate> template) {
        return make(issuerKeys, name, role, algorithm, keyLabel, issuer, template);
    }

    /** The key generated in {@code subjectKeys}; {@code issuer} null makes a self-signed root (then in the issuer's token). */
    Made make(SigningKeys subjectKeys, String name, CaRole role, KeyAlgorithm algorithm, String keyLabel,
              CaCertificate issuer, Function<SubjectPublicKeyInfo, TBSCertificate> template) {
        if (issuer == null && subjectKeys != issuerKeys) {
            throw new IllegalArgumentException("a root's key is in the token that signs");
        }
        KeyPairInfo key = subjectKeys.generate(algorithm, keyLabel);
        SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(key.publicKey().getEncoded());
        TBSCertificate tbs = template.apply(spki);
        linter.check(tbs, role, issuer == null ? null : issuer.certificate());
        X509CertificateHolder cert = issuer == null
                ? signer.sign(tbs, key.label(), algorithm.defaultSignatureAlgorithm(), key.publicKey())
                : signer.sign(tbs, issuer.keyLabel(), issuer.signatureAlgorithm(), issuer.publicKey());
        return record(name, role, key.label(), algorithm, key.publicKey().getEncoded(), subjectKeys.token().label(),
                issuer, cert);
    }

    /** A key held outside the issuer's token (its holder proved possession): certified by {@code issuer}. */
    Made certify(String name, CaRole role, String keyLabel, SubjectPublicKeyInfo key, KeyAlgorithm algorithm,
                 CaCertificate issuer, Function<SubjectPublicKeyInfo, TBSCertificate> template) {
        TBSCertificate tbs = template.apply(key);
        linter.check(tbs, role, issuer.certificate());
        X509CertificateHolder cert = signer.sign(tbs, issuer.keyLabel(), issuer.signatureAlgorithm(),
                issuer.publicKey());
        byte[] spki;
        try {
            spki = key.getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new PkiException(ErrorKind.INTERNAL, "cannot encode the public key of " + name, e);
        }
        return record(name, role, keyLabel, algorithm, spki, null, issuer, cert);
    }

    private Made record(String name, CaRole role, String keyLabel, KeyAlgorithm algorithm, byte[] spki,
                        String tokenLabel, CaCertificate issuer, X509CertificateHolder cert) {
        byte[] der;
        try {
            der = cert.getEncoded();
        } catch (IOException e) {
            throw new PkiException(ErrorKind.INTERNAL, "cannot encode the certificate of " + name, e);
        }
        CaRecord record = inventory.saveCa(new NewCa(name, role, issuer == null ? null : issuer.record().id(),
                keyLabel, der, cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant()));
        return new Made(keyLabel, algorithm, spki, tokenLabel, cert, der, record);
    }
}
