package org.medpki.inventory.pg;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.ByteBuffer;
import org.medpki.core.store.ExclusiveLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ExclusiveLock} port as a PostgreSQL session-level advisory lock on a connection of
 * its own: whoever holds it is the one active instance of a service (the CRL publisher, the OCSP
 * signer rotation). PostgreSQL releases it when the session ends, so when the holder dies or
 * loses its connection another instance's next {@link #tryAcquire()} wins. Holding the lock is an
 * optimisation against duplicate work, not the safety net: CRL numbers are protected in the
 * database itself. Calls block; not for event loops.
 */
public final class PgAdvisoryLock implements ExclusiveLock {
    private static final Logger LOG = LoggerFactory.getLogger(PgAdvisoryLock.class);

    private final Vertx vertx;
    private final PgConnectOptions options;
    private final PgErrors errors;
    private final String name;
    private final long key;
    private volatile PgConnection connection;
    private volatile boolean held;

    PgAdvisoryLock(Vertx vertx, PgConnectOptions options, PgErrors errors, String name) {
        this.vertx = vertx;
        this.options = options;
        this.errors = errors;
        this.name = name;
        this.key = keyOf(name);
    }

    /** The lock's 64-bit key: the first 8 bytes of SHA-256 of its name. */
    static long keyOf(String name) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(h).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** True if this instance holds the lock now (taking it if free). False when the database is unreachable. */
    @Override
    public synchronized boolean tryAcquire() {
        if (held && connection != null) {
            return true;
        }
        try {
            if (connection == null) {
                PgConnection conn = PgConnection.connect(vertx, options).await();
                conn.closeHandler(v -> lost(conn));
                connection = conn;
            }
            boolean got = connection.preparedQuery("SELECT pg_try_advisory_lock($1)").execute(Tuple.of(key)).await()
                    .iterator().next().getBoolean(0);
            if (got && !held) {
                LOG.info("took the '{}' lock: this instance is now active", name);
            }
            held = got;
            return got;
        } catch (Exception e) {
            LOG.debug("cannot take the '{}' lock: {}", name, errors.reason(e));
            drop();
            return false;
        }
    }

    /** Whether the lock is held (the session that holds it is still open as far as we know). */
    @Override
    public boolean held() {
        return held && connection != null;
    }

    private void lost(PgConnection conn) {
        if (connection == conn) {
            if (held) {
                LOG.warn("lost the connection holding the '{}' lock: this instance is no longer active", name);
            }
            connection = null;
            held = false;
        }
    }

    private synchronized void drop() {
        PgConnection conn = connection;
        connection = null;
        held = false;
        if (conn != null) {
            conn.close();
        }
    }

    @Override
    public void close() {
        PgConnection conn = connection;
        connection = null;
        held = false;
        if (conn != null) {
            try {
                conn.close().await();
            } catch (Exception e) {
                // closing anyway; the session's end releases the lock
            }
        }
    }
}
