package org.medpki.core.profile;

import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/** The kind of a subject public key, as far as key usage and signature algorithms care. */
public enum KeyFamily {
    RSA, EC, ED25519;

    /** The family of a SubjectPublicKeyInfo, or null when it is none the PKI supports. */
    public static KeyFamily of(SubjectPublicKeyInfo spki) {
        var oid = spki.getAlgorithm().getAlgorithm();
        if (PKCSObjectIdentifiers.rsaEncryption.equals(oid)) {
            return RSA;
        }
        if (X9ObjectIdentifiers.id_ecPublicKey.equals(oid)) {
            return EC;
        }
        if (EdECObjectIdentifiers.id_Ed25519.equals(oid)) {
            return ED25519;
        }
        return null;
    }
}
