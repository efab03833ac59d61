package org.medpki.inventory.pg;

import static org.medpki.inventory.pg.PgQueries.time;

import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.medpki.core.revocation.RevocationReason;
import org.medpki.ocsp.CertState;
import org.medpki.ocsp.OcspRepository;
import org.medpki.ocsp.SignedResponse;

/**
 * {@link OcspRepository} on PostgreSQL: certificate status from the certificate table (read
 * only) and the responder's pre-signed responses in ocsp_response (V10).
 */
public final class PgOcspRepository implements OcspRepository {
    private static final String STATUS = "SELECT status, revoked_at, revocation_reason FROM certificate "
            + "WHERE ca_id = $1 AND serial = $2";
    private static final String UPSERT = "INSERT INTO ocsp_response (ca_id, serial, status, signer_id, this_update, "
            + "next_update, der) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (ca_id, serial) DO UPDATE SET "
            + "status = excluded.status, signer_id = excluded.signer_id, this_update = excluded.this_update, "
            + "next_update = excluded.next_update, der = excluded.der "
            // A late 'good' never overwrites a 'revoked' (another responder may have signed in between).
            + "WHERE ocsp_response.status <> 'revoked' OR excluded.status = 'revoked'";

    private final PgQueries sql;

    /** The OCSP responder's storage port over {@code database}'s pool. */
    public static OcspRepository over(InventoryDatabase database) {
        return new PgOcspRepository(database.queries());
    }

    PgOcspRepository(PgQueries sql) {
        this.sql = sql;
    }

    @Override
    public CertState state(long caId, BigInteger serial) {
        List<Row> rows = sql.rows("reading a certificate's status", STATUS, Tuple.of(caId, new BigDecimal(serial)));
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

    @Override
    public Optional<Stored> stored(long caId, BigInteger serial) {
        return sql.rows("reading a stored OCSP response", "SELECT * FROM ocsp_response WHERE ca_id = $1 AND serial = $2",
                Tuple.of(caId, new BigDecimal(serial))).stream().findFirst().map(PgOcspRepository::stored);
    }

    @Override
    public void save(long caId, BigInteger serial, SignedResponse r) {
        sql.update("storing an OCSP response", UPSERT, Tuple.tuple().addValue(caId).addValue(new BigDecimal(serial))
                .addValue(r.state().wireName()).addValue(r.signerId()).addValue(time(r.thisUpdate()))
                .addValue(time(r.nextUpdate())).addValue(Buffer.buffer(r.der())));
    }

    @Override
    public List<Stored> current(Instant now, int limit) {
        return sql.rows("loading stored OCSP responses", "SELECT * FROM ocsp_response WHERE next_update > $1 "
                + "ORDER BY this_update DESC LIMIT $2", Tuple.of(time(now), limit)).stream()
                .map(PgOcspRepository::stored).toList();
    }

    @Override
    public List<Stored> all(Instant now) {
        return sql.rows("listing stored OCSP responses", "SELECT * FROM ocsp_response WHERE next_update > $1 "
                + "ORDER BY ca_id, serial", Tuple.of(time(now))).stream().map(PgOcspRepository::stored).toList();
    }

    @Override
    public List<Due> due(Instant signedBefore, long[] servedCas, long[] currentSigners, int limit) {
        return sql.rows("finding OCSP responses to refresh", "SELECT c.ca_id, c.serial FROM certificate c "
                + "LEFT JOIN ocsp_response o ON o.ca_id = c.ca_id AND o.serial = c.serial "
                + "WHERE c.status IN ('issued', 'revoked') AND c.not_after > now() AND c.ca_id = ANY($3) "
                + "AND (o.serial IS NULL OR o.this_update < $1 OR NOT (o.signer_id = ANY($2))) "
                + "ORDER BY o.this_update NULLS FIRST LIMIT $4",
                Tuple.of(time(signedBefore), boxed(currentSigners), boxed(servedCas), limit)).stream()
                .map(r -> new Due(r.getLong(0), r.getNumeric(1).bigIntegerValue())).toList();
    }

    @Override
    public List<Due> dueSince(Instant issuedSince, Instant liveSince, Instant signedBefore, long[] servedCas, int limit) {
        // certificate_issued_at (V59) and ocsp_response_this_update (V10): both ranges are small.
        return sql.rows("finding OCSP responses to refresh since the last pass", "SELECT ca_id, serial FROM ("
                + "SELECT c.ca_id, c.serial, NULL::timestamptz AS signed FROM certificate c "
                + "WHERE c.status <> 'pending' AND c.issued_at >= $1 AND c.not_after > now() AND c.ca_id = ANY($4) "
                + "AND NOT EXISTS (SELECT 1 FROM ocsp_response o WHERE o.ca_id = c.ca_id AND o.serial = c.serial) "
                + "UNION ALL "
                + "SELECT o.ca_id, o.serial, o.this_update FROM ocsp_response o "
                + "JOIN certificate c ON c.ca_id = o.ca_id AND c.serial = o.serial "
                + "WHERE o.this_update >= $2 AND o.this_update < $3 AND o.ca_id = ANY($4) "
                + "AND c.status IN ('issued', 'revoked') AND c.not_after > now()"
                + ") due ORDER BY signed NULLS FIRST LIMIT $5",
                Tuple.of(time(issuedSince), time(liveSince), time(signedBefore), boxed(servedCas), limit)).stream()
                .map(r -> new Due(r.getLong(0), r.getNumeric(1).bigIntegerValue())).toList();
    }

    @Override
    public List<Due> revoked(long[] servedCas) {
        return sql.rows("listing revoked certificates", "SELECT ca_id, serial FROM certificate WHERE status = 'revoked' "
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

    private static Stored stored(Row r) {
        return new Stored(r.getLong("ca_id"), r.getNumeric("serial").bigIntegerValue(), r.getString("status"),
                r.getLong("signer_id"), r.getOffsetDateTime("this_update").toInstant(),
                r.getOffsetDateTime("next_update").toInstant(), r.getBuffer("der").getBytes());
    }
}
