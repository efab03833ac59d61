package org.medpki.ops.compliance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.medpki.core.error.PkiException;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.core.profile.CertificatePolicyTables;
import org.medpki.core.profile.RevocationServiceLevels;
import org.medpki.inventory.pg.DatabaseUrl;
import org.medpki.inventory.pg.PgComplianceQueries;
import org.medpki.ops.install.PkiContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every check of 'pki report compliance' against one installation. A check that cannot run
 * (token refused, table unreadable) is reported as FAIL with the reason, and the others still run:
 * an auditor sees everything in one pass.
 */
public final class ComplianceAuditor {
    private static final Logger LOG = LoggerFactory.getLogger(ComplianceAuditor.class);

    /** How much of the inventory to examine. */
    public record Options(long certificateSample, int revocationSample, int expiringDays) {
        public Options {
            if (certificateSample < 1 || revocationSample < 1 || expiringDays < 0) {
                throw new IllegalArgumentException("--sample-limit and --revocation-sample must be positive, "
                        + "--expiring-within must not be negative");
            }
        }
    }

    private final PkiContext context;
    private final Path cpTables;
    private final Options options;

    public ComplianceAuditor(PkiContext context, Path cpTables, Options options) {
        this.context = context;
        this.cpTables = cpTables;
        this.options = options;
    }

    /** The labels of the keys destroyed by key retirement: their CA certificates may be unexpired (a compromise). */
    private java.util.Set<String> destroyedKeyLabels() {
        java.util.Set<String> labels = new java.util.HashSet<>();
        org.medpki.inventory.pg.PgKeyDestructions.over(context.database()).all().forEach(d -> labels.add(d.keyLabel()));
        return labels;
    }

    public ComplianceReport run() {
        Instant now = context.clock().instant();
        Hierarchy hierarchy = context.hierarchy();
        PgComplianceQueries queries = context.database().complianceQueries();
        List<ComplianceCheck> checks = new ArrayList<>();

        // 164.312(a) access control
        checks.add(guard("ca-keys-protected", Safeguard.ACCESS_CONTROL,
                () -> new KeyCustodyChecks(context.keys(), context.ocspKeys(), hierarchy, destroyedKeyLabels())
                        .caKeysProtected(now)));
        checks.add(guard("keys-in-their-tokens", Safeguard.ACCESS_CONTROL,
                () -> new KeyCustodyChecks(context.keys(), context.ocspKeys(), hierarchy).keysInTheirTokens(now)));
        DatabaseChecks database = new DatabaseChecks(queries);
        checks.add(guard("service-logins", Safeguard.ACCESS_CONTROL,
                () -> database.serviceLogins(context.config().database().rolePrefix())));

        // 164.312(b) audit controls
        AuditChecks audit = new AuditChecks(context.database().auditStore(), hierarchy);
        checks.addAll(guardAll("audit-chain", Safeguard.AUDIT_CONTROLS, () -> audit.chainAndRetention(now)));
        checks.add(guard("audit-append-only", Safeguard.AUDIT_CONTROLS, database::auditAppendOnly));
        checks.add(guard("ceremony-records", Safeguard.AUDIT_CONTROLS, audit::ceremonyRecords));
        checks.add(guard("retired-keys", Safeguard.AUDIT_CONTROLS, () -> new KeyRetirementChecks(
                org.medpki.inventory.pg.PgKeyDestructions.over(context.database()), context.keys(), context.ocspKeys())
                .retiredKeys()));

        // 164.312(c) integrity
        checks.add(guard("profiles-conform-to-cp", Safeguard.INTEGRITY, () -> {
            ConformanceChecks c = new ConformanceChecks(context.profiles(), hierarchy);
            return c.profilesConformToCp(cpTables, context.profilesDirectory());
        }));
        checks.add(guard("ca-hierarchy-conforms-to-cp", Safeguard.INTEGRITY,
                () -> ConformanceChecks.caHierarchyConformsToCp(cpTables, hierarchy)));
        checks.add(guard("cp-document-shows-tables", Safeguard.INTEGRITY,
                () -> ConformanceChecks.cpDocumentShowsTables(cpTables)));
        checks.add(guard("issuing-cas-assert-profile-policies", Safeguard.INTEGRITY,
                () -> new ConformanceChecks(context.profiles(), hierarchy).issuingCasAssertProfilePolicies()));
        checks.add(guard("database-durability", Safeguard.INTEGRITY, () -> database.durability(context.embedded())));
        checks.add(guard("certificates-conform", Safeguard.INTEGRITY, () -> new ConformanceChecks(context.profiles(),
                hierarchy).certificatesConform(queries, options.certificateSample())));

        // 164.312(d) person or entity authentication
        InventoryChecks inventory = new InventoryChecks(context.inventory(), hierarchy);
        checks.add(guard("certificates-per-profile", Safeguard.AUTHENTICATION, inventory::certificatesPerProfile));
        checks.add(guard("certificates-expiring", Safeguard.AUTHENTICATION,
                () -> inventory.expiringSoon(now, options.expiringDays())));
        checks.add(guard("database-password-auth", Safeguard.AUTHENTICATION,
                () -> database.passwordAuthentication(passwordProbes())));
        RevocationServiceLevels levels = serviceLevels();
        if (levels == null) {
            String why = "cannot judge revocation service levels: the CP tables " + cpTables + " cannot be read";
            for (String id : List.of("revocation-to-ocsp", "revocation-to-crl")) {
                checks.add(ComplianceCheck.of(id, Safeguard.AUTHENTICATION, CheckStatus.FAIL, why, List.of()));
            }
            for (String id : List.of("ocsp-freshness", "crl-freshness")) {
                checks.add(ComplianceCheck.of(id, Safeguard.TRANSMISSION_SECURITY, CheckStatus.FAIL, why, List.of()));
            }
        } else {
            RevocationChecks revocation = new RevocationChecks(queries, hierarchy, levels);
            checks.add(guard("revocation-to-ocsp", Safeguard.AUTHENTICATION,
                    () -> revocation.revocationToOcsp(now, options.revocationSample())));
            checks.add(guard("revocation-to-crl", Safeguard.AUTHENTICATION,
                    () -> revocation.revocationToCrl(now, options.revocationSample())));
            // 164.312(e) transmission security
            checks.add(guard("ocsp-freshness", Safeguard.TRANSMISSION_SECURITY, () -> revocation.ocspFreshness(now)));
            checks.add(guard("crl-freshness", Safeguard.TRANSMISSION_SECURITY, () -> revocation.crlFreshness(now)));
        }
        return new ComplianceReport(now, context.home().dir().toString(), checks);
    }

    /** This report's own login and, with the embedded server, its superuser. */
    private List<DatabaseUrl> passwordProbes() {
        DatabaseUrl own = context.databaseUrl(context.role());
        if (!context.embedded()) {
            return List.of(own);
        }
        return List.of(own, new DatabaseUrl(own.host(), own.port(), own.database(), "postgres", null, null));
    }

    private RevocationServiceLevels serviceLevels() {
        if (cpTables == null || !Files.isRegularFile(cpTables)) {
            return null;
        }
        try {
            return CertificatePolicyTables.load(cpTables).serviceLevels();
        } catch (PkiException e) {
            return null;
        }
    }

    private static ComplianceCheck guard(String id, Safeguard safeguard, Supplier<ComplianceCheck> check) {
        return guardAll(id, safeguard, () -> List.of(check.get())).getFirst();
    }

    private static List<ComplianceCheck> guardAll(String id, Safeguard safeguard, Supplier<List<ComplianceCheck>> check) {
        try {
            return check.get();
        } catch (PkiException e) {
            LOG.debug("compliance check {} could not run", id, e);
            return List.of(ComplianceCheck.of(id, safeguard, CheckStatus.FAIL, "could not check: " + e.publicDetail(),
                    List.of()));
        } catch (RuntimeException e) {
            LOG.warn("compliance check {} failed unexpectedly", id, e);
            return List.of(ComplianceCheck.of(id, safeguard, CheckStatus.FAIL, "could not check: internal error ("
                    + e.getClass().getSimpleName() + "); see the log", List.of()));
        }
    }
}
