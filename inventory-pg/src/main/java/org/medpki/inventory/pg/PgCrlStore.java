package org.medpki.inventory.pg;

import static org.medpki.inventory.pg.PgQueries.time;

import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Cursor;
import io.vertx.sqlclient.PreparedStatement;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.medpki.core.crl.CrlKind;
import org.medpki.core.crl.CrlScope;
import org.medpki.core.crl.CrlStore;
import org.medpki.core.crl.PublishedCrl;
import org.medpki.core.crl.RevokedEntry;
import org.medpki.core.crl.SignedCrl;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.revocation.RevocationReason;

/**
 * {@link CrlStore} on PostgreSQL (tables crl and crl_counter, V20). One publication is one
 * transaction on one connection: the counter row is created if missing and advanced (its row
 * lock makes a second publisher of the same scope wait, then take the next number), the revoked
 * certificates stream through a server-side cursor in serial order while the CRL is built, and
 * the signed CRL is inserted. A failure anywhere rolls everything back, number included.
 */
public final class PgCrlStore implements CrlStore {
    /** Rows per cursor fetch: large enough to amortise round trips, small enough to stay bounded. */
    static final int FETCH = 10_000;

    private static final String COLUMNS = "ca_id, shard, crl_number, kind, base_crl_number, this_update, "
            + "next_update, entries, der, published_at";
    private static final String ENSURE_COUNTER = "INSERT INTO crl_counter (ca_id, shard) VALUES ($1, $2) "
            + "ON CONFLICT DO NOTHING";
    private static final String NEXT_NUMBER = "UPDATE crl_counter SET last_number = last_number + 1 "
            + "WHERE ca_id = $1 AND shard = $2 RETURNING last_number";
    private static final String LATEST = "SELECT " + COLUMNS + " FROM crl WHERE ca_id = $1 AND shard = $2 "
            + "AND kind = $3 ORDER BY crl_number DESC LIMIT 1";
    // A delta's base: its number and thisUpdate only (a complete CRL can be tens of megabytes).
    private static final String LATEST_BASE = "SELECT " + COLUMNS.replace("der,", "'\\x'::bytea AS der,")
            + " FROM crl WHERE ca_id = $1 AND shard = $2 AND kind = $3 ORDER BY crl_number DESC LIMIT 1";
    private static final String LATEST_ALL = "SELECT c.* FROM crl_counter k CROSS JOIN (VALUES ('full'), ('delta')) "
            + "AS v(kind) CROSS JOIN LATERAL (SELECT " + COLUMNS + " FROM crl WHERE crl.ca_id = k.ca_id "
            + "AND crl.shard = k.shard AND crl.kind = v.kind ORDER BY crl_number DESC LIMIT 1) c "
            + "ORDER BY c.ca_id, c.shard, c.kind";
    private static final String INSERT = "INSERT INTO crl (" + COLUMNS.replace(", published_at", "")
            + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING published_at";
    // Shard 0 is the complete CRL: every shard. Ordered by serial through the partial indexes of V20.
    // The complete CRL also lists the CA and OCSP signer certificates the CA issued and revoked (V49):
    // the root's CRL (ARL) its issuing CAs, an issuing CA's its OCSP signers.
    private static final String REVOKED_ALL = "SELECT serial, revoked_at, revocation_reason, invalidity_date "
            + "FROM certificate WHERE ca_id = $1 AND status = 'revoked' AND revoked_at < $2 AND not_after >= $3 "
            + "AND revoked_at > $4 UNION ALL SELECT r.serial, r.revoked_at, r.revocation_reason, r.invalidity_date "
            + "FROM ca_revocation r JOIN ca c ON c.id = r.ca_id WHERE c.parent_id = $1 AND r.revoked_at < $2 "
            + "AND (c.not_after IS NULL OR c.not_after >= $3) AND r.revoked_at > $4 ORDER BY serial";
    private static final String REVOKED_SHARD = "SELECT serial, revoked_at, revocation_reason, invalidity_date "
            + "FROM certificate WHERE ca_id = $1 AND status = 'revoked' AND revoked_at < $2 AND not_after >= $3 "
            + "AND revoked_at > $4 AND shard = $5 ORDER BY serial";
    // One probe of certificate_shard_not_after (V42) per possible shard, not a scan of the CA's certificates.
    private static final String SHARDS_IN_USE = "SELECT s.shard, (SELECT max(not_after) FROM certificate c "
            + "WHERE c.ca_id = $1 AND c.shard = s.shard) AS last_not_after FROM generate_series(1, "
            + CrlScope.MAX_SHARD + ") AS s(shard)";
    private static final String SHARDS_OF = "SELECT DISTINCT shard FROM certificate WHERE ca_id = $1 "
            + "AND serial = ANY($2::numeric[])";
    private static final OffsetDateTime BEGINNING = OffsetDateTime.of(1970, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

    private final PgQueries sql;

    PgCrlStore(PgQueries sql) {
        this.sql = sql;
    }

    @Override
    public PublishedCrl publish(CrlRequest request, CrlProducer producer) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(producer, "producer");
        String what = "publishing a " + request.kind().wireName() + " CRL of CA " + request.caId() + " shard "
                + request.shard();
        return sql.inTransactionOf(what, conn -> {
            Tuple scope = Tuple.of(request.caId(), (short) request.shard());
            conn.preparedQuery(ENSURE_COUNTER).execute(scope).await();
            BigInteger number = conn.preparedQuery(NEXT_NUMBER).execute(scope).await().iterator().next()
                    .getNumeric(0).bigIntegerValue();
            PublishedCrl base = null;
            if (request.kind() == CrlKind.DELTA) {
                base = latest(conn, request.caId(), request.shard(), CrlKind.FULL).orElseThrow(() -> new PkiException(
                        ErrorKind.NOT_FOUND, "no complete CRL of CA " + request.caId() + " shard " + request.shard()
                        + " to base a delta CRL on"));
            }
            OffsetDateTime revokedAfter = base == null ? BEGINNING
                    : time(base.thisUpdate().minus(request.deltaOverlap()));
            Tuple args = Tuple.of(request.caId(), time(request.asOf()), time(request.droppedIfExpiredBefore()),
                    revokedAfter);
            if (request.shard() > 0) {
                args.addValue((short) request.shard());
            }
            PreparedStatement statement = conn.prepare(request.shard() > 0 ? REVOKED_SHARD : REVOKED_ALL).await();
            SignedCrl signed = producer.produce(number, base, sink -> stream(statement, args, sink));
            if (!signed.number().equals(number)) {
                throw new PkiException(ErrorKind.INTERNAL, "the CRL carries number " + signed.number()
                        + ", not the allocated " + number);
            }
            Row row = conn.preparedQuery(INSERT).execute(Tuple.of(request.caId(), (short) request.shard(),
                    new BigDecimal(number), request.kind().wireName(),
                    base == null ? null : new BigDecimal(base.number()), time(signed.thisUpdate()),
                    time(signed.nextUpdate()), signed.entries(), Buffer.buffer(signed.der()))).await().iterator().next();
            conn.preparedQuery("SELECT pg_notify($1, $2)").execute(Tuple.of(PUBLISHED_CHANNEL,
                    request.caId() + ":" + request.shard() + ":" + request.kind().wireName() + ":" + number)).await();
            return new PublishedCrl(request.caId(), request.shard(), request.kind(), number,
                    base == null ? null : base.number(), signed.thisUpdate(), signed.nextUpdate(), signed.entries(),
                    signed.der(), row.getOffsetDateTime(0).toInstant());
        });
    }

    private long stream(PreparedStatement statement, Tuple args, Consumer<RevokedEntry> sink) {
        Cursor cursor = statement.cursor(args);
        long n = 0;
        try {
            do {
                RowSet<Row> rows = cursor.read(FETCH).await();
                for (Row r : rows) {
                    OffsetDateTime invalidity = r.getOffsetDateTime(3);
                    sink.accept(new RevokedEntry(r.getNumeric(0).bigIntegerValue(), r.getOffsetDateTime(1).toInstant(),
                            RevocationReason.ofCode(r.getShort(2)), invalidity == null ? null : invalidity.toInstant()));
                    n++;
                }
            } while (cursor.hasMore());
        } finally {
            cursor.close();
        }
        return n;
    }

    @Override
    public List<PublishedCrl> latest() {
        return sql.rows("reading the published CRLs", LATEST_ALL, Tuple.tuple()).stream().map(PgCrlStore::row).toList();
    }

    @Override
    public Optional<PublishedCrl> latest(long caId, int shard, CrlKind kind) {
        return sql.rows("reading the newest CRL of CA " + caId + " shard " + shard, LATEST,
                Tuple.of(caId, (short) shard, kind.wireName())).stream().findFirst().map(PgCrlStore::row);
    }

    @Override
    public Map<Integer, Instant> shardsInUse(long caId) {
        Map<Integer, Instant> out = new TreeMap<>();
        for (Row r : sql.rows("reading the CRL shards in use by CA " + caId, SHARDS_IN_USE, Tuple.of(caId))) {
            OffsetDateTime last = r.getOffsetDateTime(1);
            if (last != null) {
                out.put(r.getInteger(0), last.toInstant());
            }
        }
        return out;
    }

    @Override
    public Set<Long> retiredCas() {
        Set<Long> out = new java.util.HashSet<>();
        sql.rows("reading the CAs whose key is destroyed", "SELECT c.id FROM ca c JOIN key_destruction d "
                + "ON d.key_label = c.key_label AND d.role = 'issuing' WHERE c.role = 'issuing'", Tuple.tuple())
                .forEach(r -> out.add(r.getLong(0)));
        return out;
    }

    @Override
    public Set<Integer> shardsOf(long caId, Collection<BigInteger> serials) {
        if (serials.isEmpty()) {
            return Set.of();
        }
        BigDecimal[] values = serials.stream().map(BigDecimal::new).toArray(BigDecimal[]::new);
        Set<Integer> out = new TreeSet<>();
        for (Row r : sql.rows("reading the CRL shards of revoked certificates of CA " + caId, SHARDS_OF,
                Tuple.tuple().addValue(caId).addValue(values))) {
            out.add((int) r.getShort(0));
        }
        return out;
    }

    /** The newest CRL's facts without its DER (an empty array). */
    private Optional<PublishedCrl> latest(SqlConnection conn, long caId, int shard, CrlKind kind) {
        RowSet<Row> rows = conn.preparedQuery(LATEST_BASE).execute(Tuple.of(caId, (short) shard, kind.wireName())).await();
        return rows.size() == 0 ? Optional.empty() : Optional.of(row(rows.iterator().next()));
    }

    private static PublishedCrl row(Row r) {
        BigDecimal base = r.getBigDecimal("base_crl_number");
        return new PublishedCrl(r.getLong("ca_id"), r.getShort("shard"), CrlKind.ofWireName(r.getString("kind")),
                r.getBigDecimal("crl_number").toBigIntegerExact(), base == null ? null : base.toBigIntegerExact(),
                r.getOffsetDateTime("this_update").toInstant(), r.getOffsetDateTime("next_update").toInstant(),
                r.getLong("entries"), r.getBuffer("der").getBytes(), r.getOffsetDateTime("published_at").toInstant());
    }
}
