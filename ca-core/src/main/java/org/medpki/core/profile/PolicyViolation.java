package org.medpki.core.profile;

import java.util.Objects;

/**
 * A profile allowing more than the CP says: which profile, which rule (a stable code such as
 * {@code validity} or {@code eku}), and a sentence naming both values.
 */
public record PolicyViolation(String profile, String rule, String message) {
    public PolicyViolation {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return "profile " + profile + " [" + rule + "]: " + message;
    }
}
