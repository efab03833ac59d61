package org.medpki.core.crl;

/** A complete CRL for its scope, or a delta CRL listing changes since a complete one (RFC 5280 5.2.4). */
public enum CrlKind {
    FULL("full"),
    DELTA("delta");

    private final String wireName;

    CrlKind(String wireName) {
        this.wireName = wireName;
    }

    /** The name stored in the crl table. */
    public String wireName() {
        return wireName;
    }

    public static CrlKind ofWireName(String name) {
        for (CrlKind k : values()) {
            if (k.wireName.equals(name)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown CRL kind '" + name + "'");
    }
}
