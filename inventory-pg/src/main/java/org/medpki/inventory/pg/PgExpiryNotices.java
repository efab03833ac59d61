package org.medpki.inventory.pg;

import static org.medpki.inventory.pg.PgQueries.bytes;
import static org.medpki.inventory.pg.PgQueries.instant;
import static org.medpki.inventory.pg.PgQueries.time;

import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.medpki.admin.notice.Expiring;
import org.medpki.admin.notice.ExpiryNoticeStore;

/**
 * {@link ExpiryNoticeStore} on PostgreSQL (expiry_notice of V50; certificate, ca, owner). The
 * walk over expiring certificates uses certificate_status_not_after, and "no replacement" one
 * probe of certificate_renewal per certificate (see docs/hot-path-queries.md).
 */
public final class PgExpiryNotices implements ExpiryNoticeStore {
    /**
     * A replacement: issued after it, unrevoked, same profile and subject, the same set of names
     * (compared as sets: the order of SANs in a request is not meaningful) and a later notAfter.
     * The key may differ: a renewal usually brings a new key.
     */
    private static final String CERTIFICATES = "SELECT c.ca_id, c.serial, c.profile, c.subject, c.sans, c.not_after, "
            + "o.name AS owner, o.contact FROM certificate c "
            + "LEFT JOIN certificate_owner co ON co.ca_id = c.ca_id AND co.serial = c.serial "
            + "LEFT JOIN owner o ON o.name = co.owner "
            + "WHERE c.status = 'issued' AND c.not_after > $1 AND c.not_after <= $2 "
            + "AND (c.not_after, c.ca_id, c.serial) > ($3, $4, $5) "
            + "AND NOT EXISTS (SELECT 1 FROM certificate r WHERE r.status = 'issued' AND r.profile = c.profile "
            + "AND r.subject = c.subject AND r.not_after > c.not_after AND r.issued_at > c.issued_at "
            + "AND r.sans @> c.sans AND r.sans <@ c.sans) "
            + "ORDER BY c.not_after, c.ca_id, c.serial LIMIT $6";
    private static final String CAS = "SELECT c.id, c.role, c.subject, c.certificate, c.not_after FROM ca c "
            + "WHERE c.not_after > $1 AND c.not_after <= $2 "
            + "AND NOT EXISTS (SELECT 1 FROM ca r WHERE r.id <> c.id AND r.role = c.role "
            + "AND r.parent_id IS NOT DISTINCT FROM c.parent_id AND (c.role = 'ocsp-signer' OR r.subject = c.subject) "
            + "AND r.not_after > c.not_after) ORDER BY c.not_after, c.id";
    private final PgQueries sql;

    public static ExpiryNoticeStore over(InventoryDatabase database) {
        return new PgExpiryNotices(database.queries());
    }

    PgExpiryNotices(PgQueries sql) {
        this.sql = sql;
    }

    @Override
    public List<Expiring> expiringCertificates(Instant now, Instant until, Expiring after, int limit) {
        // The first page starts below every real key (serials are positive, CA ids too).
        Tuple args = Tuple.of(time(now), time(until), time(after == null ? now : after.notAfter()),
                after == null ? 0L : after.caId(), new BigDecimal(after == null ? BigInteger.ZERO : after.serial()), limit);
        List<Expiring> out = new ArrayList<>();
        for (Row r : sql.run("reading the certificates about to expire", CERTIFICATES, args)) {
            out.add(new Expiring(false, r.getLong("ca_id"), r.getNumeric("serial").bigIntegerValue(),
                    r.getString("profile"), r.getString("subject"), List.of(r.getArrayOfStrings("sans")),
                    instant(r, "not_after"), r.getString("owner"), r.getString("contact")));
        }
        return out;
    }

    @Override
    public List<Expiring> expiringCas(Instant now, Instant until) {
        List<Expiring> out = new ArrayList<>();
        for (Row r : sql.run("reading the CA certificates about to expire", CAS, Tuple.of(time(now), time(until)))) {
            out.add(new Expiring(true, r.getLong("id"), serialOf(bytes(r, "certificate")), r.getString("role"),
                    r.getString("subject") == null ? "" : r.getString("subject"), List.of(), instant(r, "not_after"),
                    null, null));
        }
        return out;
    }

    @Override
    public boolean claim(Notice n, Instant now, Instant abandonedBefore) {
        return sql.run("recording an expiry notice", "INSERT INTO expiry_notice (ca_id, serial, window_days, channel, "
                        + "recipient, not_after, outcome, decided_at) VALUES ($1, $2, $3, $4, $5, $6, 'sending', $7) "
                        + "ON CONFLICT (ca_id, serial, window_days, channel) DO UPDATE SET outcome = 'sending', "
                        + "recipient = EXCLUDED.recipient, decided_at = EXCLUDED.decided_at, "
                        + "attempts = expiry_notice.attempts + 1 "
                        + "WHERE expiry_notice.outcome = 'failed' "
                        + "OR (expiry_notice.outcome = 'sending' AND expiry_notice.decided_at < $8)",
                Tuple.from(new Object[] {n.caId(), new BigDecimal(n.serial()), n.windowDays(), n.channel(),
                        n.recipient(), time(n.notAfter()), time(now), time(abandonedBefore)})).rowCount() == 1;
    }

    @Override
    public void sent(Notice n, Instant at) {
        sql.run("recording a sent expiry notice", "UPDATE expiry_notice SET outcome = 'sent', sent_at = $5, error = NULL "
                        + "WHERE ca_id = $1 AND serial = $2 AND window_days = $3 AND channel = $4",
                Tuple.of(n.caId(), new BigDecimal(n.serial()), n.windowDays(), n.channel(), time(at)));
    }

    @Override
    public void failed(Notice n, String error, Instant at) {
        String cut = error == null ? "failed" : error.length() <= 500 ? error : error.substring(0, 497) + "...";
        sql.run("recording a failed expiry notice", "UPDATE expiry_notice SET outcome = 'failed', error = $5, "
                        + "decided_at = $6 WHERE ca_id = $1 AND serial = $2 AND window_days = $3 AND channel = $4 "
                        + "AND outcome = 'sending'",
                Tuple.of(n.caId(), new BigDecimal(n.serial()), n.windowDays(), n.channel(), cut, time(at)));
    }

    private static BigInteger serialOf(byte[] der) {
        try {
            return ((X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der))).getSerialNumber();
        } catch (CertificateException | ClassCastException e) {
            return BigInteger.ZERO;
        }
    }
}
