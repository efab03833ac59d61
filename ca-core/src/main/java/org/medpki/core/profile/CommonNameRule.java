package org.medpki.core.profile;

/** What a profile says about the subject's commonName. */
public enum CommonNameRule {
    /** No CN may be present. */
    FORBIDDEN,
    /** CN may be present with any (length-checked) value. */
    OPTIONAL,
    /** CN must be present. */
    REQUIRED,
    /** CN may be omitted; when present it must equal one of the DNS/IP SANs (case-insensitive). */
    SAN;

    public static CommonNameRule parse(String name) {
        return switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "forbidden" -> FORBIDDEN;
            case "optional" -> OPTIONAL;
            case "required" -> REQUIRED;
            case "san" -> SAN;
            default -> throw new IllegalArgumentException("unknown commonName rule '" + name
                    + "' (known: forbidden, optional, required, san)");
        };
    }
}
