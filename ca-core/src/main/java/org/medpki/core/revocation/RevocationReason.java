package org.medpki.core.revocation;

import java.util.Locale;

/** RFC 5280 section 5.3.1 CRLReason, with its code. Code 7 is unused in the RFC. */
public enum RevocationReason {
    UNSPECIFIED(0),
    KEY_COMPROMISE(1),
    CA_COMPROMISE(2),
    AFFILIATION_CHANGED(3),
    SUPERSEDED(4),
    CESSATION_OF_OPERATION(5),
    CERTIFICATE_HOLD(6),
    REMOVE_FROM_CRL(8),
    PRIVILEGE_WITHDRAWN(9),
    AA_COMPROMISE(10);

    private final int code;

    RevocationReason(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The RFC's name: keyCompromise, superseded, ... */
    public String rfcName() {
        String[] parts = name().toLowerCase(Locale.ROOT).split("_");
        StringBuilder b = new StringBuilder(parts[0]);
        for (int i = 1; i < parts.length; i++) {
            b.append(Character.toUpperCase(parts[i].charAt(0))).append(parts[i].substring(1));
        }
        return b.toString().replace("aaCompromise", "aACompromise").replace("caCompromise", "cACompromise");
    }

    public static RevocationReason ofCode(int code) {
        for (RevocationReason r : values()) {
            if (r.code == code) {
                return r;
            }
        }
        throw new IllegalArgumentException("no RFC 5280 revocation reason has code " + code);
    }

    /** Accepts the RFC name (keyCompromise), case-insensitively, or the numeric code. */
    public static RevocationReason parse(String text) {
        String t = text.trim();
        // Codes are 0 to 10; a longer string of digits is no code (and would overflow an int).
        if (!t.isEmpty() && t.length() <= 2 && t.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return ofCode(Integer.parseInt(t));
        }
        for (RevocationReason r : values()) {
            if (r.rfcName().equalsIgnoreCase(t) || r.name().equalsIgnoreCase(t)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown revocation reason '" + text
                + "' (expected an RFC 5280 name such as keyCompromise, superseded, cessationOfOperation)");
    }
}
