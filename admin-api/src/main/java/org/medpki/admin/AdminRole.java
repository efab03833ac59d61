package org.medpki.admin;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * What an administrator may do, checked by the admin API on every request (deny by default). One
 * person may hold several roles; the roles live in the inventory, not in the certificate, so
 * that a change needs no new certificate.
 */
public enum AdminRole {
    /** Asks for revocations, EAB keys and device registrations. */
    REQUESTER,
    /** Approves or rejects requests made by others. */
    APPROVER,
    /** Acts within limits without approval (a single revocation). */
    OPERATOR,
    /** Reads the inventory, the audit log and the reports; changes nothing. */
    AUDITOR,
    /** Changes roles and the policy of what needs approval. */
    SECURITY_OFFICER;

    /** The name in settings, the inventory and the API: requester, ..., security-officer. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Optional<AdminRole> ofWireName(String name) {
        return Arrays.stream(values()).filter(r -> r.wireName().equals(name)).findFirst();
    }
}
