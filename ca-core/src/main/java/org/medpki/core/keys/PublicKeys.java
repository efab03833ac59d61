package org.medpki.core.keys;

import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Facts about public keys that several parts of the CA need. */
public final class PublicKeys {
    private PublicKeys() {
    }

    /** The key type of a PKI key, from its public half. */
    public static KeyAlgorithm algorithmOf(PublicKey key) {
        if (key instanceof RSAPublicKey rsa) {
            int bits = rsa.getModulus().bitLength();
            return switch (bits) {
                case 2048 -> KeyAlgorithm.RSA_2048;
                case 3072 -> KeyAlgorithm.RSA_3072;
                case 4096 -> KeyAlgorithm.RSA_4096;
                default -> throw new IllegalArgumentException("unsupported RSA key size " + bits);
            };
        }
        if (key instanceof ECPublicKey ec) {
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            return switch (bits) {
                case 256 -> KeyAlgorithm.EC_P256;
                case 384 -> KeyAlgorithm.EC_P384;
                default -> throw new IllegalArgumentException("unsupported EC curve size " + bits);
            };
        }
        String alg = key.getAlgorithm();
        if ("Ed25519".equalsIgnoreCase(alg) || "EdDSA".equalsIgnoreCase(alg)) {
            return KeyAlgorithm.ED25519;
        }
        throw new IllegalArgumentException("unsupported key type " + alg);
    }

    /** SHA-256 over the DER SubjectPublicKeyInfo, in lower-case hex: the key's fingerprint. */
    public static String fingerprint(PublicKey key) {
        return HexFormat.of().formatHex(sha256(key.getEncoded()));
    }

    public static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
