package org.medpki.ops.compliance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.medpki.inventory.pg.DatabaseUrl;
import org.medpki.inventory.pg.PgComplianceQueries;
import org.medpki.inventory.pg.PgLogins;
import org.medpki.ops.install.DatabaseGrants;
import org.medpki.ops.install.DatabaseLogins;
import org.medpki.ops.install.DatabaseRole;

/**
 * The database's own protections, read from its catalog: the append-only triggers on the audit
 * tables (164.312(b)), the logins of the running services and their privileges (164.312(a)),
 * durable writes (164.312(c)) and password authentication (164.312(d)).
 */
final class DatabaseChecks {
    /** Triggers (V1 migration) that make the audit tables append-only. */
    static final Set<String> AUDIT_TRIGGERS = Set.of("audit_event_append_only", "audit_event_no_truncate",
            "audit_checkpoint_append_only", "audit_checkpoint_no_truncate", "audit_head_kept", "audit_head_no_truncate",
            "audit_head_forward");

    private final PgComplianceQueries queries;

    DatabaseChecks(PgComplianceQueries queries) {
        this.queries = queries;
    }

    ComplianceCheck auditAppendOnly() {
        List<PgComplianceQueries.TriggerState> triggers = queries.auditTriggers();
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

    /**
     * What really runs: every session of this database named medpki-&lt;role&gt; (other than the
     * report's own) must be that role's login, and the login must be no superuser, have no
     * CREATEROLE, CREATEDB or BYPASSRLS, own no table and hold exactly the grants of
     * {@link DatabaseGrants}. Owner sessions (migrations) are listed; no service session is
     * not-measured.
     */
    ComplianceCheck serviceLogins(String rolePrefix) {
        List<PgComplianceQueries.Session> sessions = queries.serviceSessions();
        List<String> bad = new ArrayList<>();
        List<String> details = new ArrayList<>();
        Map<String, String> checked = new TreeMap<>();
        for (PgComplianceQueries.Session s : sessions) {
            String suffix = s.applicationName().substring("medpki-".length()).toUpperCase(Locale.ROOT);
            DatabaseRole role = Arrays.stream(DatabaseRole.values()).filter(r -> r.name().equals(suffix)).findFirst()
                    .orElse(null);
            String who = s.count() + " session(s) " + s.applicationName() + " as " + s.user();
            if (role == null) {
                bad.add(who + ": no medpki service has that name");
                continue;
            }
            String expected = rolePrefix == null ? null : DatabaseLogins.login(rolePrefix, role);
            if (!s.user().equals(expected)) {
                bad.add(who + ": expected " + (expected == null ? "a login role (database.rolePrefix is not set)" : expected));
            }
            var attributes = queries.login(s.user());
            if (attributes.isEmpty()) {
                bad.add(who + ": the role no longer exists");
                continue;
            }
            var a = attributes.get();
            List<String> powers = new ArrayList<>();
            if (a.superuser()) {
                powers.add("SUPERUSER");
            }
            if (a.createRole()) {
                powers.add("CREATEROLE");
            }
            if (a.createDb()) {
                powers.add("CREATEDB");
            }
            if (a.bypassRls()) {
                powers.add("BYPASSRLS");
            }
            if (role == DatabaseRole.OWNER) {
                if (!powers.isEmpty()) {
                    bad.add(who + ": has " + String.join(", ", powers));
                }
                details.add(who + ": the owner (migrations)");
                continue;
            }
            if (a.ownsTables()) {
                powers.add("owns the tables");
            }
            if (!powers.isEmpty()) {
                bad.add(who + ": a service login that " + (a.ownsTables() && powers.size() == 1 ? "" : "has ")
                        + String.join(", ", powers));
            }
            if (!a.superuser() && !a.ownsTables()) {
                Map<String, Set<String>> actual = queries.tablePrivileges(s.user());
                Map<String, Set<String>> wanted = DatabaseGrants.expected(role);
                for (String table : union(actual.keySet(), wanted.keySet())) {
                    Set<String> have = actual.getOrDefault(table, Set.of());
                    Set<String> want = wanted.getOrDefault(table, Set.of());
                    Set<String> extra = new TreeSet<>(have);
                    extra.removeAll(want);
                    Set<String> missing = new TreeSet<>(want);
                    missing.removeAll(have);
                    if (!extra.isEmpty()) {
                        bad.add(who + ": may also " + String.join(", ", extra) + " " + table);
                    }
                    if (!missing.isEmpty()) {
                        bad.add(who + ": lacks " + String.join(", ", missing) + " on " + table);
                    }
                }
            }
            checked.put(s.applicationName(), s.user());
            details.add(who + ": " + (powers.isEmpty() ? "no role attributes, " : "") + "grants as expected for " + role);
        }
        if (!bad.isEmpty()) {
            List<String> all = new ArrayList<>(bad.stream().map(b -> "WRONG: " + b).toList());
            all.addAll(details);
            return ComplianceCheck.of("service-logins", Safeguard.ACCESS_CONTROL, CheckStatus.FAIL,
                    bad.size() + " problem(s) with the database logins of running services", all)
                    .withData(Map.of("problems", bad));
        }
        if (checked.isEmpty()) {
            details.add("no session named medpki-ca, -acme, -ocsp, -crl or -auditor is connected besides this report");
            return ComplianceCheck.of("service-logins", Safeguard.ACCESS_CONTROL, CheckStatus.NOT_MEASURED,
                    "no service is connected to the database: start the services ('pki up') and run the report again",
                    details);
        }
        return ComplianceCheck.of("service-logins", Safeguard.ACCESS_CONTROL, CheckStatus.PASS,
                checked.size() + " running service(s) log in as their own least-privileged role", details)
                .withData(Map.of("sessions", checked));
    }

    /**
     * The embedded server's durability settings (fsync, synchronous_commit, full_page_writes on):
     * pass or fail; for a server the operator runs (PKI_DATABASE_URL), the values as info.
     */
    ComplianceCheck durability(boolean embedded) {
        Map<String, String> values = new TreeMap<>();
        for (String name : List.of("fsync", "synchronous_commit", "full_page_writes")) {
            values.put(name, queries.setting(name));
        }
        List<String> off = values.entrySet().stream().filter(e -> !e.getValue().equals("on"))
                .map(e -> e.getKey() + " = " + e.getValue()).toList();
        List<String> details = values.entrySet().stream().map(e -> e.getKey() + " = " + e.getValue()).toList();
        if (!embedded) {
            return ComplianceCheck.of("database-durability", Safeguard.INTEGRITY, CheckStatus.INFO,
                    "the operator's PostgreSQL" + (off.isEmpty() ? " writes durably" : ": " + String.join(", ", off)),
                    details).withData(Map.copyOf(values));
        }
        return ComplianceCheck.of("database-durability", Safeguard.INTEGRITY, off.isEmpty() ? CheckStatus.PASS
                        : CheckStatus.FAIL, off.isEmpty() ? "the embedded PostgreSQL writes durably (fsync, "
                        + "synchronous commit, full page writes)" : "the embedded PostgreSQL may lose committed "
                        + "records on a crash: " + String.join(", ", off), details)
                .withData(Map.copyOf(values));
    }

    /**
     * Password authentication in force: a connection as {@code probe}'s user (and, for the
     * embedded server, as the superuser postgres) without a password must be refused.
     */
    ComplianceCheck passwordAuthentication(List<DatabaseUrl> probes) {
        List<String> accepted = new ArrayList<>();
        List<String> details = new ArrayList<>();
        for (DatabaseUrl probe : probes) {
            if (PgLogins.acceptsWithoutPassword(probe, "pki-password-probe")) {
                accepted.add(probe.user() + " at " + probe.location());
            } else {
                details.add("refused without a password: " + probe.user() + " at " + probe.location());
            }
        }
        if (accepted.isEmpty()) {
            return ComplianceCheck.of("database-password-auth", Safeguard.AUTHENTICATION, CheckStatus.PASS,
                    "the database refuses logins without a password", details);
        }
        accepted.forEach(a -> details.add(0, "ACCEPTED without a password: " + a));
        return ComplianceCheck.of("database-password-auth", Safeguard.AUTHENTICATION, CheckStatus.FAIL,
                "the database accepts logins without a password (trust authentication)", details)
                .withData(Map.of("accepted", accepted));
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }
}
