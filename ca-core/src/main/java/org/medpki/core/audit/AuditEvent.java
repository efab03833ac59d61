package org.medpki.core.audit;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A security-relevant event before it is chained: when, what ({@code type}, e.g.
 * {@code certificate.issued}), who asked ({@code actor}), whether it succeeded, and details.
 * Details never hold a PIN, private key or EAB secret.
 */
public record AuditEvent(Instant at, String type, String actor, Outcome outcome,
                         Map<String, String> details) {

    public enum Outcome { SUCCESS, FAILURE }

    public AuditEvent {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(outcome, "outcome");
        details = java.util.Collections.unmodifiableMap(new TreeMap<>(details));
    }

    public static AuditEvent success(Instant at, String type, String actor, Map<String, String> details) {
        return new AuditEvent(at, type, actor, Outcome.SUCCESS, details);
    }

    public static AuditEvent failure(Instant at, String type, String actor, Map<String, String> details) {
        return new AuditEvent(at, type, actor, Outcome.FAILURE, details);
    }
}
