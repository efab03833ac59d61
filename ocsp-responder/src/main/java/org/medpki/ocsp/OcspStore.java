package org.medpki.ocsp;

import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.revocation.RevocationReason;

/**
 * The responder's queries: certificate status from the inventory (read only) and its own
 * pre-signed responses in ocsp_response (V10). Calls block on the pool: never on an event loop.
 */
public final class OcspStore {
    private static final String STATUS = "SELECT status, revoked_at, revocation_reason FROM certificate "
            + "WHERE ca_id = $1 AND serial = $2";
    private static final String UPSERT = "INSERT INTO ocsp_response (ca_id, serial, status, signer_id, this_update, "
            + "next_update, der) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (ca_id, serial) DO UPDATE SET "
            + "status = excluded.status, signer_id = excluded.signer_id, this_update = excluded.this_update, "
            + "next_update = excluded.next_update, der = excluded.der "
            // A late 'good' never overwrites a 'revoked' (another responder may have signed in between).
            + "WHERE ocsp_response.status <> 'revoked' OR excluded.status = 'revoked'";

    private final Pool pool;

    public OcspStore(Pool pool) {
        this.pool = pool;
    }

    /** A stored response row. */
    public record Stored(long caId, BigInteger serial, String status, long signerId, Instant thisUpdate,
                         Instant nextUpdate, byte[] der) {
    }

    /** The certificate's status in the inventory: a pending intent or no row at all is unknown. */
    public CertState state(long caId, BigInteger serial) {
        List<Row> rows = query("reading a certificate's status", STATUS, Tuple.of(caId, new BigDecimal(serial)));
        if (rows.isEmpty()) {
            return CertState.UNKNOWN;
        }
        Row r = rows.getFirst();
        return switch (r.getString("status")) {
            case "issued" -> CertState.GOOD;
            case "revoked" -> new CertState.Revoked(r.getOffsetDateTime("revoked_at").toInstant(),
                    RevocationReason.ofCode(r.getShort("revocation_reason")));
            default -> CertState.UNKNOWN;
        };
    }

    public Optional<Stored> stored(long caId, BigInteger serial) {
        return query("reading a stored OCSP response", "SELECT * FROM ocsp_response WHERE ca_id = $1 AND serial = $2",
                Tuple.of(caId, new BigDecimal(serial))).stream().findFirst().map(OcspStore::stored);
    }

    public void save(long caId, BigInteger serial, SignedResponse r) {
        query("storing an OCSP response", UPSERT, Tuple.tuple().addValue(caId).addValue(new BigDecimal(serial))
                .addValue(r.state().wireName()).addValue(r.signerId()).addValue(time(r.thisUpdate()))
                .addValue(time(r.nextUpdate())).addValue(Buffer.buffer(r.der())));
    }

    /** Current responses, newest first, for warming the cache at start. */
    public List<Stored> current(Instant now, int limit) {
        return query("loading stored OCSP responses", "SELECT * FROM ocsp_response WHERE next_update > $1 "
                + "ORDER BY this_update DESC LIMIT $2", Tuple.of(time(now), limit)).stream().map(OcspStore::stored).toList();
    }

    /** Every current response of one CA or all CAs (caId null), for 'pki ocsp export'. */
    public List<Stored> all(Instant now) {
        return query("listing stored OCSP responses", "SELECT * FROM ocsp_response WHERE next_update > $1 "
                + "ORDER BY ca_id, serial", Tuple.of(time(now))).stream().map(OcspStore::stored).toList();
    }

    /** A certificate to (re-)sign: (ca, serial). */
    public record Due(long caId, BigInteger serial) {
    }

    /**
     * Certificates whose stored response is older than {@code signedBefore} or was signed by a
     * signer other than the current ones, or that have none yet (issued before the responder
     * ran, or a lost notification); only certificates not yet expired.
     */
    public List<Due> due(Instant signedBefore, long[] servedCas, long[] currentSigners, int limit) {
        return query("finding OCSP responses to refresh", "SELECT c.ca_id, c.serial FROM certificate c "
                + "LEFT JOIN ocsp_response o ON o.ca_id = c.ca_id AND o.serial = c.serial "
                + "WHERE c.status IN ('issued', 'revoked') AND c.not_after > now() AND c.ca_id = ANY($3) "
                + "AND (o.serial IS NULL OR o.this_update < $1 OR NOT (o.signer_id = ANY($2))) "
                + "ORDER BY o.this_update NULLS FIRST LIMIT $4",
                Tuple.of(time(signedBefore), boxed(currentSigners), boxed(servedCas), limit)).stream()
                .map(r -> new Due(r.getLong(0), r.getNumeric(1).bigIntegerValue())).toList();
    }

    /** Revoked certificates of the served CAs: re-checked after the LISTEN connection came back. */
    public List<Due> revoked(long[] servedCas) {
        return query("listing revoked certificates", "SELECT ca_id, serial FROM certificate WHERE status = 'revoked' "
                + "AND ca_id = ANY($1)", Tuple.of((Object) boxed(servedCas))).stream()
                .map(r -> new Due(r.getLong(0), r.getNumeric(1).bigIntegerValue())).toList();
    }

    private static Long[] boxed(long[] values) {
        Long[] b = new Long[values.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = values[i];
        }
        return b;
    }

    private List<Row> query(String what, String sql, Tuple params) {
        try {
            List<Row> rows = new ArrayList<>();
            pool.preparedQuery(sql).execute(params).await().forEach(rows::add);
            return rows;
        } catch (PkiException e) {
            throw e;
        } catch (Exception e) {
            throw new PkiException(ErrorKind.DATABASE_UNAVAILABLE, what + " failed: " + e.getMessage(), e);
        }
    }

    private static Stored stored(Row r) {
        return new Stored(r.getLong("ca_id"), r.getNumeric("serial").bigIntegerValue(), r.getString("status"),
                r.getLong("signer_id"), r.getOffsetDateTime("this_update").toInstant(),
                r.getOffsetDateTime("next_update").toInstant(), r.getBuffer("der").getBytes());
    }

    private static OffsetDateTime time(Instant i) {
        return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }
}
