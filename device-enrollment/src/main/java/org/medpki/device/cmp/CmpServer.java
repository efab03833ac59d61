package org.medpki.device.cmp;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.util.regex.Pattern;
import org.medpki.device.DeviceEnrollment;
import org.medpki.listener.ConnectionGuard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CMP listener (RFC 9811 over plain HTTP: the messages protect themselves): {@code POST
 * /.well-known/cmp}, also with a profile label ({@code /p/<label>}, accepted and ignored: there
 * is one profile) and an RFC 9483 operation segment ({@code /initialization}, ...), {@code application/pkixcmp} bodies of at most
 * {@link CmpConfig#maxRequestBytes()}. Bounded by the listener's {@link ConnectionGuard}; the
 * protocol work runs on worker threads.
 */
public final class CmpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CmpServer.class);
    static final String PKIXCMP = "application/pkixcmp";
    /**
     * RFC 9811 paths: an optional profile label, then optionally one of the operation segments of
     * RFC 9483 6.1; both only name what the body already says, so the body decides.
     */
    private static final Pattern PATHS = Pattern.compile("/\\.well-known/cmp(/p/[A-Za-z0-9._-]{1,64})?"
            + "(/(initialization|certification|keyupdate|pkcs10|revocation|getcacerts|getrootupdate"
            + "|getcertreqtemplate|getcrls))?/?");

    private final Vertx vertx;
    private final CmpConfig config;
    private final CmpResponder responder;
    private final ConnectionGuard guard;
    private HttpServer server;
    private org.medpki.device.ServiceProbes probes;

    public CmpServer(Vertx vertx, DeviceEnrollment enrollment, CmpConfig config) {
        this.vertx = vertx;
        this.config = config;
        this.responder = new CmpResponder(enrollment, config, Clock.systemUTC());
        this.guard = new ConnectionGuard(config.limits());
    }

    /** Listens; the future holds the bound port (useful when the configured port is 0). */
    public Future<Integer> start() {
        HttpServerOptions options = guard.apply(new HttpServerOptions())
                .setHost(config.host())
                .setPort(config.port())
                .setMaxInitialLineLength(4096)
                .setMaxHeaderSize(8192);
        return guard.install(vertx, vertx.createHttpServer(options), this::route).listen()
                .map(s -> {
                    server = s;
                    LOG.info("CMP listening on {}:{}", config.host(), s.actualPort());
                    return s.actualPort();
                });
    }

    /** The listener's connection counters, in the Prometheus text format. */
    public String metrics() {
        return guard.prometheus("cmp");
    }

    CmpResponder responder() {
        return responder;
    }

    @Override
    public void close() {
        if (server != null) {
            server.close().await();
            server = null;
        }
    }

    /** Serve /health and /metrics with these (before {@link #start}). */
    public CmpServer probes(org.medpki.device.ServiceProbes probes) {
        this.probes = probes;
        return this;
    }

    private void route(HttpServerRequest req) {
        String path = req.path();
        if (probes != null && req.method() == HttpMethod.GET && path.equals("/health")) {
            probes.health(req.response());
            return;
        }
        if (probes != null && req.method() == HttpMethod.GET && path.equals("/metrics")) {
            probes.metrics(req.response(), metrics());
            return;
        }
        if (path.length() > 200 || !PATHS.matcher(path).matches()) {
            plain(req, 404, "not found\n", true);
            return;
        }
        if (req.method() != HttpMethod.POST) {
            req.response().putHeader(HttpHeaders.ALLOW, "POST");
            plain(req, 405, "CMP messages are POSTed\n", true);
            return;
        }
        String type = req.getHeader(HttpHeaders.CONTENT_TYPE);
        if (type == null || !type.split(";", 2)[0].trim().equalsIgnoreCase(PKIXCMP)) {
            plain(req, 415, "Content-Type must be " + PKIXCMP + "\n", true);
            return;
        }
        int max = config.maxRequestBytes();
        String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            long n;
            try {
                n = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 0 || n > max) {
                plain(req, n < 0 ? 400 : 413, n < 0 ? "bad Content-Length\n" : "request larger than " + max
                        + " bytes\n", true);
                return;
            }
        }
        // Counted as it arrives, whether or not a length was announced.
        ByteArrayOutputStream body = new ByteArrayOutputStream(2048);
        boolean[] tooLarge = {false};
        req.handler(chunk -> {
            if (tooLarge[0]) {
                return;
            }
            if (body.size() + chunk.length() > max) {
                tooLarge[0] = true;
                plain(req, 413, "request larger than " + max + " bytes\n", true);
                return;
            }
            body.writeBytes(chunk.getBytes());
        });
        req.endHandler(v -> {
            if (!tooLarge[0]) {
                answer(req, body.toByteArray());
            }
        });
        req.exceptionHandler(e -> LOG.debug("CMP request body failed: {}", e.toString()));
    }

    private void answer(HttpServerRequest req, byte[] der) {
        vertx.executeBlocking(() -> responder.handle(der), false).onComplete(ar -> {
            if (ar.failed()) {
                LOG.warn("CMP request failed", ar.cause());
                plain(req, 500, "internal error\n", true);
                return;
            }
            CmpResponder.Reply reply = ar.result();
            req.response().setStatusCode(reply.httpStatus()).putHeader(HttpHeaders.CONTENT_TYPE, PKIXCMP)
                    .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end(Buffer.buffer(reply.body()));
        });
    }

    private static void plain(HttpServerRequest req, int code, String text, boolean close) {
        LOG.info("CMP refused a {} request to {}: {} {}", req.method(), req.path().length() > 100
                ? req.path().substring(0, 100) + "..." : req.path(), code, text.strip());
        HttpServerResponse resp = req.response();
        if (resp.ended()) {
            return;
        }
        resp.setStatusCode(code).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain");
        if (close) {
            // The body was not (fully) read: the connection cannot be reused.
            resp.putHeader(HttpHeaders.CONNECTION, "close");
        }
        resp.end(text).onComplete(v -> {
            if (close) {
                req.connection().close();
            }
        });
    }
}
