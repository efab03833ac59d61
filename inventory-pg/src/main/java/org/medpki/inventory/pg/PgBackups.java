package org.medpki.inventory.pg;

import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The statements of 'pki backup' and 'pki restore': a snapshot that pg_dump shares with the figures
 * the manifest records (so both describe one moment of the inventory), the same figures read back
 * from a restored database, and the moves a restore makes on it.
 */
public final class PgBackups {
    private PgBackups() {
    }

    /**
     * What a backup records of the inventory: the newest CRL number of each CA (over its shards and
     * both kinds, which share one sequence), the last audit entry, the number of certificates and
     * the highest serial.
     */
    public record Figures(Map<String, BigInteger> newestCrlNumbers, long highestAuditSeq, long certificates,
                          BigInteger highestSerial) {
        public Figures {
            newestCrlNumbers = Map.copyOf(newestCrlNumbers);
        }
    }

    /**
     * A repeatable-read transaction whose snapshot is exported for pg_dump --snapshot: pg_dump then
     * sees exactly what {@link #figures()} read. Held open until closed.
     */
    public static final class Snapshot implements AutoCloseable {
        private final Connection connection;
        private final PgErrors errors;
        private final String id;

        private Snapshot(Connection connection, PgErrors errors, String id) {
            this.connection = connection;
            this.errors = errors;
            this.id = id;
        }

        /** The exported snapshot's identifier, for pg_dump --snapshot. */
        public String id() {
            return id;
        }

        public Figures figures() {
            try {
                return read(connection);
            } catch (SQLException e) {
                throw errors.map(e, "reading the inventory's figures for the backup manifest");
            }
        }

        @Override
        public void close() {
            try {
                connection.rollback();
                connection.close();
            } catch (SQLException e) {
                // Read-only; closing the connection ends the transaction either way.
            }
        }
    }

    /** Opens the snapshot as {@code url}'s user (the owner, who may read every table). */
    public static Snapshot snapshot(DatabaseUrl url, String applicationName) {
        PgErrors errors = new PgErrors(url);
        Connection c = null;
        try {
            c = PgLogins.connect(url, applicationName);
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT pg_export_snapshot()")) {
                r.next();
                return new Snapshot(c, errors, r.getString(1));
            }
        } catch (SQLException e) {
            closeQuietly(c);
            throw errors.map(e, "opening a snapshot of the inventory for the backup");
        }
    }

    /** The figures of the database at {@code url} as it is now (after a restore, to compare with the manifest). */
    public static Figures figures(DatabaseUrl url, String applicationName) {
        try (Connection c = PgLogins.connect(url, applicationName)) {
            return read(c);
        } catch (SQLException e) {
            throw new PgErrors(url).map(e, "reading the restored inventory's figures");
        }
    }

    /**
     * Whether the database at {@code url} holds an inventory already (its CA table); the newest CRL
     * numbers it holds are then in {@code seenCrlNumbers}.
     */
    public static boolean holdsInventory(DatabaseUrl url, String applicationName, Map<String, BigInteger> seenCrlNumbers) {
        try (Connection c = PgLogins.connect(url, applicationName)) {
            try (Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT to_regclass('public.ca') IS NOT NULL, "
                         + "to_regclass('public.crl') IS NOT NULL")) {
                r.next();
                if (!r.getBoolean(1)) {
                    return false;
                }
                if (r.getBoolean(2)) {
                    seenCrlNumbers.putAll(crlNumbers(c));
                }
                return true;
            }
        } catch (SQLException e) {
            throw new PgErrors(url).map(e, "looking for an inventory in the target database");
        }
    }

    /** How many tables, views and sequences the public schema of {@code url}'s database holds. */
    public static long relationsInSchema(DatabaseUrl url, String applicationName) {
        try (Connection c = PgLogins.connect(url, applicationName); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT count(*) FROM pg_class cl JOIN pg_namespace n ON n.oid = "
                     + "cl.relnamespace WHERE n.nspname = 'public' AND cl.relkind IN ('r', 'v', 'm', 'S', 'p', 'f')")) {
            r.next();
            return r.getLong(1);
        } catch (SQLException e) {
            throw new PgErrors(url).map(e, "looking into the target database");
        }
    }

    /**
     * Moves every CRL counter forward by {@code gap} (they only move forward): a number the lost
     * installation used after the backup was made, and that nobody at the restore can see, is then
     * not used again unless more than {@code gap} CRLs of one scope were published since.
     */
    public static int advanceCrlCounters(DatabaseUrl url, String applicationName, BigInteger gap) {
        try (Connection c = PgLogins.connect(url, applicationName);
             PreparedStatement s = c.prepareStatement("UPDATE crl_counter SET last_number = last_number + ?")) {
            s.setBigDecimal(1, new java.math.BigDecimal(gap));
            return s.executeUpdate();
        } catch (SQLException e) {
            throw new PgErrors(url).map(e, "moving the CRL counters forward");
        }
    }

    /**
     * Undoes a restore into {@code url}'s database: the schema and everything in it dropped and made
     * again for {@code owner}. Run as the administrator's login.
     */
    public static void dropRestoredSchema(DatabaseUrl admin, String applicationName, String owner) {
        try (Connection c = PgLogins.connect(admin, applicationName); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA public CASCADE");
            s.execute("CREATE SCHEMA public AUTHORIZATION " + quoteIdentifier(owner));
        } catch (SQLException e) {
            throw new PgErrors(admin).map(e, "undoing the restored schema");
        }
    }

    private static String quoteIdentifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    private static Figures read(Connection c) throws SQLException {
        Map<String, BigInteger> crls = crlNumbers(c);
        try (Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT (SELECT coalesce(max(seq), 0) FROM audit_event), "
                     + "(SELECT count(*) FROM certificate), (SELECT coalesce(max(serial), 0) FROM certificate)")) {
            r.next();
            return new Figures(crls, r.getLong(1), r.getLong(2), r.getBigDecimal(3).toBigIntegerExact());
        }
    }

    private static Map<String, BigInteger> crlNumbers(Connection c) throws SQLException {
        Map<String, BigInteger> numbers = new LinkedHashMap<>();
        try (Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT ca.name, max(crl.crl_number) FROM crl JOIN ca ON ca.id = crl.ca_id "
                     + "GROUP BY ca.name ORDER BY ca.name")) {
            while (r.next()) {
                numbers.put(r.getString(1), r.getBigDecimal(2).toBigIntegerExact());
            }
        }
        return numbers;
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // Already failing; the first error is the one reported.
            }
        }
    }

    /** An administrator of the admin API as the restored inventory knows them, by one of their certificates. */
    public record Administrator(String name, java.util.List<String> roles, String certificateStatus) {
    }

    /** The administrator whose certificate is {@code serial} of CA {@code caName}, if it is one. */
    public static java.util.Optional<Administrator> administrator(DatabaseUrl url, String applicationName,
                                                                  String caName, BigInteger serial) {
        try (Connection c = PgLogins.connect(url, applicationName);
             PreparedStatement s = c.prepareStatement("SELECT a.name, a.roles, cert.status FROM admin_certificate ac "
                     + "JOIN admin a ON a.name = ac.admin_name JOIN ca ON ca.id = ac.ca_id "
                     + "JOIN certificate cert ON cert.ca_id = ac.ca_id AND cert.serial = ac.serial "
                     + "WHERE ca.name = ? AND ac.serial = ?")) {
            s.setString(1, caName);
            s.setBigDecimal(2, new java.math.BigDecimal(serial));
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return java.util.Optional.empty();
                }
                return java.util.Optional.of(new Administrator(r.getString(1),
                        java.util.List.of((String[]) r.getArray(2).getArray()), r.getString(3)));
            }
        } catch (SQLException e) {
            throw new PgErrors(url).map(e, "looking up an approver of the restore among the administrators");
        }
    }
}
