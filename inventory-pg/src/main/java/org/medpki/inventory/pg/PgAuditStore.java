package org.medpki.inventory.pg;

import static org.medpki.inventory.pg.PgQueries.instant;
import static org.medpki.inventory.pg.PgQueries.time;

import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.medpki.core.audit.AuditChain;
import org.medpki.core.audit.AuditCheckpoint;
import org.medpki.core.audit.AuditEntry;
import org.medpki.core.audit.AuditEvent;
import org.medpki.core.audit.AuditHead;
import org.medpki.core.audit.AuditStore;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

/**
 * {@link AuditStore} on PostgreSQL: audit_event (append-only by trigger), the single-row
 * audit_head that appenders lock, and audit_checkpoint.
 */
public final class PgAuditStore implements AuditStore {

    private static final int PAGE = 1_000;
    private static final String ENTRY_COLUMNS = "seq, at, type, actor, outcome, details, prev_hash, hash";
    // The batch's rows as parallel arrays, and the head moved in the same statement.
    private static final String INSERT = "WITH e AS (INSERT INTO audit_event (" + ENTRY_COLUMNS + ") "
            + "SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], "
            + "$7::bytea[], $8::bytea[])) UPDATE audit_head SET seq = $9, hash = $10";

    private final Pool pool;
    private final PgErrors errors;
    private final PgQueries sql;

    PgAuditStore(Pool pool, PgErrors errors) {
        this.pool = pool;
        this.errors = errors;
        this.sql = new PgQueries(pool, errors);
    }

    @Override
    public List<AuditEntry> append(List<AuditEvent> events, AuditChain chain) {
        Objects.requireNonNull(chain, "chain");
        if (events.isEmpty()) {
            return List.of();
        }
        try {
            return pool.withTransaction(c -> c.query("SELECT seq, hash FROM audit_head FOR UPDATE").execute()
                    .compose(head -> {
                        Row h = head.iterator().next();
                        long seq = h.getLong("seq");
                        byte[] prev = h.getBuffer("hash").getBytes();
                        int n = events.size();
                        List<AuditEntry> entries = new ArrayList<>(n);
                        Long[] seqs = new Long[n];
                        java.time.OffsetDateTime[] ats = new java.time.OffsetDateTime[n];
                        String[] types = new String[n];
                        String[] actors = new String[n];
                        String[] outcomes = new String[n];
                        String[] details = new String[n];
                        Buffer[] prevs = new Buffer[n];
                        Buffer[] hashes = new Buffer[n];
                        for (int i = 0; i < n; i++) {
                            AuditEntry entry = chain.link(++seq, prev, events.get(i));
                            entries.add(entry);
                            seqs[i] = entry.seq();
                            ats[i] = time(entry.at());
                            types[i] = entry.type();
                            actors[i] = entry.actor();
                            outcomes[i] = entry.outcome();
                            details[i] = entry.details();
                            prevs[i] = Buffer.buffer(entry.prevHash());
                            hashes[i] = Buffer.buffer(entry.hash());
                            prev = entry.hash();
                        }
                        AuditEntry last = entries.getLast();
                        return c.preparedQuery(INSERT)
                                .execute(Tuple.tuple().addValue(seqs).addValue(ats).addValue(types).addValue(actors)
                                        .addValue(outcomes).addValue(details).addValue(prevs).addValue(hashes)
                                        .addValue(last.seq()).addValue(Buffer.buffer(last.hash())))
                                .map(x -> entries);
                    })).await();
        } catch (Exception e) {
            throw errors.map(e, "appending " + events.size() + " audit entries");
        }
    }

    @Override
    public void forEach(long fromSeq, Consumer<AuditEntry> consumer) {
        long next = fromSeq;
        while (true) {
            // Keyset pages: bounded memory, no transaction held open while the consumer works.
            List<Row> page = sql.rows("reading the audit log", "SELECT " + ENTRY_COLUMNS
                    + " FROM audit_event WHERE seq >= $1 ORDER BY seq LIMIT " + PAGE, Tuple.of(next));
            for (Row row : page) {
                AuditEntry entry = entry(row);
                consumer.accept(entry);
                next = entry.seq() + 1;
            }
            if (page.size() < PAGE) {
                return;
            }
        }
    }

    @Override
    public List<AuditEntry> page(long fromSeq, Instant since, int limit) {
        return sql.rows("reading the audit log", "SELECT " + ENTRY_COLUMNS + " FROM audit_event WHERE seq >= $1 "
                        + "AND ($2::timestamptz IS NULL OR at >= $2) ORDER BY seq LIMIT $3",
                Tuple.of(fromSeq, time(since), limit)).stream().map(PgAuditStore::entry).toList();
    }

    @Override
    public Optional<AuditEntry> head() {
        return sql.rows("reading the audit head", "SELECT e.seq, e.at, e.type, e.actor, e.outcome, e.details, "
                + "e.prev_hash, e.hash FROM audit_head h JOIN audit_event e ON e.seq = h.seq", Tuple.tuple())
                .stream().findFirst().map(PgAuditStore::entry);
    }

    @Override
    public AuditHead headMarker() {
        Row row = sql.rows("reading the audit head", "SELECT seq, hash FROM audit_head", Tuple.tuple()).stream().findFirst()
                .orElseThrow(() -> new PkiException(ErrorKind.INTERNAL, "the audit head row is missing"));
        return new AuditHead(row.getLong("seq"), row.getBuffer("hash").getBytes());
    }

    @Override
    public void saveCheckpoint(AuditCheckpoint cp) {
        try {
            pool.preparedQuery("INSERT INTO audit_checkpoint (seq, hash, signed_at, key_label, signature_algorithm, "
                            + "signature) VALUES ($1, $2, $3, $4, $5, $6)")
                    .execute(Tuple.tuple().addValue(cp.seq()).addValue(Buffer.buffer(cp.hash()))
                            .addValue(time(cp.signedAt())).addValue(cp.keyLabel())
                            .addValue(cp.signatureAlgorithm()).addValue(Buffer.buffer(cp.signature())))
                    .await();
        } catch (Exception e) {
            PkiException p = errors.map(e, "saving the audit checkpoint at entry " + cp.seq());
            if (p.kind() == ErrorKind.CONFLICT) {
                throw new PkiException(ErrorKind.CONFLICT, "a checkpoint at audit entry " + cp.seq() + " exists already", p);
            }
            throw p;
        }
    }

    @Override
    public List<AuditCheckpoint> checkpoints() {
        return sql.rows("reading the audit checkpoints", "SELECT seq, hash, signed_at, key_label, signature_algorithm, "
                + "signature FROM audit_checkpoint ORDER BY seq", Tuple.tuple()).stream()
                .map(r -> new AuditCheckpoint(r.getLong("seq"), r.getBuffer("hash").getBytes(),
                        instant(r, "signed_at"), r.getString("key_label"),
                        r.getString("signature_algorithm"), r.getBuffer("signature").getBytes()))
                .toList();
    }

    @Override
    public long count() {
        return sql.rows("counting audit entries", "SELECT count(*) FROM audit_event", Tuple.tuple()).getFirst().getLong(0);
    }

    @Override
    public Optional<AuditEntry> oldest() {
        return sql.rows("reading the oldest audit entry", "SELECT " + ENTRY_COLUMNS
                + " FROM audit_event ORDER BY seq LIMIT 1", Tuple.tuple()).stream().findFirst().map(PgAuditStore::entry);
    }

    private static AuditEntry entry(Row r) {
        return new AuditEntry(r.getLong("seq"), instant(r, "at"), r.getString("type"), r.getString("actor"),
                r.getString("outcome"), r.getString("details"), r.getBuffer("prev_hash").getBytes(),
                r.getBuffer("hash").getBytes());
    }
}
