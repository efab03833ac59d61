package org.medpki.inventory.pg;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;

/**
 * A database of its own for one test class (or test), made in the throw-away cluster that
 * ops/test starts, and dropped at close.
 */
final class TestDatabase implements AutoCloseable {

    static final String ENV = "PKI_TEST_PG_ADMIN_URL";

    private final DatabaseUrl admin;
    private final String name;

    private TestDatabase(DatabaseUrl admin, String name) {
        this.admin = admin;
        this.name = name;
    }

    static DatabaseUrl adminUrl() {
        String url = System.getenv(ENV);
        if (url == null || url.isBlank()) {
            throw new IllegalStateException(ENV + " is not set: run these tests through ops/test, which starts a "
                    + "throw-away PostgreSQL cluster and sets it (e.g. ops/test -pl inventory-pg -am)");
        }
        return DatabaseUrl.parse(url);
    }

    static TestDatabase create() {
        DatabaseUrl admin = adminUrl();
        String name = "medpki_test_" + HexFormat.of().formatHex(new SecureRandom().generateSeed(6));
        try (Connection c = DriverManager.getConnection(admin.jdbcUrl(), admin.user(), admin.password());
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create test database " + name + ": " + e.getMessage(), e);
        }
        return new TestDatabase(admin, name);
    }

    String name() {
        return name;
    }

    /** postgresql://admin:password@host:port/name, the password percent-encoded. */
    String url() {
        return "postgresql://" + enc(admin.user()) + ":" + enc(admin.password()) + "@" + admin.host() + ":"
                + admin.port() + "/" + name;
    }

    String password() {
        return admin.password();
    }

    /** A JDBC connection to the test database as the cluster's superuser. */
    Connection admin() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + admin.host() + ":" + admin.port() + "/" + name,
                admin.user(), admin.password());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public void close() {
        try (Connection c = DriverManager.getConnection(admin.jdbcUrl(), admin.user(), admin.password());
             Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (SQLException e) {
            throw new IllegalStateException("could not drop test database " + name + ": " + e.getMessage(), e);
        }
    }
}
