package org.medpki.acme;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.medpki.core.audit.AuditEvent;
import org.medpki.core.audit.AuditLog;

/** Audit entries for ACME events that matter for security (refusals, bindings, key changes). */
public final class AcmeAudit {
    private final AuditLog log;
    private final Clock clock;

    public AcmeAudit(AuditLog log, Clock clock) {
        this.log = log;
        this.clock = clock;
    }

    public void refused(String type, String actor, AcmeException problem, Map<String, String> details) {
        Map<String, String> d = new LinkedHashMap<>(details);
        d.put("problem", problem.type().urn());
        d.put("detail", problem.detail());
        log.recordQuietly(AuditEvent.failure(clock.instant(), type, actor, d));
    }

    public void succeeded(String type, String actor, Map<String, String> details) {
        log.recordQuietly(AuditEvent.success(clock.instant(), type, actor, details));
    }
}
