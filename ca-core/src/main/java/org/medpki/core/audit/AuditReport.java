package org.medpki.core.audit;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link AuditVerifier} found. {@code ok} is true exactly when {@code problems} is empty; each
 * problem is a sentence naming the entry (seq) or checkpoint concerned.
 */
public record AuditReport(boolean ok, long entries, Optional<AuditEntry> oldest, Optional<AuditEntry> newest,
                          int checkpointsVerified, List<String> problems) {
    public AuditReport {
        Objects.requireNonNull(oldest, "oldest");
        Objects.requireNonNull(newest, "newest");
        problems = List.copyOf(problems);
        if (ok != problems.isEmpty()) {
            throw new IllegalArgumentException("a report is ok exactly when it lists no problem");
        }
    }
}
