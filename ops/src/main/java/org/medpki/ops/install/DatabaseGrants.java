package org.medpki.ops.install;

import java.util.Map;
import java.util.Set;

/**
 * The table privileges each service login holds through its group role (migrations V3, V10, V20,
 * V30, V40, V43, V45, V46, V47, V48, V49, V50, V54, V55, V56, V57, V59, V60, V61, V62), written down once so that the compliance report can compare what really runs against
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

    /** A device's code: when it expires and whether it was used, never its hash or sealed copy. */
    private static final Set<String> CODE_STATE = Set.of("SELECT(created_at,device_id,expires_at,used_at)");

    /** Audit appends: the entry, and the head locked (SELECT ... FOR UPDATE) and moved. */
    private static final Map<String, Set<String>> APPEND_AUDIT = Map.of("audit_event", I, "audit_head", RU);

    private static final Map<DatabaseRole, Map<String, Set<String>>> EXPECTED = Map.of(
            DatabaseRole.CA, Map.ofEntries(Map.entry("ca", RI), Map.entry("certificate", RIU),
                    Map.entry("audit_event", RI), Map.entry("audit_head", RU), Map.entry("audit_checkpoint", RI),
                    Map.entry("crl", RI), Map.entry("crl_counter", RIU), Map.entry("eab_key", I),
                    Map.entry("ocsp_response", RIU), Map.entry("admin", RIU), Map.entry("admin_certificate", RIU),
                    Map.entry("owner", R), Map.entry("owner_acme_contact", R), Map.entry("certificate_owner", I),
                    Map.entry("ca_revocation", RI), Map.entry("key_destruction", RI),
                    Map.entry("ca_rollover", RIU), Map.entry("device", RIU),
                    Map.entry("device_enrollment_code", RIU), Map.entry("device_certificate", RI)),
            DatabaseRole.OCSP, with(Map.of("ca", R, "certificate", R, "ocsp_response", RIU, "ca_revocation", R)),
            DatabaseRole.CRL, with(Map.of("ca", R, "certificate", R, "crl", R, "crl_counter", R,
                    "key_destruction", R)),
            DatabaseRole.ACME, with(Map.ofEntries(Map.entry("ca", R), Map.entry("certificate", R),
                    Map.entry("acme_account", RIU), Map.entry("acme_order", RIUD), Map.entry("acme_authorization", RIUD),
                    Map.entry("acme_challenge", RIUD),
                    Map.entry("acme_order_authorization", Set.of("SELECT", "INSERT", "DELETE")),
                    Map.entry("acme_nonce_key", R), Map.entry("acme_spent_nonce", Set.of("SELECT", "INSERT", "DELETE")),
                    Map.entry("eab_key", RU), Map.entry("owner", R), Map.entry("owner_acme_contact", R),
                    Map.entry("certificate_owner", I),
                    Map.entry("ca_rollover", R))),
            DatabaseRole.AUDITOR, Map.ofEntries(Map.entry("ca", R), Map.entry("certificate", R),
                    // files the compliance reports it makes (V62), and changes none
                    Map.entry("compliance_report", RI),
                    Map.entry("audit_event", R), Map.entry("audit_head", R), Map.entry("audit_checkpoint", R),
                    Map.entry("ocsp_response", R), Map.entry("crl", R), Map.entry("crl_counter", R),
                    Map.entry("acme_account", R), Map.entry("acme_order", R), Map.entry("acme_authorization", R),
                    Map.entry("acme_order_authorization", R), Map.entry("acme_challenge", R),
                    Map.entry("admin", R), Map.entry("admin_certificate", R), Map.entry("admin_request", R),
                    Map.entry("admin_request_item", R), Map.entry("admin_approval", R), Map.entry("owner", R),
                    Map.entry("owner_acme_contact", R), Map.entry("certificate_owner", R),
                    Map.entry("expiry_notice", R), Map.entry("ca_revocation", R),
                    Map.entry("key_destruction", R),
                    Map.entry("ca_rollover", R), Map.entry("device", R), Map.entry("device_certificate", R),
                    Map.entry("device_enrollment_code", CODE_STATE)),
            // Spends enrollment codes and records the certificates it had issued; reads the
            // inventory to find a device's certificates; appends its own audit entries.
            DatabaseRole.ENROLL, with(Map.of("ca", R, "certificate", R, "ca_rollover", R, "device", RU, "device_enrollment_code", RU,
                    "device_certificate", RIU)),
            // Reads the inventory and the audit log, keeps the administrators, their requests and the
            // owners, records the expiry notices it sends; appends its own audit entries. Of the ACME tables it reads only the columns that
            // map certificates to accounts, EAB keys and owners.
            DatabaseRole.ADMIN, Map.ofEntries(Map.entry("ca", R), Map.entry("certificate", R),
                    Map.entry("audit_event", RI), Map.entry("audit_head", RU), Map.entry("audit_checkpoint", R),
                    Map.entry("compliance_report", R), Map.entry("admin", RIU),
                    Map.entry("admin_certificate", RIU), Map.entry("admin_request", RIU),
                    Map.entry("admin_request_item", RIU), Map.entry("admin_approval", RIU), Map.entry("owner", RIU),
                    Map.entry("owner_acme_contact", RIUD), Map.entry("certificate_owner", RIU),
                    Map.entry("expiry_notice", RIU),
                    Map.entry("eab_key", Set.of("SELECT(account_id,created_at,kid,owner,profile)", "UPDATE(owner)")),
                    Map.entry("acme_account", Set.of("SELECT(contact,eab_kid,id)")),
                    Map.entry("acme_order", Set.of("SELECT(account_id,cert_serial,created_at,replaces)")),
                    // the KPIs (V59): when a challenge failed, when a revocation was published; no bytes, no token
                    Map.entry("acme_challenge", Set.of("SELECT(started,status)")),
                    Map.entry("ocsp_response", Set.of("SELECT(ca_id,serial,status,this_update)")),
                    // the CRLs themselves (V60): the console shows whether a certificate is on its CA's newest CRL
                    Map.entry("crl", R),
                    Map.entry("ca_revocation", R), Map.entry("key_destruction", R),
                    Map.entry("ca_rollover", R), Map.entry("device", RIU), Map.entry("device_certificate", R),
                    // registers devices and their codes (V57), and reads no code's hash or sealed copy
                    Map.entry("device_enrollment_code", Set.of("SELECT(created_at,device_id,expires_at,used_at)",
                            "INSERT", "UPDATE"))));

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
