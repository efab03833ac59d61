package org.medpki.ops.compliance;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.core.inventory.CertificateQuery;
import org.medpki.core.inventory.CertificateRecord;
import org.medpki.core.inventory.Inventory;

/**
 * 164.312(d): the credentials the PKI has handed out to people (user), devices and services
 * (device, tls-server, code-signing), counted per profile and status, and those expiring soon,
 * with the PKI's own certificates that expire in the same window.
 */
final class InventoryChecks {
    private static final int LISTED = 20;
    private static final int EXPIRING_LIMIT = 100_000;

    private final Inventory inventory;
    private final Hierarchy hierarchy;

    InventoryChecks(Inventory inventory, Hierarchy hierarchy) {
        this.inventory = inventory;
        this.hierarchy = hierarchy;
    }

    ComplianceCheck certificatesPerProfile() {
        Map<String, Map<String, Long>> counts = new TreeMap<>();
        long total = 0;
        for (Inventory.ProfileCount c : inventory.countByProfile()) {
            counts.computeIfAbsent(c.profile(), p -> new LinkedHashMap<>())
                    .put(c.status().name().toLowerCase(Locale.ROOT), c.count());
            total += c.count();
        }
        List<String> details = new ArrayList<>();
        counts.forEach((profile, byStatus) -> details.add(String.format("%-13s %s", profile, byStatus)));
        return ComplianceCheck.of("certificates-per-profile", Safeguard.AUTHENTICATION, CheckStatus.INFO,
                total + " certificates in the inventory across " + counts.size() + " profiles", details)
                .withData(Map.of("byProfile", counts, "total", total));
    }

    ComplianceCheck expiringSoon(Instant now, int days) {
        Instant until = now.plus(Duration.ofDays(days));
        List<CertificateRecord> expiring = inventory.list(new CertificateQuery(null, null, until, EXPIRING_LIMIT));
        List<String> details = new ArrayList<>();
        Map<String, Long> byProfile = new TreeMap<>();
        for (CertificateRecord r : expiring) {
            byProfile.merge(r.profile(), 1L, Long::sum);
            if (details.size() < LISTED) {
                details.add("serial " + r.serialHex() + " (" + r.profile() + ", " + r.subject() + ") expires " + r.notAfter());
            }
        }
        if (expiring.size() > LISTED) {
            details.add("... and " + (expiring.size() - LISTED) + " more");
        }
        List<String> pkiCerts = new ArrayList<>();
        for (CaCertificate ca : hierarchy.all()) {
            Instant notAfter = ca.record().notAfter();
            if (notAfter != null && notAfter.isAfter(now) && notAfter.isBefore(until)) {
                pkiCerts.add(ca.name());
                details.add("PKI certificate " + ca.name() + " (" + ca.record().role().wireName() + ") expires " + notAfter
                        + (ca.record().role() == org.medpki.core.inventory.CaRole.OCSP_SIGNER ? ": run 'pki ocsp rotate'" : ""));
            }
        }
        String count = expiring.size() >= EXPIRING_LIMIT ? "at least " + EXPIRING_LIMIT : String.valueOf(expiring.size());
        return ComplianceCheck.of("certificates-expiring", Safeguard.AUTHENTICATION, CheckStatus.INFO,
                count + " issued certificates and " + pkiCerts.size() + " PKI certificates expire within " + days + " days",
                details).withData(Map.of("days", days, "endEntities", expiring.size(), "byProfile", byProfile,
                "pkiCertificates", pkiCerts));
    }
}
