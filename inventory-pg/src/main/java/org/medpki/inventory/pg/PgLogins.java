package org.medpki.inventory.pg;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Supplier;
import org.medpki.core.error.PkiException;
import org.postgresql.PGConnection;

/**
 * Database administration over plain JDBC, before there is a pool (or a login) to use: the login
 * roles of an installation and who owns the schema, run with an administrator's login (a
 * superuser or a role with CREATEROLE); a role's password; probes. Passwords are stored by
 * PostgreSQL as SCRAM-SHA-256 verifiers computed by the driver, so a password never travels in a
 * statement. Failures are mapped by {@link PgErrors}.
 */
public final class PgLogins {
    private PgLogins() {
    }

    /**
     * A login role to create or update: its name, the group role whose grants it inherits (null:
     * none) and its password, asked for only when the role is created or updated.
     */
    public record Login(String name, String group, Supplier<String> password) {
        public Login {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(password, "password");
        }
    }

    /**
     * As {@code admin}: creates the {@code groups} (NOLOGIN) that are missing, creates or updates
     * each of {@code logins} (LOGIN INHERIT and nothing more, its password, membership of its
     * group), and gives the schema public and every object in it to {@code owner} (one of the
     * logins; its migrations then may grant). Returns false, having changed nothing, when
     * {@code admin} may not create roles.
     */
    public static boolean provision(DatabaseUrl admin, String applicationName, List<String> groups, List<Login> logins,
                                    String owner) {
        try (Connection c = connect(admin, applicationName); Statement s = c.createStatement()) {
            boolean mayCreate;
            try (ResultSet r = s.executeQuery(
                    "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")) {
                mayCreate = r.next() && r.getBoolean(1);
            }
            if (!mayCreate) {
                return false;
            }
            s.execute("SET password_encryption = 'scram-sha-256'");
            for (String g : groups) {
                if (!roleExists(c, g)) {
                    try {
                        s.execute("CREATE ROLE " + quote(g) + " NOLOGIN");
                    } catch (SQLException e) {
                        if (!"42710".equals(e.getSQLState())) { // created meanwhile by another installation
                            throw e;
                        }
                    }
                }
            }
            for (Login login : logins) {
                String name = quote(login.name());
                String password = login.password().get();
                String attributes = " LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS";
                s.execute((roleExists(c, login.name()) ? "ALTER ROLE " : "CREATE ROLE ") + name + attributes);
                c.unwrap(PGConnection.class).alterUserPassword(login.name(), password.toCharArray(), "scram-sha-256");
                if (login.group() != null) {
                    s.execute("GRANT " + quote(login.group()) + " TO " + name);
                }
            }
            giveToOwner(c, quote(owner));
            return true;
        } catch (SQLException e) {
            throw new PgErrors(admin).map(e, "creating the database logins at " + admin.location() + " as "
                    + admin.user());
        }
    }

    /** Which of {@code roles} do not exist, as {@code admin} sees it. */
    public static List<String> missingRoles(DatabaseUrl admin, String applicationName, List<String> roles) {
        try (Connection c = connect(admin, applicationName)) {
            List<String> missing = new ArrayList<>();
            for (String role : roles) {
                if (!roleExists(c, role)) {
                    missing.add(role);
                }
            }
            return missing;
        } catch (SQLException e) {
            throw new PgErrors(admin).map(e, "looking up the database logins at " + admin.location());
        }
    }

    /**
     * Sets {@code role}'s password as {@code url}'s user (a SCRAM verifier made by the driver);
     * then runs {@code then} and has the server reload its configuration (pg_hba.conf), all on
     * one connection: made before the reload, so it may use an authentication the reload ends.
     */
    public static void setPasswordAndReload(DatabaseUrl url, String applicationName, String role, String password,
                                            Runnable then) {
        try (Connection c = connect(url, applicationName); Statement s = c.createStatement()) {
            s.execute("SET password_encryption = 'scram-sha-256'");
            c.unwrap(PGConnection.class).alterUserPassword(role, password.toCharArray(), "scram-sha-256");
            then.run();
            s.execute("SELECT pg_reload_conf()");
        } catch (SQLException e) {
            throw new PgErrors(url).map(e, "setting the password of " + role + " at " + url.location());
        }
    }

    /** Whether the server lets {@code url}'s user in without a password (trust authentication). */
    public static boolean acceptsWithoutPassword(DatabaseUrl url, String applicationName) {
        DatabaseUrl noPassword = new DatabaseUrl(url.host(), url.port(), url.database(), url.user(), null,
                url.sslMode());
        try (Connection c = connect(noPassword, applicationName)) {
            return true;
        } catch (SQLException e) {
            return false;
        }
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
}
