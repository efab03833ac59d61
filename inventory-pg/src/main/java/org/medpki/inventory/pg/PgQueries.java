package org.medpki.inventory.pg;

import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The one way this module's adapters run statements: prepared, blocking (never on an event loop),
 * one statement on the pool or several in one transaction, and any failure mapped by
 * {@link PgErrors} with what was being done. Cursors over many rows use the pool directly and map
 * their failures with the same {@link PgErrors}.
 */
final class PgQueries {
    /** Sees each statement before it runs: how a test collects the statements that really run to check their plans. */
    interface Observer {
        void statement(String sql, Tuple params);
    }

    private final Pool pool;
    private final PgErrors errors;
    private volatile Observer observer;

    PgQueries(Pool pool, PgErrors errors) {
        this.pool = pool;
        this.errors = errors;
    }

    /** Lets {@code observer} see every statement run from now on (null: none). */
    void observe(Observer observer) {
        this.observer = observer;
    }

    private void observed(String sql, Tuple params) {
        Observer o = observer;
        if (o != null) {
            o.statement(sql, params);
        }
    }

    /** The statement's rows; {@code what} says what was being done ("reading the audit head"). */
    List<Row> rows(String what, String sql, Tuple params) {
        observed(sql, params);
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
        observed(sql, params);
        try {
            return pool.preparedQuery(sql).execute(params).await().rowCount();
        } catch (Exception e) {
            throw errors.map(e, what);
        }
    }

    /** The statement's result on the pool; {@code what} says what was being done ("reading ACME order x"). */
    RowSet<Row> run(String what, String sql, Tuple args) {
        return run(pool, what, sql, args);
    }

    /** The statement's result on {@code client}: the pool, or the connection {@link #inTransaction} hands out. */
    RowSet<Row> run(SqlClient client, String what, String sql, Tuple args) {
        observed(sql, args);
        try {
            return client.preparedQuery(sql).execute(args).await();
        } catch (Exception e) {
            throw errors.map(e, what);
        }
    }

    /** Runs {@code work} in one transaction: committed if it returns, rolled back if it throws. */
    void inTransaction(String what, Consumer<SqlConnection> work) {
        inTransactionOf(what, conn -> {
            work.accept(conn);
            return null;
        });
    }

    /**
     * Runs {@code work} in one transaction and returns its result: committed if it returns, rolled
     * back if it throws (a PkiException it throws passes unchanged, see {@link PgErrors#map}).
     */
    <T> T inTransactionOf(String what, Function<SqlConnection, T> work) {
        SqlConnection conn;
        try {
            conn = pool.getConnection().await();
        } catch (Exception e) {
            throw errors.map(e, what);
        }
        Transaction tx = null;
        try {
            tx = conn.begin().await();
            T result = work.apply(conn);
            tx.commit().await();
            tx = null;
            return result;
        } catch (Exception e) {
            throw errors.map(e, what);
        } finally {
            if (tx != null) {
                try {
                    tx.rollback().await();
                } catch (Exception ignored) {
                    // the connection is closed below; PostgreSQL rolls back on its own
                }
            }
            conn.close();
        }
    }

    /** Whether the database answers a trivial query within two seconds. */
    boolean reachable() {
        try {
            pool.query("SELECT 1").execute().await(2, java.util.concurrent.TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            return false;
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
