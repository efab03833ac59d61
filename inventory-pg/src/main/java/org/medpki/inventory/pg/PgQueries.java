package org.medpki.inventory.pg;

import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The one way this module's adapters run a single statement on the pool: prepared, blocking
 * (never on an event loop), the rows in memory, and any failure mapped by {@link PgErrors} with
 * what was being done. Multi-statement work (transactions, cursors) uses the pool directly and
 * maps its failures with the same {@link PgErrors}.
 */
final class PgQueries {
    private final Pool pool;
    private final PgErrors errors;

    PgQueries(Pool pool, PgErrors errors) {
        this.pool = pool;
        this.errors = errors;
    }

    /** The statement's rows; {@code what} says what was being done ("reading the audit head"). */
    List<Row> rows(String what, String sql, Tuple params) {
        try {
            RowSet<Row> rows = pool.preparedQuery(sql).execute(params).await();
            List<Row> list = new ArrayList<>(rows.size());
            rows.forEach(list::add);
            return list;
        } catch (Exception e) {
            throw errors.map(e, what);
        }
    }

    /** Runs a statement for its effect; returns the number of rows it touched. */
    int update(String what, String sql, Tuple params) {
        try {
            return pool.preparedQuery(sql).execute(params).await().rowCount();
        } catch (Exception e) {
            throw errors.map(e, what);
        }
    }

    /** A timestamptz parameter (null stays null). */
    static OffsetDateTime time(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    /** A timestamptz column as an Instant (null stays null). */
    static Instant instant(Row row, String column) {
        OffsetDateTime t = row.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }

    /** A bytea column's bytes (null stays null). */
    static byte[] bytes(Row row, String column) {
        Buffer b = row.getBuffer(column);
        return b == null ? null : b.getBytes();
    }
}
