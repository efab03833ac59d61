package org.medpki.core.profile;

import java.util.Objects;
import java.util.Set;

/**
 * Which subject keys a profile accepts. {@code rsaMinBits} 0 means RSA is not accepted; otherwise
 * it is at least 2048 (the floor {@code KeyPolicy} applies to every profile).
 */
public record KeyRules(int rsaMinBits, Set<EcCurve> ecCurves, boolean ed25519) {
    public static final int RSA_FLOOR_BITS = 2048;
    public static final int RSA_CEILING_BITS = 8192;

    public KeyRules {
        Objects.requireNonNull(ecCurves, "ecCurves");
        ecCurves = Set.copyOf(ecCurves);
        if (rsaMinBits != 0 && (rsaMinBits < RSA_FLOOR_BITS || rsaMinBits > RSA_CEILING_BITS)) {
            throw new IllegalArgumentException("rsaMinBits must be 0 (no RSA) or between "
                    + RSA_FLOOR_BITS + " and " + RSA_CEILING_BITS + ", not " + rsaMinBits);
        }
        if (rsaMinBits == 0 && ecCurves.isEmpty() && !ed25519) {
            throw new IllegalArgumentException("no key type is allowed (set rsaMinBits, ecCurves or ed25519)");
        }
    }

    public boolean rsaAllowed() {
        return rsaMinBits > 0;
    }

    /** A short human description for error messages, e.g. "RSA >= 3072, EC P-384". */
    public String describe() {
        var parts = new java.util.ArrayList<String>();
        if (rsaAllowed()) {
            parts.add("RSA >= " + rsaMinBits);
        }
        for (EcCurve c : EcCurve.values()) {
            if (ecCurves.contains(c)) {
                parts.add("EC " + c.yamlName());
            }
        }
        if (ed25519) {
            parts.add("Ed25519");
        }
        return String.join(", ", parts);
    }
}
