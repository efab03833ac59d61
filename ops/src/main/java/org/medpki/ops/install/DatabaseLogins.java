package org.medpki.ops.install;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Pattern;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.inventory.pg.DatabaseUrl;
import org.postgresql.PGConnection;

/**
 * The PostgreSQL login roles of one installation: {@code <prefix>_owner} owns the schema and runs
 * the migrations; {@code <prefix>_ca}, {@code _acme}, {@code _ocsp}, {@code _crl} and
 * {@code _auditor} are members of the group roles pki_ca ... pki_auditor (which hold the grants,
 * migrations V3 and later). Roles are cluster-wide, so their names carry a per-installation
 * prefix. Passwords are random, kept in PKI_HOME/secrets/db-&lt;role&gt;.password and stored
 * by PostgreSQL as SCRAM-SHA-256 verifiers computed by the driver (the password itself never
 * travels in a statement).
 */
public final class DatabaseLogins {
    /** Group roles of migration V2, one per service role. */
    public static final List<String> GROUPS = List.of("pki_ca", "pki_ocsp", "pki_crl", "pki_acme", "pki_auditor");
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
        try (Connection c = connect(admin, "pki-init"); Statement s = c.createStatement()) {
            boolean mayCreate;
            try (ResultSet r = s.executeQuery("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")) {
                mayCreate = r.next() && r.getBoolean(1);
            }
            if (!mayCreate) {
                requirePrecreated(c, home, prefix, admin.user());
                return;
            }
            s.execute("SET password_encryption = 'scram-sha-256'");
            for (String g : GROUPS) {
                if (!roleExists(c, g)) {
                    try {
                        s.execute("CREATE ROLE " + g + " NOLOGIN");
                    } catch (SQLException e) {
                        if (!"42710".equals(e.getSQLState())) { // created meanwhile by another installation
                            throw e;
                        }
                    }
                }
            }
            for (DatabaseRole role : DatabaseRole.values()) {
                String name = quote(login(prefix, role));
                String password = SecretFiles.readOrCreate(home.databasePassword(role));
                String attributes = " LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS";
                s.execute((roleExists(c, login(prefix, role)) ? "ALTER ROLE " : "CREATE ROLE ") + name + attributes);
                c.unwrap(PGConnection.class).alterUserPassword(login(prefix, role), password.toCharArray(), "scram-sha-256");
                if (group(role) != null) {
                    s.execute("GRANT " + group(role) + " TO " + name);
                }
            }
            giveToOwner(c, quote(login(prefix, DatabaseRole.OWNER)));
        } catch (SQLException e) {
            throw new PkiException(ErrorKind.DATABASE_UNAVAILABLE, "creating the database logins at "
                    + admin.location() + " as " + admin.user() + " failed: " + e.getMessage());
        }
    }

    /** The schema public and everything in it belong to the owner (so that its migrations may grant). */
    private static void giveToOwner(Connection c, String owner) throws SQLException {
        List<String> statements = new ArrayList<>();
        statements.add("ALTER SCHEMA public OWNER TO " + owner);
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(
                "SELECT format('ALTER %s %s OWNER TO ', CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' "
                        + "ELSE 'TABLE' END, c.oid::regclass) FROM pg_class c "
                        + "WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'S') "
                        + "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass "
                        + "AND d.objid = c.oid AND d.deptype IN ('a', 'i')) "
                        + "UNION ALL SELECT format('ALTER FUNCTION %s OWNER TO ', p.oid::regprocedure) FROM pg_proc p "
                        + "WHERE p.pronamespace = 'public'::regnamespace")) {
            while (r.next()) {
                statements.add(r.getString(1) + owner);
            }
        }
        try (Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    private static void requirePrecreated(Connection c, PkiHome home, String prefix, String user) throws SQLException {
        List<String> missing = new ArrayList<>();
        for (DatabaseRole role : DatabaseRole.values()) {
            if (!roleExists(c, login(prefix, role))) {
                missing.add("role " + login(prefix, role));
            }
            if (!SecretFiles.exists(home.databasePassword(role))) {
                missing.add(home.databasePassword(role).toString());
            }
        }
        if (!missing.isEmpty()) {
            throw new PkiException(ErrorKind.CONFIGURATION, "the database user " + user + " may not create roles "
                    + "(needs CREATEROLE) and " + String.join(", ", missing) + (missing.size() == 1 ? " is" : " are")
                    + " missing: grant CREATEROLE or create the roles and password files first (README, Database roles)");
        }
    }

    private static boolean roleExists(Connection c, String name) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
            p.setString(1, name);
            try (ResultSet r = p.executeQuery()) {
                return r.next();
            }
        }
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    /** A JDBC connection as {@code url}'s user (password given to the driver, never in a URL). */
    public static Connection connect(DatabaseUrl url, String applicationName) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", url.user());
        if (url.password() != null) {
            p.setProperty("password", url.password());
        }
        p.setProperty("ApplicationName", applicationName);
        return DriverManager.getConnection(url.jdbcUrl(), p);
    }
}
