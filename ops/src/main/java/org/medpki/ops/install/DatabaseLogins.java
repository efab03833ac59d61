package org.medpki.ops.install;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.inventory.pg.DatabaseUrl;
import org.medpki.inventory.pg.PgLogins;

/**
 * The PostgreSQL login roles of one installation: {@code <prefix>_owner} owns the schema and runs
 * the migrations; {@code <prefix>_ca}, {@code _acme}, {@code _ocsp}, {@code _crl} and
 * {@code _auditor} are members of the group roles pki_ca ... pki_auditor (which hold the grants,
 * migrations V3 and later). Roles are cluster-wide, so their names carry a per-installation
 * prefix. Passwords are random, kept in PKI_HOME/secrets/db-&lt;role&gt;.password and stored
 * by PostgreSQL as SCRAM-SHA-256 verifiers computed by the driver (the password itself never
 * travels in a statement). The names, files and rules are here; the statements in inventory-pg's
 * {@link PgLogins}.
 */
public final class DatabaseLogins {
    /** Group roles of migration V2, one per service role. */
    public static final List<String> GROUPS = List.of("pki_ca", "pki_ocsp", "pki_crl", "pki_acme", "pki_auditor",
            "pki_admin", "pki_enroll");
    private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9_]{0,39}");

    private DatabaseLogins() {
    }

    /** The login role of {@code role} under {@code prefix}: medpki_ca, medpki_owner, ... */
    public static String login(String prefix, DatabaseRole role) {
        return prefix + "_" + role.name().toLowerCase(Locale.ROOT);
    }

    /** The group role whose grants {@code role}'s login inherits; null for the owner. */
    public static String group(DatabaseRole role) {
        return role == DatabaseRole.OWNER ? null : "pki_" + role.name().toLowerCase(Locale.ROOT);
    }

    /** application_name of every connection of {@code role}: medpki-ca, medpki-ocsp, ... */
    public static String applicationName(DatabaseRole role) {
        return "medpki-" + role.name().toLowerCase(Locale.ROOT);
    }

    /** Why {@code prefix} is not a valid database.rolePrefix, or null if it is. */
    public static String invalidPrefix(String prefix) {
        return PREFIX.matcher(prefix).matches() ? null
                : "database.rolePrefix must be a lower-case letter followed by at most 39 of a-z, 0-9 and _";
    }

    /**
     * The default prefix: 'medpki' for the embedded server (a cluster of its own), otherwise the
     * database's name made a valid prefix (one database per installation, so one prefix each).
     */
    public static String defaultPrefix(String databaseName, boolean embedded) {
        if (embedded) {
            return "medpki";
        }
        String p = databaseName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        if (p.isEmpty() || p.charAt(0) < 'a' || p.charAt(0) > 'z') {
            p = "medpki_" + p;
        }
        return p.length() > 40 ? p.substring(0, 40) : p;
    }

    /**
     * Creates (or updates) the owner and the service logins as {@code admin} (a superuser or a
     * role with CREATEROLE): passwords from the secrets files, generated where missing; the owner
     * gets the schema and every object in it (an installation made before the logins existed had
     * them owned by the superuser). When {@code admin} may not create roles, the roles must exist
     * already with their passwords in the secrets files (made by the operator); otherwise
     * CONFIGURATION naming what is missing.
     */
    public static void provision(PkiHome home, String prefix, DatabaseUrl admin) {
        List<PgLogins.Login> logins = new ArrayList<>();
        for (DatabaseRole role : DatabaseRole.values()) {
            logins.add(new PgLogins.Login(login(prefix, role), group(role),
                    () -> SecretFiles.readOrCreate(home.databasePassword(role))));
        }
        if (!PgLogins.provision(admin, "pki-init", GROUPS, logins, login(prefix, DatabaseRole.OWNER))) {
            requirePrecreated(home, prefix, admin);
        }
    }

    private static void requirePrecreated(PkiHome home, String prefix, DatabaseUrl admin) {
        List<String> roles = new ArrayList<>();
        for (DatabaseRole role : DatabaseRole.values()) {
            roles.add(login(prefix, role));
        }
        List<String> absent = PgLogins.missingRoles(admin, "pki-init", roles);
        List<String> missing = new ArrayList<>();
        for (DatabaseRole role : DatabaseRole.values()) {
            if (absent.contains(login(prefix, role))) {
                missing.add("role " + login(prefix, role));
            }
            if (!SecretFiles.exists(home.databasePassword(role))) {
                missing.add(home.databasePassword(role).toString());
            }
        }
        if (!missing.isEmpty()) {
            throw new PkiException(ErrorKind.CONFIGURATION, "the database user " + admin.user() + " may not create "
                    + "roles (needs CREATEROLE) and " + String.join(", ", missing)
                    + (missing.size() == 1 ? " is" : " are") + " missing: grant CREATEROLE or create the roles and "
                    + "password files first (README, Database roles)");
        }
    }
}
