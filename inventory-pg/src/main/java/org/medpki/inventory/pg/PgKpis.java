package org.medpki.inventory.pg;

import static org.medpki.inventory.pg.PgQueries.time;

import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.medpki.admin.Kpis;

/**
 * {@link Kpis} on PostgreSQL: certificate, ocsp_response, crl, acme_challenge and audit_event, each
 * statement a range scan of a V59 index (plus one index probe per row for a predecessor, a
 * replacement or a CRL), so that a period's numbers cost what the period holds, not the inventory.
 */
public final class PgKpis implements Kpis {
    /** A certificate's renewal window start, as ACME Renewal Information computes it (RenewalInfoHandler). */
    private static final String WINDOW_START = "(p.not_before + CASE WHEN p.not_after - p.not_before "
            + "<= interval '10 days' THEN (p.not_after - p.not_before) / 2 ELSE (p.not_after - p.not_before) * 2 / 3 END)";

    /** A certificate's serial as ACME orders store it (cert_serial): lower-case hex, no leading zeros. */
    private static final String SERIAL_HEX = "(SELECT ltrim(string_agg(substr('0123456789abcdef', "
            + "mod(div(r.serial, 16::numeric ^ k), 16)::int + 1, 1), '' ORDER BY k DESC), '0') "
            + "FROM generate_series(0, 40) k)";
    /** The serial an RFC 9773 CERTID names: its second part, base64url of the serial's DER content octets. */
    private static final String CERTID_SERIAL = "(SELECT sum(get_byte(b, i) * 256::numeric ^ (length(b) - 1 - i)) "
            + "FROM (SELECT decode(translate(x, '-_', '+/') || repeat('=', (4 - length(x) % 4) % 4), 'base64') AS b "
            + "FROM (SELECT split_part(o.replaces, '.', 2) AS x) y) d, generate_series(0, length(b) - 1) i)";

    /**
     * Each replacement issued in the period and its predecessor: the certificate its ACME order
     * named in {@code replaces} (while the order is kept), else the newest certificate issued before
     * it with the same profile, subject and set of SANs (any status but pending: a predecessor is
     * usually revoked as superseded once replaced). A CERTID that is not base64url is not followed.
     */
    static final String TIME_TO_RENEW = "SELECT count(s) AS n, percentile_disc(0.5) WITHIN GROUP (ORDER BY s) AS p50, "
            + "percentile_disc(0.95) WITHIN GROUP (ORDER BY s) AS p9x FROM ("
            + "SELECT floor(extract(epoch FROM r.issued_at - " + WINDOW_START + "))::bigint AS s "
            + "FROM certificate r "
            + "LEFT JOIN LATERAL (SELECT c.not_before, c.not_after FROM acme_order o "
            + "CROSS JOIN LATERAL " + CERTID_SERIAL + " AS named(serial) "
            + "JOIN certificate c ON c.serial = named.serial "
            + "WHERE o.cert_serial = " + SERIAL_HEX + " AND o.replaces ~ '^[A-Za-z0-9_-]+[.][A-Za-z0-9_-]+$' "
            + "AND length(split_part(o.replaces, '.', 2)) % 4 <> 1 "
            + "AND c.status <> 'pending' AND c.issued_at < r.issued_at ORDER BY c.issued_at DESC LIMIT 1) n ON true "
            + "LEFT JOIN LATERAL (SELECT c.not_before, c.not_after FROM certificate c "
            + "WHERE c.status <> 'pending' AND c.profile = r.profile AND c.subject = r.subject "
            + "AND c.issued_at < r.issued_at AND c.sans @> r.sans AND c.sans <@ r.sans "
            + "ORDER BY c.issued_at DESC LIMIT 1) l ON true "
            + "CROSS JOIN LATERAL (SELECT coalesce(n.not_before, l.not_before) AS not_before, "
            + "coalesce(n.not_after, l.not_after) AS not_after) p "
            + "WHERE r.status <> 'pending' AND r.issued_at >= $1 AND r.issued_at < $2) t";

    /**
     * Each certificate revoked in the period: its stored OCSP response (the responder re-signs it on
     * revocation; a later refresh moves this_update on, so this is an upper bound), and its CA's
     * first complete CRL (shard 0, kind full) made at or after the revocation.
     */
    static final String REVOCATION_LATENCY = "SELECT count(*) AS revoked, "
            + "count(ocsp_s) AS ocsp_n, percentile_disc(0.5) WITHIN GROUP (ORDER BY ocsp_s) AS ocsp_p50, "
            + "percentile_disc(0.99) WITHIN GROUP (ORDER BY ocsp_s) AS ocsp_p99, "
            + "count(*) FILTER (WHERE stored AND ocsp_s IS NULL) AS ocsp_unpublished, "
            + "count(*) FILTER (WHERE NOT stored) AS ocsp_unstored, "
            + "count(crl_s) AS crl_n, percentile_disc(0.5) WITHIN GROUP (ORDER BY crl_s) AS crl_p50, "
            + "percentile_disc(0.99) WITHIN GROUP (ORDER BY crl_s) AS crl_p99, "
            + "count(*) FILTER (WHERE crl_s IS NULL) AS crl_unpublished FROM ("
            + "SELECT o.ca_id IS NOT NULL AS stored, "
            + "CASE WHEN o.status = 'revoked' THEN greatest(0, floor(extract(epoch FROM o.this_update - c.revoked_at)))::bigint END AS ocsp_s, "
            // greatest() skips a null: an unpublished revocation would count as 0 without the CASE.
            + "CASE WHEN f.this_update IS NOT NULL THEN greatest(0, floor(extract(epoch FROM f.this_update - c.revoked_at)))::bigint END AS crl_s "
            + "FROM certificate c LEFT JOIN ocsp_response o ON o.ca_id = c.ca_id AND o.serial = c.serial "
            + "LEFT JOIN LATERAL (SELECT l.this_update FROM crl l WHERE l.ca_id = c.ca_id AND l.shard = 0 "
            + "AND l.kind = 'full' AND l.this_update >= c.revoked_at ORDER BY l.this_update LIMIT 1) f ON true "
            + "WHERE c.status = 'revoked' AND c.revoked_at >= $1 AND c.revoked_at < $2) t";

    /** Audited refusals may stand for more (skippedBefore: refusals the audit budget only counted). */
    private static final String AUDIT_COUNT = "(count(*) + coalesce(sum((e.details::jsonb ->> 'skippedBefore')::bigint), 0))::bigint";

    static final String FAILED_VALIDATIONS = "SELECT day, key, n FROM ("
            + "SELECT (c.started AT TIME ZONE 'UTC')::date AS day, 'acme' AS key, count(*) AS n FROM acme_challenge c "
            + "WHERE c.status = 'invalid' AND c.started >= $1 AND c.started < $2 GROUP BY 1 "
            + "UNION ALL SELECT (e.at AT TIME ZONE 'UTC')::date, 'device-' || e.actor, " + AUDIT_COUNT
            + " FROM audit_event e WHERE e.type = 'device.authentication_failed' AND e.at >= $1 AND e.at < $2 "
            + "GROUP BY 1, 2) t ORDER BY day, key";

    /** The audit events of refused issuance: the CA's, ACME's orders and finalizations, devices' enrollments. */
    static final List<String> REFUSALS = List.of("certificate.refused", "acme.order_refused", "acme.finalize_refused",
            "device.enrollment_refused");

    static final String UNAUTHORIZED_ATTEMPTS = "SELECT (e.at AT TIME ZONE 'UTC')::date AS day, "
            + "e.type || '/' || coalesce(e.details::jsonb ->> 'kind', e.details::jsonb ->> 'reason', 'unknown') AS key, "
            + AUDIT_COUNT + " AS n FROM audit_event e WHERE e.type = ANY ($3) AND e.at >= $1 AND e.at < $2 "
            + "GROUP BY 1, 2 ORDER BY 1, 2";

    /** A replacement for the timeline: as the expiry notices see it (PgExpiryNotices), issued and unrevoked. */
    static final String EXPIRY_TIMELINE = "SELECT day, profile, count(*) AS n, count(*) FILTER (WHERE orphan) AS orphans "
            + "FROM (SELECT (c.not_after AT TIME ZONE 'UTC')::date AS day, c.profile, NOT EXISTS (SELECT 1 FROM certificate r "
            + "WHERE r.status = 'issued' AND r.profile = c.profile AND r.subject = c.subject AND r.not_after > c.not_after "
            + "AND r.issued_at > c.issued_at AND r.sans @> c.sans AND r.sans <@ c.sans) AS orphan "
            + "FROM certificate c WHERE c.status = 'issued' AND c.not_after >= $1 AND c.not_after < $2) t "
            + "GROUP BY 1, 2 ORDER BY 1, 2";

    private final PgQueries sql;

    public static Kpis over(InventoryDatabase database) {
        return new PgKpis(database.queries());
    }

    PgKpis(PgQueries sql) {
        this.sql = sql;
    }

    @Override
    public Quantiles timeToRenew(Instant from, Instant to) {
        Row r = sql.run("computing the time to renew", TIME_TO_RENEW, Tuple.of(time(from), time(to))).iterator().next();
        return new Quantiles(r.getLong("n"), r.getLong("p50"), r.getLong("p9x"));
    }

    @Override
    public RevocationLatency revocationLatency(Instant from, Instant to) {
        Row r = sql.run("computing the revocation publication latency", REVOCATION_LATENCY,
                Tuple.of(time(from), time(to))).iterator().next();
        return new RevocationLatency(r.getLong("revoked"),
                new Quantiles(r.getLong("ocsp_n"), r.getLong("ocsp_p50"), r.getLong("ocsp_p99")),
                r.getLong("ocsp_unpublished"), r.getLong("ocsp_unstored"),
                new Quantiles(r.getLong("crl_n"), r.getLong("crl_p50"), r.getLong("crl_p99")),
                r.getLong("crl_unpublished"));
    }

    @Override
    public List<DayCount> failedValidations(Instant from, Instant to) {
        return dayCounts(sql.run("counting failed validations", FAILED_VALIDATIONS, Tuple.of(time(from), time(to))));
    }

    @Override
    public List<DayCount> unauthorizedIssuanceAttempts(Instant from, Instant to) {
        return dayCounts(sql.run("counting refused issuance requests", UNAUTHORIZED_ATTEMPTS,
                Tuple.of(time(from), time(to), REFUSALS.toArray(String[]::new))));
    }

    @Override
    public List<Expiring> expiryTimeline(Instant from, Instant to) {
        List<Expiring> out = new ArrayList<>();
        for (Row r : sql.run("reading the expiry timeline", EXPIRY_TIMELINE, Tuple.of(time(from), time(to)))) {
            out.add(new Expiring(r.getLocalDate("day"), r.getString("profile"), r.getLong("n"), r.getLong("orphans")));
        }
        return out;
    }

    private static List<DayCount> dayCounts(Iterable<Row> rows) {
        List<DayCount> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(new DayCount(r.getLocalDate("day"), r.getString("key"), r.getLong("n")));
        }
        return out;
    }
}
