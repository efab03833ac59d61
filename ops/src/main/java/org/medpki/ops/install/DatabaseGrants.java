package org.medpki.ops.install;

import java.util.Map;
import java.util.Set;

/**
 * The table privileges each service login holds through its group role (migrations V3, V10, V20,
 * V30, V40, V43, V45, V46, V47), written down once so that the compliance report can compare what really runs against
 * it. A change of a migration's grants must change this table too (ComplianceReportTest fails
 * otherwise).
 */
public final class DatabaseGrants {
    private static final Set<String> R = Set.of("SELECT");
    private static final Set<String> RI = Set.of("SELECT", "INSERT");
    private static final Set<String> RIU = Set.of("SELECT", "INSERT", "UPDATE");
    private static final Set<String> RU = Set.of("SELECT", "UPDATE");
    private static final Set<String> I = Set.of("INSERT");
    private static final Set<String> RIUD = Set.of("SELECT", "INSERT", "UPDATE", "DELETE");

    /** Audit appends: the entry, and the head locked (SELECT ... FOR UPDATE) and moved. */
    private static final Map<String, Set<String>> APPEND_AUDIT = Map.of("audit_event", I, "audit_head", RU);

    private static final Map<DatabaseRole, Map<String, Set<String>>> EXPECTED = Map.of(
            DatabaseRole.CA, Map.ofEntries(Map.entry("ca", RI), Map.entry("certificate", RIU),
                    Map.entry("audit_event", RI), Map.entry("audit_head", RU), Map.entry("audit_checkpoint", RI),
                    Map.entry("crl", RI), Map.entry("crl_counter", RIU), Map.entry("eab_key", I),
                    Map.entry("ocsp_response", RIU), Map.entry("admin", RIU), Map.entry("admin_certificate", RIU)),
            DatabaseRole.OCSP, with(Map.of("ca", R, "certificate", R, "ocsp_response", RIU)),
            DatabaseRole.CRL, with(Map.of("ca", R, "certificate", R, "crl", R, "crl_counter", R)),
            DatabaseRole.ACME, with(Map.of("ca", R, "certificate", R, "acme_account", RIU, "acme_order", RIUD,
                    "acme_authorization", RIUD, "acme_challenge", RIUD,
                    "acme_order_authorization", Set.of("SELECT", "INSERT", "DELETE"),
                    "acme_nonce_key", R, "acme_spent_nonce", Set.of("SELECT", "INSERT", "DELETE"), "eab_key", RU)),
            DatabaseRole.AUDITOR, Map.ofEntries(Map.entry("ca", R), Map.entry("certificate", R),
                    Map.entry("audit_event", R), Map.entry("audit_head", R), Map.entry("audit_checkpoint", R),
                    Map.entry("ocsp_response", R), Map.entry("crl", R), Map.entry("crl_counter", R),
                    Map.entry("acme_account", R), Map.entry("acme_order", R), Map.entry("acme_authorization", R),
                    Map.entry("acme_order_authorization", R), Map.entry("acme_challenge", R),
                    Map.entry("admin", R), Map.entry("admin_certificate", R), Map.entry("admin_request", R),
                    Map.entry("admin_request_item", R), Map.entry("admin_approval", R)),
            // Reads the inventory, the audit log and the administrators; appends its own audit entries.
            DatabaseRole.ADMIN, Map.of("ca", R, "certificate", R, "audit_event", RI, "audit_head", RU,
                    "admin", R, "admin_certificate", R, "admin_request", RIU, "admin_request_item", RIU,
                    "admin_approval", RIU));

    private DatabaseGrants() {
    }

    /** Table to privileges (SELECT, INSERT, UPDATE, DELETE, ...) of {@code role}'s login; empty for the owner. */
    public static Map<String, Set<String>> expected(DatabaseRole role) {
        return EXPECTED.getOrDefault(role, Map.of());
    }

    private static Map<String, Set<String>> with(Map<String, Set<String>> own) {
        java.util.Map<String, Set<String>> all = new java.util.HashMap<>(own);
        all.putAll(APPEND_AUDIT);
        return Map.copyOf(all);
    }
}
