package org.medpki.inventory.pg;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.inventory.Notifications;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LISTENs on one NOTIFY channel over a dedicated connection (a pooled connection would lose the
 * subscription when returned) and hands each payload, in order, to a callback on a thread of
 * its own, so the callback may block (query the inventory). When the connection drops it
 * reconnects with back-off and then calls {@code onReconnect}: notifications sent while it was
 * away are lost, so the owner should re-read what it caches. The adapter of the
 * {@link Notifications} port's subscriptions.
 */
public final class RevocationListener implements Notifications.Subscription {

    private static final Logger LOG = LoggerFactory.getLogger(RevocationListener.class);
    private static final long MAX_BACKOFF_MS = 30_000;

    private final Vertx vertx;
    private final PgConnectOptions options;
    private final PgErrors errors;
    private final String channel;
    private final Consumer<String> onPayload;
    private final Runnable onReconnect;
    private final ExecutorService callbacks =
            Executors.newSingleThreadExecutor(Thread.ofVirtual().name("medpki-listen").factory());
    private volatile PgConnection connection;
    private volatile boolean closed;

    private RevocationListener(Vertx vertx, PgConnectOptions options, PgErrors errors, String channel,
                               Consumer<String> onPayload, Runnable onReconnect) {
        this.vertx = vertx;
        this.options = options;
        this.errors = errors;
        this.channel = channel;
        this.onPayload = onPayload;
        this.onReconnect = onReconnect;
    }

    /** Connects and LISTENs; returns once the subscription is active. DATABASE_UNAVAILABLE if it cannot. */
    static RevocationListener start(Vertx vertx, PgConnectOptions options, PgErrors errors, String channel,
                                    Consumer<String> onPayload, Runnable onReconnect) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(onPayload, "onPayload");
        if (!channel.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new PkiException(ErrorKind.CONFIGURATION, "'" + channel
                    + "' is not a NOTIFY channel name (lower-case letters, digits and _)");
        }
        RevocationListener listener = new RevocationListener(vertx, options, errors, channel, onPayload,
                onReconnect == null ? () -> { } : onReconnect);
        try {
            listener.connect().await();
        } catch (Exception e) {
            listener.callbacks.shutdown();
            throw errors.map(e, "listening on " + channel);
        }
        return listener;
    }

    public String channel() {
        return channel;
    }

    /** True while the subscription is active. */
    @Override
    public boolean isListening() {
        return connection != null && !closed;
    }

    private Future<PgConnection> connect() {
        return PgConnection.connect(vertx, options).compose(conn -> {
            conn.notificationHandler(n -> {
                if (channel.equals(n.getChannel())) {
                    String payload = n.getPayload();
                    callbacks.execute(() -> deliver(payload));
                }
            });
            conn.closeHandler(v -> lost(conn));
            return conn.query("LISTEN " + channel).execute().transform(ar -> {
                if (ar.failed()) {
                    conn.close();
                    return Future.<PgConnection>failedFuture(ar.cause());
                }
                connection = conn;
                if (closed) {
                    conn.close();
                }
                return Future.succeededFuture(conn);
            });
        });
    }

    private void deliver(String payload) {
        try {
            onPayload.accept(payload);
        } catch (Exception e) {
            LOG.error("the {} listener's callback failed for payload {}", channel, payload, e);
        }
    }

    private void lost(PgConnection conn) {
        if (connection != conn) {
            return;
        }
        connection = null;
        if (!closed) {
            LOG.warn("lost the LISTEN connection for {}; reconnecting", channel);
            reconnect(500);
        }
    }

    private void reconnect(long delayMs) {
        vertx.setTimer(delayMs, id -> {
            if (closed) {
                return;
            }
            connect().onSuccess(conn -> {
                LOG.info("listening on {} again", channel);
                callbacks.execute(onReconnect);
            }).onFailure(e -> {
                LOG.warn("reconnecting the {} listener failed: {}", channel, errors.reason(e));
                reconnect(Math.min(delayMs * 2, MAX_BACKOFF_MS));
            });
        });
    }

    @Override
    public void close() {
        closed = true;
        PgConnection conn = connection;
        connection = null;
        if (conn != null) {
            try {
                conn.close().await();
            } catch (Exception e) {
                // closing anyway
            }
        }
        callbacks.shutdown();
    }
}
