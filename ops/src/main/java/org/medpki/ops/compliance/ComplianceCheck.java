package org.medpki.ops.compliance;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One check's result: a stable id (e.g. {@code audit-chain}), the safeguard it is evidence for, the
 * status, a one-line summary, detail lines, and the measured values as data for the JSON output.
 */
public record ComplianceCheck(String id, Safeguard safeguard, CheckStatus status, String summary,
                              List<String> details, Map<String, Object> data) {
    public ComplianceCheck {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(safeguard, "safeguard");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(summary, "summary");
        details = List.copyOf(details);
        data = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(data));
    }

    public static ComplianceCheck of(String id, Safeguard safeguard, CheckStatus status, String summary,
                                     List<String> details) {
        return new ComplianceCheck(id, safeguard, status, summary, details, Map.of());
    }

    public ComplianceCheck withData(Map<String, Object> values) {
        return new ComplianceCheck(id, safeguard, status, summary, details, values);
    }
}
