package org.medpki.ops.compliance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The database's own protections, read from its catalog: the append-only triggers on the audit
 * tables (164.312(b)) and the service roles' privileges on the evidence tables (164.312(a)).
 */
final class DatabaseChecks {
    /** Triggers (V1 migration) that make the audit tables append-only. */
    static final Set<String> AUDIT_TRIGGERS = Set.of("audit_event_append_only", "audit_event_no_truncate",
            "audit_checkpoint_append_only", "audit_checkpoint_no_truncate", "audit_head_kept", "audit_head_no_truncate",
            "audit_head_forward");
    private static final Set<String> APPEND_ONLY = Set.of("ca", "audit_event", "audit_checkpoint");

    private final ComplianceQueries queries;

    DatabaseChecks(ComplianceQueries queries) {
        this.queries = queries;
    }

    ComplianceCheck auditAppendOnly() {
        List<ComplianceQueries.TriggerState> triggers = queries.auditTriggers();
        List<String> details = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String name : AUDIT_TRIGGERS.stream().sorted().toList()) {
            var t = triggers.stream().filter(x -> x.name().equals(name)).findFirst();
            if (t.isEmpty()) {
                missing.add(name + " (missing)");
            } else if (!t.get().enabled()) {
                missing.add(name + " on " + t.get().table() + " (disabled)");
            } else {
                details.add("enabled: " + name + " on " + t.get().table());
            }
        }
        if (missing.isEmpty()) {
            return ComplianceCheck.of("audit-append-only", Safeguard.AUDIT_CONTROLS, CheckStatus.PASS,
                    AUDIT_TRIGGERS.size() + " triggers refuse UPDATE, DELETE and TRUNCATE on the audit tables", details)
                    .withData(Map.of("triggers", AUDIT_TRIGGERS.size()));
        }
        details.addAll(0, missing.stream().map(m -> "NOT ENFORCED: " + m).toList());
        return ComplianceCheck.of("audit-append-only", Safeguard.AUDIT_CONTROLS, CheckStatus.FAIL,
                missing.size() + " audit-table triggers are missing or disabled", details)
                .withData(Map.of("notEnforced", missing));
    }

    ComplianceCheck serviceRoleGrants() {
        List<ComplianceQueries.Grant> grants = queries.serviceRoleGrants();
        List<String> bad = new ArrayList<>();
        List<String> details = new ArrayList<>();
        for (ComplianceQueries.Grant g : grants) {
            boolean destructive = g.privilege().equals("DELETE") || g.privilege().equals("TRUNCATE");
            boolean rewrites = g.privilege().equals("UPDATE") && APPEND_ONLY.contains(g.table());
            if (destructive || rewrites) {
                bad.add(g.role() + " may " + g.privilege() + " " + g.table());
            }
        }
        long roles = grants.stream().map(ComplianceQueries.Grant::role).distinct().count();
        details.add(roles + " service roles hold " + grants.size() + " privileges on ca, certificate and the audit tables");
        if (bad.isEmpty()) {
            return ComplianceCheck.of("service-role-grants", Safeguard.ACCESS_CONTROL, CheckStatus.PASS,
                    "no service role may delete certificates or audit entries, or rewrite CA and audit rows", details)
                    .withData(Map.of("roles", roles, "privileges", grants.size()));
        }
        bad.forEach(b -> details.add("TOO BROAD: " + b));
        return ComplianceCheck.of("service-role-grants", Safeguard.ACCESS_CONTROL, CheckStatus.FAIL,
                bad.size() + " service-role privileges allow deleting or rewriting evidence", details)
                .withData(Map.of("tooBroad", bad));
    }
}
