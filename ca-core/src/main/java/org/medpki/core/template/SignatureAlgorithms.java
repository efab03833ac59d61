package org.medpki.core.template;

import java.util.Optional;

import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.medpki.core.keys.SignatureAlgorithm;
import org.medpki.core.profile.KeyFamily;

/**
 * The X.509 AlgorithmIdentifier of each signature scheme, encoded as RFC 5758 (ECDSA: parameters
 * absent), RFC 4055 (PKCS#1 v1.5: NULL; RSASSA-PSS: full parameters, MGF1 with the same hash, salt
 * as long as the hash) and RFC 8410 (Ed25519: absent).
 */
public final class SignatureAlgorithms {
    private SignatureAlgorithms() {
    }

    public static AlgorithmIdentifier forAlgorithm(SignatureAlgorithm alg) {
        return switch (alg) {
            case ECDSA_SHA256 -> new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA256);
            case ECDSA_SHA384 -> new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA384);
            case RSA_PKCS1_SHA256 -> new AlgorithmIdentifier(PKCSObjectIdentifiers.sha256WithRSAEncryption, DERNull.INSTANCE);
            case RSA_PKCS1_SHA384 -> new AlgorithmIdentifier(PKCSObjectIdentifiers.sha384WithRSAEncryption, DERNull.INSTANCE);
            case RSA_PKCS1_SHA512 -> new AlgorithmIdentifier(PKCSObjectIdentifiers.sha512WithRSAEncryption, DERNull.INSTANCE);
            case RSA_PSS_SHA256 -> pss(NISTObjectIdentifiers.id_sha256, 32);
            case RSA_PSS_SHA384 -> pss(NISTObjectIdentifiers.id_sha384, 48);
            case RSA_PSS_SHA512 -> pss(NISTObjectIdentifiers.id_sha512, 64);
            case ED25519 -> new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519);
        };
    }

    /** The scheme whose identifier is exactly this encoding, if any. */
    public static Optional<SignatureAlgorithm> of(AlgorithmIdentifier id) {
        for (SignatureAlgorithm a : SignatureAlgorithm.values()) {
            if (forAlgorithm(a).equals(id)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** Whether a key of this SubjectPublicKeyInfo can make signatures of this identifier. */
    public static boolean fits(AlgorithmIdentifier signature, SubjectPublicKeyInfo key) {
        KeyFamily family = KeyFamily.of(key);
        return family != null && of(signature).map(a -> switch (family) {
            case RSA -> a.isRsa();
            case EC -> a.isEcdsa();
            case ED25519 -> a == SignatureAlgorithm.ED25519;
        }).orElse(false);
    }

    private static AlgorithmIdentifier pss(ASN1ObjectIdentifier hash, int saltLength) {
        AlgorithmIdentifier hashId = new AlgorithmIdentifier(hash, DERNull.INSTANCE);
        AlgorithmIdentifier mgf = new AlgorithmIdentifier(PKCSObjectIdentifiers.id_mgf1, hashId);
        return new AlgorithmIdentifier(PKCSObjectIdentifiers.id_RSASSA_PSS,
                new RSASSAPSSparams(hashId, mgf, new ASN1Integer(saltLength), new ASN1Integer(1)));
    }
}
