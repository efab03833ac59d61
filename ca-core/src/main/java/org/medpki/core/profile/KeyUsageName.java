package org.medpki.core.profile;


import org.bouncycastle.asn1.x509.KeyUsage;

/** The keyUsage bits (RFC 5280 4.2.1.3) by the names profiles use. */
public enum KeyUsageName {
    DIGITAL_SIGNATURE("digitalSignature", KeyUsage.digitalSignature),
    NON_REPUDIATION("nonRepudiation", KeyUsage.nonRepudiation),
    KEY_ENCIPHERMENT("keyEncipherment", KeyUsage.keyEncipherment),
    DATA_ENCIPHERMENT("dataEncipherment", KeyUsage.dataEncipherment),
    KEY_AGREEMENT("keyAgreement", KeyUsage.keyAgreement),
    KEY_CERT_SIGN("keyCertSign", KeyUsage.keyCertSign),
    CRL_SIGN("cRLSign", KeyUsage.cRLSign);

    private final String yamlName;
    private final int bit;

    KeyUsageName(String yamlName, int bit) {
        this.yamlName = yamlName;
        this.bit = bit;
    }

    public String yamlName() {
        return yamlName;
    }

    /** The BouncyCastle {@link KeyUsage} bit mask. */
    public int bit() {
        return bit;
    }

    /** Whether a key of this family can do what the bit asserts (RSA encrypts, EC agrees). */
    public boolean appliesTo(KeyFamily family) {
        return switch (this) {
            case KEY_ENCIPHERMENT, DATA_ENCIPHERMENT -> family == KeyFamily.RSA;
            case KEY_AGREEMENT -> family == KeyFamily.EC;
            default -> true;
        };
    }

    /** True for the bits only a CA may have. */
    public boolean isCaUsage() {
        return this == KEY_CERT_SIGN || this == CRL_SIGN;
    }

    public static KeyUsageName parse(String name) {
        for (KeyUsageName k : values()) {
            if (k.yamlName.equalsIgnoreCase(name.trim())) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown key usage '" + name + "' (known: "
                + String.join(", ", java.util.Arrays.stream(values()).map(KeyUsageName::yamlName).toList()) + ")");
    }

    @Override
    public String toString() {
        return yamlName;
    }
}
