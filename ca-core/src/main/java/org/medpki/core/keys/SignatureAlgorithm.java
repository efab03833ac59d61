package org.medpki.core.keys;

/**
 * Signature schemes the PKI's keys sign with. {@link SigningKeys#sign} returns signatures in the
 * encoding X.509 wants: DER SEQUENCE{r,s} for ECDSA, the raw octets for RSA and Ed25519.
 */
public enum SignatureAlgorithm {
    ECDSA_SHA256("SHA256withECDSA", "SHA-256"),
    ECDSA_SHA384("SHA384withECDSA", "SHA-384"),
    RSA_PKCS1_SHA256("SHA256withRSA", "SHA-256"),
    RSA_PKCS1_SHA384("SHA384withRSA", "SHA-384"),
    RSA_PKCS1_SHA512("SHA512withRSA", "SHA-512"),
    RSA_PSS_SHA256("SHA256withRSAandMGF1", "SHA-256"),
    RSA_PSS_SHA384("SHA384withRSAandMGF1", "SHA-384"),
    RSA_PSS_SHA512("SHA512withRSAandMGF1", "SHA-512"),
    ED25519("Ed25519", null);

    private final String jcaName;
    private final String digest;

    SignatureAlgorithm(String jcaName, String digest) {
        this.jcaName = jcaName;
        this.digest = digest;
    }

    /** The name BouncyCastle's and the JDK's signature factories know this scheme by. */
    public String jcaName() {
        return jcaName;
    }

    /** The JCA digest name, or null for Ed25519 which hashes internally. */
    public String digest() {
        return digest;
    }

    public boolean isEcdsa() {
        return name().startsWith("ECDSA");
    }

    public boolean isRsa() {
        return name().startsWith("RSA");
    }

    public boolean isPss() {
        return name().startsWith("RSA_PSS");
    }

    /** True when a key of the given type can make this signature. */
    public boolean fits(KeyAlgorithm key) {
        return switch (key.family()) {
            case "EC" -> isEcdsa();
            case "RSA" -> isRsa();
            default -> this == ED25519;
        };
    }
}
