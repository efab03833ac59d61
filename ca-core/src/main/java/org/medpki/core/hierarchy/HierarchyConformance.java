package org.medpki.core.hierarchy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.profile.CaHierarchyTable;
import org.medpki.core.profile.CertificatePolicyTables;
import org.medpki.core.profile.HierarchyViolation;

/**
 * The installed CA certificates against the CP's hierarchy table (CP 1.1, 6.3.2), for the
 * compliance report: the root, every issuing CA of the table with an OCSP signer, and the audit
 * signer are there; no issuing CA is there that the table does not list; and no certificate is
 * valid longer (notAfter - notBefore, as written in the certificate) than the table allows for
 * it. The ceremony writes notAfter = notBefore + the table's validity to the second, and an OCSP
 * signer rotation keeps the validity of the signer it replaces, so no slack is allowed.
 *
 * <p>Rules: {@code missing-ca}, {@code unlisted-ca}, {@code ca-validity}.
 */
public final class HierarchyConformance {
    private HierarchyConformance() {
    }

    /** One installed CA certificate: its inventory name and role, its issuer's name (null for a root) and its dates. */
    public record Installed(String name, CaRole role, String issuer, Instant notBefore, Instant notAfter) {
        public Installed {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(notBefore, "notBefore");
            Objects.requireNonNull(notAfter, "notAfter");
        }

        public Duration validity() {
            return Duration.between(notBefore, notAfter);
        }
    }

    /** The hierarchy's certificates, dates read from the certificates themselves. */
    public static List<Installed> installed(Hierarchy hierarchy) {
        return hierarchy.all().stream().map(ca -> new Installed(ca.name(), ca.record().role(),
                Optional.ofNullable(ca.record().parentId()).flatMap(hierarchy::byId).map(CaCertificate::name).orElse(null),
                ca.x509().getNotBefore().toInstant(), ca.x509().getNotAfter().toInstant())).toList();
    }

    /** Every difference between the installed certificates and the table; empty when they conform. */
    public static List<HierarchyViolation> check(CaHierarchyTable table, List<Installed> installed) {
        List<HierarchyViolation> out = new ArrayList<>();
        present(installed, CaRole.ROOT, null, CaHierarchyTable.ROOT_CA, out);
        for (String name : table.issuingCaNames()) {
            if (present(installed, CaRole.ISSUING, name, "issuing CA " + name, out)) {
                present(installed.stream().filter(i -> name.equals(i.issuer())).toList(), CaRole.OCSP_SIGNER, null,
                        "OCSP signer of " + name, out);
            }
        }
        present(installed, CaRole.AUDIT, null, CaHierarchyTable.AUDIT_SIGNER, out);
        for (Installed ca : installed) {
            Optional<Duration> allowed = allowed(table, ca);
            if (allowed.isEmpty()) {
                out.add(new HierarchyViolation("issuing CA " + ca.name(), "unlisted-ca", "is installed but not an "
                        + "issuing CA of the CP's hierarchy table (issuing CAs: " + String.join(", ", table.issuingCaNames())
                        + ")"));
            } else if (ca.validity().compareTo(allowed.get()) > 0) {
                out.add(new HierarchyViolation(ca.role().wireName() + " " + ca.name(), "ca-validity", "valid "
                        + CertificatePolicyTables.human(ca.validity()) + " (" + ca.notBefore() + " to " + ca.notAfter()
                        + "), longer than the CP's " + CertificatePolicyTables.human(allowed.get())));
            }
        }
        return List.copyOf(out);
    }

    /** How long the table lets that certificate be valid; empty for an issuing CA it does not list. */
    public static Optional<Duration> allowed(CaHierarchyTable table, Installed ca) {
        return switch (ca.role()) {
            case ROOT -> Optional.of(table.rootValidity());
            // A later generation of an issuing CA (after a rollover) is held to its first generation's row.
            case ISSUING -> table.issuingValidity(ca.name())
                    .or(() -> table.issuingValidity(CaRollover.firstGenerationName(ca.name())));
            case OCSP_SIGNER -> Optional.of(table.ocspSignerValidity());
            case AUDIT -> Optional.of(table.auditSignerValidity());
        };
    }

    private static boolean present(List<Installed> installed, CaRole role, String name, String subject,
                                   List<HierarchyViolation> out) {
        boolean found = installed.stream().anyMatch(i -> i.role() == role && (name == null || name.equals(i.name())));
        if (!found) {
            out.add(new HierarchyViolation(subject, "missing-ca", "the CP's hierarchy table has it; the installation "
                    + "has no " + role.wireName() + " certificate for it"));
        }
        return found;
    }
}
