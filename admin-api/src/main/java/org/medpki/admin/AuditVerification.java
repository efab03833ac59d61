package org.medpki.admin;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Supplier;
import org.medpki.core.audit.AuditReport;

/**
 * {@code GET /api/v1/audit/verification}: the audit log checked as {@code pki audit verify} checks
 * it (every entry's hash, the chain links, the signed checkpoints against the audit key). A check
 * walks the whole log, so an answer is reused for {@link #FRESH}; {@code verifiedAt} says when it
 * was made. Blocking.
 */
public final class AuditVerification {
    static final Duration FRESH = Duration.ofMinutes(1);
    private static final int MAX_PROBLEMS = 20;

    private final Supplier<AuditReport> verifier;
    private final Clock clock;
    private JsonObject last;
    private Instant lastAt;

    /** {@code verifier}: one full verification of the log (blocking). */
    public AuditVerification(Supplier<AuditReport> verifier, Clock clock) {
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    synchronized JsonObject status() {
        Instant now = clock.instant();
        if (last == null || !now.isBefore(lastAt.plus(FRESH))) {
            last = render(verifier.get(), now);
            lastAt = now;
        }
        return last.copy();
    }

    static JsonObject render(AuditReport report, Instant at) {
        JsonArray problems = new JsonArray();
        report.problems().stream().limit(MAX_PROBLEMS).forEach(problems::add);
        JsonObject out = new JsonObject().put("ok", report.ok()).put("entries", report.entries())
                .put("checkpointsVerified", report.checkpointsVerified()).put("problemCount", report.problems().size())
                .put("problems", problems).put("verifiedAt", at.toString());
        report.oldest().ifPresent(e -> out.put("oldest", new JsonObject().put("seq", e.seq()).put("at", e.at().toString())));
        report.newest().ifPresent(e -> out.put("newest", new JsonObject().put("seq", e.seq()).put("at", e.at().toString())));
        return out;
    }
}
