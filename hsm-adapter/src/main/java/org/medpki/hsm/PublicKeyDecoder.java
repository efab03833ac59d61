package org.medpki.hsm;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.medpki.core.keys.KeyAlgorithm;

/**
 * Turns the public key attributes a token reports (CKA_EC_POINT and CKA_EC_PARAMS, or CKA_MODULUS
 * and CKA_PUBLIC_EXPONENT) into a JCA {@link PublicKey} via its SubjectPublicKeyInfo.
 */
final class PublicKeyDecoder {

    private PublicKeyDecoder() {
    }

    static PublicKey rsa(BigInteger modulus, BigInteger exponent) {
        try {
            return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(modulus, exponent));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the token's RSA public key is not valid", e);
        }
    }

    /** An EC or Ed25519 key; {@code point} may be the raw point or a DER OCTET STRING around it. */
    static PublicKey ecOrEdwards(KeyAlgorithm algorithm, byte[] point) {
        try {
            SubjectPublicKeyInfo spki;
            String jcaFamily;
            if (algorithm == KeyAlgorithm.ED25519) {
                spki = new SubjectPublicKeyInfo(new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519),
                        unwrapPoint(point, 32));
                jcaFamily = "Ed25519";
            } else {
                var spec = MechanismTable.KEY_SPECS.get(algorithm);
                int fieldBytes = (algorithm.bits() + 7) / 8;
                spki = new SubjectPublicKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey,
                        new ASN1ObjectIdentifier(spec.curveOid())), unwrapPoint(point, 2 * fieldBytes + 1));
                jcaFamily = "EC";
            }
            return KeyFactory.getInstance(jcaFamily)
                    .generatePublic(new X509EncodedKeySpec(spki.getEncoded(ASN1Encoding.DER)));
        } catch (GeneralSecurityException | IOException | IllegalArgumentException e) {
            throw new IllegalStateException("the token's " + algorithm + " public key is not valid", e);
        }
    }

    /** PKCS#11 v2.40 says DER OCTET STRING, many tokens give the raw point: accept both. */
    private static byte[] unwrapPoint(byte[] point, int rawLength) {
        if (point.length == rawLength) {
            return point;
        }
        byte[] inner = ASN1OctetString.getInstance(point).getOctets();
        if (inner.length != rawLength) {
            throw new IllegalArgumentException("public point of " + inner.length + " bytes, expected " + rawLength);
        }
        return Arrays.copyOf(inner, inner.length);
    }
}
