package org.medpki.listener;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Applies {@link ListenerLimits} to one listener: one guard per port, shared by every verticle
 * instance serving it (the connection count is the port's). Vert.x has an idle timeout and a TLS
 * handshake timeout but no deadline for a request head, so each connection gets one timer: every
 * {@code headTimeout} it checks that a new request head arrived or a request is being answered,
 * and closes the connection otherwise. A request whose body has not fully arrived
 * {@code bodyTimeout} after its head closes its connection.
 */
public final class ConnectionGuard {
    private final ListenerLimits limits;
    private final AtomicInteger open = new AtomicInteger();
    private final LongAdder refused = new LongAdder();
    private final LongAdder timedOut = new LongAdder();
    private final Map<HttpConnection, Watch> watches = new ConcurrentHashMap<>();
    /** Deadline timers pending: one per open connection and one per request body still arriving. */
    private final AtomicInteger armed = new AtomicInteger();

    /** One connection's progress: requests whose head arrived, and the latest of them. */
    private static final class Watch {
        volatile long heads;
        volatile long seen;
        volatile HttpServerRequest last;
        volatile long timer = -1;
    }

    public ConnectionGuard(ListenerLimits limits) {
        this.limits = limits;
    }

    public ListenerLimits limits() {
        return limits;
    }

    /**
     * {@code options} with the idle and TLS handshake timeouts of these limits, HTTP/1.1 only: with
     * h2c on, Vert.x announces a connection only once its first bytes have been read, so a client
     * that sends nothing would escape the count and the deadline.
     */
    public HttpServerOptions apply(HttpServerOptions options) {
        return options.setHttp2ClearTextEnabled(false)
                .setIdleTimeout((int) limits.idleTimeout().toSeconds()).setIdleTimeoutUnit(TimeUnit.SECONDS)
                .setSslHandshakeTimeout(limits.headTimeout().toSeconds()).setSslHandshakeTimeoutUnit(TimeUnit.SECONDS);
    }

    /** Installs the connection cap and the deadlines on {@code server}, which answers with {@code handler}. */
    public HttpServer install(Vertx vertx, HttpServer server, Handler<HttpServerRequest> handler) {
        long headMillis = limits.headTimeout().toMillis();
        long bodyMillis = limits.bodyTimeout().toMillis();
        server.connectionHandler(connection -> {
            int now = open.incrementAndGet();
            connection.closeHandler(v -> {
                open.decrementAndGet();
                Watch closed = watches.remove(connection);
                // A closed connection's watch is cancelled now, not at its next tick: a timer
                // pending for headTimeout would keep the connection and its last request in memory.
                if (closed != null) {
                    disarm(vertx, closed.timer);
                }
            });
            if (now > limits.maxConnections()) {
                refused.increment();
                connection.close();
                return;
            }
            Watch watch = new Watch();
            watches.put(connection, watch);
            armed.incrementAndGet();
            watch.timer = vertx.setPeriodic(headMillis, headMillis, timer -> {
                if (!watches.containsKey(connection)) {
                    disarm(vertx, timer);
                    return;
                }
                HttpServerRequest last = watch.last;
                boolean answering = last != null && !last.response().ended();
                if (watch.heads == watch.seen && !answering) {
                    disarm(vertx, timer);
                    timedOut.increment();
                    connection.close();
                }
                watch.seen = watch.heads;
            });
        });
        return server.requestHandler(request -> {
            Watch watch = watches.get(request.connection());
            if (watch != null) {
                watch.heads++;
                watch.last = request;
            }
            // A GET or HEAD has no body to wait for (and the OCSP hot path no timer to pay).
            if (request.method() != io.vertx.core.http.HttpMethod.GET
                    && request.method() != io.vertx.core.http.HttpMethod.HEAD && !request.isEnded()) {
                armed.incrementAndGet();
                long deadline = vertx.setTimer(bodyMillis, t -> {
                    armed.decrementAndGet();
                    if (!request.isEnded()) {
                        timedOut.increment();
                        request.connection().close();
                    }
                });
                // Cancelled once the body is in (or the request failed): left to run its course, each
                // timer would keep its request in memory for bodyTimeout, hundreds of thousands of
                // them on a busy listener, and their expiry would cost the event loops later.
                // end() is a future of its own: it leaves the handler's body()/endHandler alone.
                request.end().onComplete(ar -> disarm(vertx, deadline));
            }
            handler.handle(request);
        });
    }

    /** The three counters in the Prometheus text format, named {@code <prefix>_connections_...}. */
    public String prometheus(String prefix) {
        return "# HELP " + prefix + "_connections_open Connections open on the listener.\n# TYPE " + prefix
                + "_connections_open gauge\n" + prefix + "_connections_open " + open() + "\n"
                + "# HELP " + prefix + "_connections_refused_total Connections closed at once: the listener had its"
                + " maximum open.\n# TYPE " + prefix + "_connections_refused_total counter\n"
                + prefix + "_connections_refused_total " + refused() + "\n"
                + "# HELP " + prefix + "_connections_timed_out_total Connections closed: a request head or body did"
                + " not arrive in time.\n# TYPE " + prefix + "_connections_timed_out_total counter\n"
                + prefix + "_connections_timed_out_total " + timedOut() + "\n";
    }

    /** Cancels a deadline timer; counts it only if it was still pending (not fired nor cancelled before). */
    private void disarm(Vertx vertx, long timer) {
        if (timer >= 0 && vertx.cancelTimer(timer)) {
            armed.decrementAndGet();
        }
    }

    /**
     * Deadline timers pending now: one per open connection and one per request whose body is still
     * arriving, so bounded by what is in flight, never by how many requests were served.
     */
    int armedDeadlines() {
        return armed.get();
    }

    /** Connections open now on this listener. */
    public int open() {
        return open.get();
    }

    /** Connections closed at once because the listener had {@code maxConnections} open. */
    public long refused() {
        return refused.sum();
    }

    /** Connections closed because a request head or body did not arrive in time. */
    public long timedOut() {
        return timedOut.sum();
    }
}
