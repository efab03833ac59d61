package org.medpki.ops;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * What ops/test provides: a SoftHSM2 module and PIN, and a PostgreSQL cluster whose superuser URL
 * is PKI_TEST_PG_ADMIN_URL. Tests fail, not skip, without them.
 */
final class TestEnvironment {
    private TestEnvironment() {
    }

    static String require(String name) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException(name + " is not set: run the tests through ops/test");
        }
        return v;
    }

    static String pin() {
        return require("PKI_TEST_TOKEN_PIN");
    }

    static String module() {
        return require("PKI_TEST_SOFTHSM_MODULE");
    }

    static Path policies() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("policies/profiles"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find policies/profiles above " + Path.of("").toAbsolutePath());
        }
        return p.resolve("policies");
    }

    /** postgresql://user:password@host:port/db of the admin URL, split. */
    record PgUrl(String user, String password, String host, int port, String database) {
        static PgUrl parse(String url) {
            String rest = url.substring(url.indexOf("://") + 3);
            String cred = rest.substring(0, rest.lastIndexOf('@'));
            String hostPart = rest.substring(rest.lastIndexOf('@') + 1);
            String hostPort = hostPart.substring(0, hostPart.indexOf('/'));
            return new PgUrl(cred.substring(0, cred.indexOf(':')), cred.substring(cred.indexOf(':') + 1),
                    hostPort.substring(0, hostPort.indexOf(':')),
                    Integer.parseInt(hostPort.substring(hostPort.indexOf(':') + 1)),
                    hostPart.substring(hostPart.indexOf('/') + 1));
        }

        String withDatabase(String db) {
            return "postgresql://" + user + ":" + password + "@" + host + ":" + port + "/" + db;
        }

        String jdbc(String db) {
            return "jdbc:postgresql://" + host + ":" + port + "/" + db;
        }
    }

    /** Creates a fresh database and returns its postgresql:// URL. */
    static String newDatabase() throws SQLException {
        PgUrl admin = PgUrl.parse(require("PKI_TEST_PG_ADMIN_URL"));
        String name = "medpki_ops_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
        try (Connection c = DriverManager.getConnection(admin.jdbc(admin.database()), admin.user(), admin.password());
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return admin.withDatabase(name);
    }

    static Connection connect(String url) throws SQLException {
        PgUrl u = PgUrl.parse(url);
        return DriverManager.getConnection(u.jdbc(u.database()), u.user(), u.password());
    }
}
