package org.medpki.ocsp;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;

/** The hash algorithms a CertID may use here: SHA-1 (RFC 5019's, what nginx and openssl send) and SHA-256. */
public enum CertIdHash {
    SHA1(OIWObjectIdentifiers.idSHA1, "SHA-1"),
    SHA256(NISTObjectIdentifiers.id_sha256, "SHA-256");

    private final ASN1ObjectIdentifier oid;
    private final String jcaName;
    private final AlgorithmIdentifier algorithmIdentifier;

    CertIdHash(ASN1ObjectIdentifier oid, String jcaName) {
        this.oid = oid;
        this.jcaName = jcaName;
        this.algorithmIdentifier = new AlgorithmIdentifier(oid, DERNull.INSTANCE);
    }

    public AlgorithmIdentifier algorithmIdentifier() {
        return algorithmIdentifier;
    }

    public byte[] digest(byte[] data) {
        try {
            return MessageDigest.getInstance(jcaName).digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(jcaName + " is missing from the JDK", e);
        }
    }

    /** The algorithm of that OID, or null when it is not one the responder supports. */
    public static CertIdHash of(ASN1ObjectIdentifier oid) {
        for (CertIdHash h : values()) {
            if (h.oid.equals(oid)) {
                return h;
            }
        }
        return null;
    }
}
