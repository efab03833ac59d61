package org.medpki.core.template;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;

/** Key identifiers for SKI and AKI. */
public final class KeyIdentifiers {
    private KeyIdentifiers() {
    }

    /**
     * RFC 7093 section 2 method 1: the leftmost 160 bits of the SHA-256 of the subjectPublicKey
     * BIT STRING's value.
     */
    public static byte[] of(SubjectPublicKeyInfo key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getPublicKeyData().getBytes());
            return Arrays.copyOf(digest, 20);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    /** The issuer's own SKI (what AKI must repeat), or one computed from its key if it has none. */
    public static byte[] ofIssuer(X509CertificateHolder issuer) {
        SubjectKeyIdentifier ski = SubjectKeyIdentifier.fromExtensions(issuer.getExtensions());
        return ski != null ? ski.getKeyIdentifier() : of(issuer.getSubjectPublicKeyInfo());
    }
}
