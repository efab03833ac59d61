package org.medpki.core.profile;

import java.util.Objects;

/**
 * A way in which the CA hierarchy breaks the CP's hierarchy table or its own rules: what (a
 * certificate type, an issuing CA, a delegated signer, an installed CA certificate), which rule
 * (a stable code such as {@code issuing-validity}), and a sentence naming the values.
 */
public record HierarchyViolation(String subject, String rule, String message) {
    public HierarchyViolation {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return subject + " [" + rule + "]: " + message;
    }
}
