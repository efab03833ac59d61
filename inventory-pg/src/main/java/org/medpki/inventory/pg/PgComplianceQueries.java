package org.medpki.inventory.pg;

import static org.medpki.inventory.pg.PgQueries.instant;
import static org.medpki.inventory.pg.PgQueries.time;

import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The read-only queries the compliance report needs beyond the Inventory port: streaming signed
 * certificates in pages, the OCSP and CRL publication tables (when those services' migrations
 * exist), and the database's own protections (triggers, logins, grants, settings). Calls block;
 * never on an event loop.
 */
public final class PgComplianceQueries {
    // A concrete class, no port: compliance evidence must come from the real database, never a fake.
    private static final int PAGE = 500;
    private static final Pattern TABLE = Pattern.compile("[a-z_][a-z0-9_]*");

    private final PgQueries sql;

    PgComplianceQueries(PgQueries sql) {
        this.sql = sql;
    }

    /** A signed certificate as stored. */
    public record StoredCertificate(long caId, BigInteger serial, String profile, byte[] der) {
    }

    /** A revoked certificate: when, and which CRL shard lists it. */
    public record Revocation(long caId, BigInteger serial, String profile, Instant revokedAt, int shard) {
    }

    /** A stored OCSP response's status and times. */
    public record OcspRow(String status, Instant thisUpdate, Instant nextUpdate) {
    }

    /** OCSP responses of certificates that have not expired: how many, how many expired or missing, the oldest. */
    public record OcspSummary(long responses, long liveCertificates, long liveWithResponse, long expiredResponses,
                              Instant oldestThisUpdate) {
    }

    /** A published CRL. {@code der} is null when not asked for. */
    public record CrlRow(long caId, int shard, String kind, BigInteger number, Instant thisUpdate, Instant nextUpdate,
                         Instant publishedAt, long entries, byte[] der) {
    }

    /** A trigger on one of the audit tables and whether it is enabled. */
    public record TriggerState(String table, String name, boolean enabled) {
    }

    /** Sessions of one application_name and user. */
    public record Session(String applicationName, String user, long count) {
    }

    /** What a login may do beyond its grants, and whether it owns tables. */
    public record LoginAttributes(boolean superuser, boolean createRole, boolean createDb, boolean bypassRls,
                                  boolean ownsTables) {
    }

    public boolean tableExists(String table) {
        return sql.rows("looking for table " + table, "SELECT to_regclass($1) IS NOT NULL", Tuple.of("public." + table))
                .getFirst().getBoolean(0);
    }

    public long signedCertificates() {
        return sql.rows("counting certificates", "SELECT count(*) FROM certificate WHERE status <> 'pending'",
                Tuple.tuple()).getFirst().getLong(0);
    }

    /**
     * Streams up to {@code limit} signed certificates in (ca_id, serial) order, a page at a time, so
     * that millions of rows are never in memory. Serials are random, so the first {@code limit} are
     * a fair sample. Returns how many were passed on.
     */
    public long forEachSignedCertificate(long limit, Consumer<StoredCertificate> consumer) {
        long seen = 0;
        long lastCa = -1;
        BigDecimal lastSerial = BigDecimal.ZERO;
        while (seen < limit) {
            int page = (int) Math.min(PAGE, limit - seen);
            List<Row> rows = sql.rows("reading certificates", "SELECT ca_id, serial, profile, der FROM certificate "
                    + "WHERE status <> 'pending' AND (ca_id, serial) > ($1, $2) ORDER BY ca_id, serial LIMIT $3",
                    Tuple.of(lastCa, lastSerial, page));
            for (Row r : rows) {
                lastCa = r.getLong("ca_id");
                lastSerial = r.getNumeric("serial").bigDecimalValue();
                consumer.accept(new StoredCertificate(lastCa, lastSerial.toBigInteger(), r.getString("profile"),
                        r.getBuffer("der").getBytes()));
                seen++;
            }
            if (rows.size() < page) {
                break;
            }
        }
        return seen;
    }

    /** The most recent revocations, newest first. */
    public List<Revocation> recentRevocations(int limit) {
        return sql.rows("reading revocations", "SELECT ca_id, serial, profile, revoked_at, shard FROM certificate "
                        + "WHERE status = 'revoked' ORDER BY revoked_at DESC LIMIT $1", Tuple.of(limit)).stream()
                .map(r -> new Revocation(r.getLong("ca_id"), r.getNumeric("serial").bigIntegerValue(),
                        r.getString("profile"), instant(r, "revoked_at"), r.getShort("shard")))
                .toList();
    }

    /** Rows in {@code table} (a table name of the schema, lower case). */
    public long count(String table) {
        if (!TABLE.matcher(table).matches()) {
            throw new IllegalArgumentException("not a table name: " + table);
        }
        return sql.rows("counting " + table, "SELECT count(*) FROM " + table, Tuple.tuple()).getFirst().getLong(0);
    }

    public Optional<OcspRow> ocspResponse(long caId, BigInteger serial) {
        return sql.rows("reading an OCSP response", "SELECT status, this_update, next_update FROM ocsp_response "
                        + "WHERE ca_id = $1 AND serial = $2", Tuple.of(caId, new BigDecimal(serial))).stream()
                .findFirst().map(r -> new OcspRow(r.getString("status"), instant(r, "this_update"),
                        instant(r, "next_update")));
    }

    public OcspSummary ocspSummary(Instant now) {
        Row r = sql.rows("summarising OCSP responses", "SELECT (SELECT count(*) FROM ocsp_response), "
                + "count(c.serial), count(o.serial), "
                + "count(o.serial) FILTER (WHERE o.next_update <= $1), min(o.this_update) "
                + "FROM certificate c LEFT JOIN ocsp_response o ON o.ca_id = c.ca_id AND o.serial = c.serial "
                + "WHERE c.status <> 'pending' AND c.not_after > $1", Tuple.of(time(now))).getFirst();
        return new OcspSummary(r.getLong(0), r.getLong(1), r.getLong(2), r.getLong(3),
                r.getOffsetDateTime(4) == null ? null : r.getOffsetDateTime(4).toInstant());
    }

    /** CRLs of a CA published in [from, to), oldest first, with their DER, at most {@code limit}. */
    public List<CrlRow> crlsPublished(long caId, Instant from, Instant to, int limit) {
        return sql.rows("reading CRLs", "SELECT ca_id, shard, kind, crl_number, this_update, next_update, "
                        + "published_at, entries, der FROM crl WHERE ca_id = $1 AND published_at >= $2 AND published_at < $3 "
                        + "ORDER BY published_at, crl_number LIMIT $4",
                Tuple.of(caId, time(from), time(to), limit)).stream().map(r -> crl(r, true)).toList();
    }

    /** The newest complete CRL (shard 0) of a CA, without its DER. */
    public Optional<CrlRow> latestCompleteCrl(long caId) {
        return sql.rows("reading the latest CRL", "SELECT ca_id, shard, kind, crl_number, this_update, next_update, "
                        + "published_at, entries FROM crl WHERE ca_id = $1 AND shard = 0 AND kind = 'full' "
                        + "ORDER BY crl_number DESC LIMIT 1", Tuple.of(caId)).stream().findFirst()
                .map(r -> crl(r, false));
    }

    public List<TriggerState> auditTriggers() {
        return sql.rows("reading the audit triggers", "SELECT c.relname, t.tgname, t.tgenabled <> 'D' "
                        + "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal "
                        + "AND c.relname IN ('audit_event', 'audit_checkpoint', 'audit_head') ORDER BY 1, 2",
                Tuple.tuple()).stream()
                .map(r -> new TriggerState(r.getString(0), r.getString(1), r.getBoolean(2))).toList();
    }

    /**
     * The (application_name, user) pairs of this database's sessions whose application_name starts
     * with medpki-, other than the sessions of the login asking.
     */
    public List<Session> serviceSessions() {
        return sql.rows("reading pg_stat_activity", "SELECT application_name, usename, count(*) FROM pg_stat_activity "
                        + "WHERE datname = current_database() AND application_name LIKE 'medpki-%' "
                        + "AND usename IS DISTINCT FROM current_user GROUP BY 1, 2 ORDER BY 1, 2", Tuple.tuple())
                .stream().map(r -> new Session(r.getString(0), r.getString(1), r.getLong(2))).toList();
    }

    /** A login's attributes, and whether it owns (or is a member of the owner of) any table here. */
    public Optional<LoginAttributes> login(String name) {
        return sql.rows("reading role " + name, "SELECT r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolbypassrls, "
                        + "EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace "
                        + "AND c.relkind IN ('r', 'p') AND pg_has_role(r.oid, c.relowner, 'USAGE')) "
                        + "FROM pg_roles r WHERE r.rolname = $1", Tuple.of(name)).stream().findFirst()
                .map(r -> new LoginAttributes(r.getBoolean(0), r.getBoolean(1), r.getBoolean(2), r.getBoolean(3),
                        r.getBoolean(4)));
    }

    /**
     * The privileges {@code login} holds (directly or through its groups) on each table of the schema;
     * a privilege on some columns only is written with them, {@code SELECT(a,b)}.
     */
    public Map<String, Set<String>> tablePrivileges(String login) {
        Map<String, Set<String>> privileges = new TreeMap<>();
        sql.rows("reading the privileges of " + login, "SELECT c.relname, p.priv FROM pg_class c CROSS JOIN "
                        + "unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) "
                        + "AS p(priv) WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v') "
                        + "AND has_table_privilege($1, c.oid, p.priv)", Tuple.of(login))
                .forEach(r -> privileges.computeIfAbsent(r.getString(0), k -> new TreeSet<>()).add(r.getString(1)));
        // Grants on some columns only: "SELECT(a,b)", columns sorted, so that they are compared too.
        sql.rows("reading the column privileges of " + login, "SELECT c.relname, p.priv, "
                        + "string_agg(a.attname, ',' ORDER BY a.attname) FROM pg_class c "
                        + "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
                        + "CROSS JOIN unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'REFERENCES']) AS p(priv) "
                        + "WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v') "
                        + "AND NOT has_table_privilege($1, c.oid, p.priv) "
                        + "AND has_column_privilege($1, c.oid, a.attnum, p.priv) GROUP BY c.relname, p.priv",
                        Tuple.of(login))
                .forEach(r -> privileges.computeIfAbsent(r.getString(0), k -> new TreeSet<>())
                        .add(r.getString(1) + "(" + r.getString(2) + ")"));
        return privileges;
    }

    /** A server setting as SHOW prints it (fsync: on/off). */
    public String setting(String name) {
        return sql.rows("reading setting " + name, "SELECT current_setting($1)", Tuple.of(name)).getFirst()
                .getString(0);
    }

    private static CrlRow crl(Row r, boolean withDer) {
        return new CrlRow(r.getLong("ca_id"), r.getShort("shard"), r.getString("kind"),
                r.getNumeric("crl_number").bigIntegerValue(), instant(r, "this_update"), instant(r, "next_update"),
                instant(r, "published_at"), r.getLong("entries"), withDer ? r.getBuffer("der").getBytes() : null);
    }
}
