package org.medpki.core.keys;

/** Key types that the PKI's own keys (CA, OCSP signer, audit) may have inside the token. */
public enum KeyAlgorithm {
    EC_P256("EC", 256),
    EC_P384("EC", 384),
    RSA_2048("RSA", 2048),
    RSA_3072("RSA", 3072),
    RSA_4096("RSA", 4096),
    ED25519("Ed25519", 255);

    private final String family;
    private final int bits;

    KeyAlgorithm(String family, int bits) {
        this.family = family;
        this.bits = bits;
    }

    /** JCA family name: EC, RSA or Ed25519. */
    public String family() {
        return family;
    }

    public int bits() {
        return bits;
    }

    /** The signature algorithm a CA key of this type uses by default. */
    public SignatureAlgorithm defaultSignatureAlgorithm() {
        return switch (this) {
            case EC_P256 -> SignatureAlgorithm.ECDSA_SHA256;
            case EC_P384 -> SignatureAlgorithm.ECDSA_SHA384;
            case RSA_2048, RSA_3072, RSA_4096 -> SignatureAlgorithm.RSA_PKCS1_SHA256;
            case ED25519 -> SignatureAlgorithm.ED25519;
        };
    }

    /** Parses names such as {@code ec-p256}, {@code EC_P256}, {@code rsa-3072}, {@code ed25519}. */
    public static KeyAlgorithm parse(String name) {
        String n = name.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
        for (KeyAlgorithm a : values()) {
            if (a.name().equals(n)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown key algorithm '" + name
                + "' (expected one of ec-p256, ec-p384, rsa-2048, rsa-3072, rsa-4096, ed25519)");
    }
}
