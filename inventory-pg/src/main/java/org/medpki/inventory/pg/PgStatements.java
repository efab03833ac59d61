package org.medpki.inventory.pg;

import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.util.function.Consumer;

/**
 * Runs SQL for the adapters of this module: one prepared statement on the pool or on a
 * transaction's connection, or a unit of work in one transaction on one connection. Every failure
 * goes through {@link PgErrors}, so a driver error becomes the {@code PkiException} kind it means
 * and a {@code PkiException} thrown by the work passes unchanged. Blocks on
 * {@code Future.await()}: never on an event loop.
 */
final class PgStatements {
    private final Pool pool;
    private final PgErrors errors;

    PgStatements(Pool pool, PgErrors errors) {
        this.pool = pool;
        this.errors = errors;
    }

    /** Runs {@code sql} on the pool; {@code what} says what was being done ("reading ACME order x"). */
    RowSet<Row> run(String what, String sql, Tuple args) {
        return run(pool, what, sql, args);
    }

    /** Runs {@code sql} on {@code client}: the pool, or the connection {@link #inTransaction} hands out. */
    RowSet<Row> run(SqlClient client, String what, String sql, Tuple args) {
        try {
            return client.preparedQuery(sql).execute(args).await();
        } catch (Exception e) {
            throw errors.map(e, what);
        }
    }

    /** Runs {@code work} in one transaction: committed if it returns, rolled back if it throws. */
    void inTransaction(String what, Consumer<SqlConnection> work) {
        SqlConnection conn;
        try {
            conn = pool.getConnection().await();
        } catch (Exception e) {
            throw errors.map(e, what);
        }
        Transaction tx = null;
        try {
            tx = conn.begin().await();
            work.accept(conn);
            tx.commit().await();
            tx = null;
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
}
