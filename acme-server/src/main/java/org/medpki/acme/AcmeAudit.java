package org.medpki.acme;

import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.medpki.core.audit.AuditEvent;
import org.medpki.core.audit.AuditBudget;
import org.medpki.core.audit.AuditLog;

/**
 * Audit entries for ACME events that matter for security (refusals, bindings, key changes).
 * Refusals a sender can repeat at no cost go through an {@link AuditBudget}: a flood costs the
 * log a few entries a minute and a count, not one chained row per request.
 */
public final class AcmeAudit {
    /** Entries per minute and kind of cheap refusal before further ones are only counted. */
    static final int BUDGET_PER_MINUTE = 20;
    private static final int MAX_FIELD = 200;
    private final AuditLog log;
    private final Clock clock;
    private final AuditBudget budget;

    public AcmeAudit(AuditLog log, Clock clock) {
        this.log = log;
        this.clock = clock;
        this.budget = new AuditBudget(BUDGET_PER_MINUTE, Duration.ofMinutes(1), clock);
    }

    public void refused(String type, String actor, AcmeException problem, Map<String, String> details) {
        Map<String, String> d = new LinkedHashMap<>(details);
        d.put("problem", problem.type().urn());
        d.put("detail", problem.detail().length() <= 4 * MAX_FIELD ? problem.detail()
                : problem.detail().substring(0, 4 * MAX_FIELD) + "...");
        AuditEvent event = AuditEvent.failure(clock.instant(), type, actor, d);
        OffContext.run(() -> log.recordQuietly(event));
    }

    /**
     * A refusal anyone can provoke repeatedly: written within the budget of its type and reason;
     * beyond it only counted, the count going out as {@code skippedBefore} on the next entry.
     */
    public void refusedBounded(String type, String reason, String actor, AcmeException problem,
                               Map<String, String> details) {
        long skipped = budget.admit(type + "/" + reason);
        if (skipped == AuditBudget.SKIP) {
            return;
        }
        Map<String, String> d = new LinkedHashMap<>(details);
        d.put("reason", reason);
        if (skipped > 0) {
            d.put("skippedBefore", Long.toString(skipped));
        }
        refused(type, actor, problem, d);
    }

    /**
     * A request refused at the JWS layer (bad signature, unknown kid, refused algorithm, spent
     * nonce). Names the reason, the sender's address, the path and the kid (cut short: it is the
     * sender's text); never a key, signature or nonce.
     */
    public void requestRefused(RoutingContext ctx, String reason, String kid, AcmeException problem) {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("path", cut(ctx.request().path()));
        if (kid != null) {
            d.put("kid", cut(kid));
        }
        var remote = ctx.request().remoteAddress();
        refusedBounded("acme.request_refused", reason, "acme-client:" + (remote == null ? "unknown" : remote.hostAddress()),
                problem, d);
    }

    public void succeeded(String type, String actor, Map<String, String> details) {
        AuditEvent event = AuditEvent.success(clock.instant(), type, actor, details);
        OffContext.run(() -> log.recordQuietly(event));
    }

    private static String cut(String s) {
        return s.length() <= MAX_FIELD ? s : s.substring(0, MAX_FIELD) + "...";
    }
}
