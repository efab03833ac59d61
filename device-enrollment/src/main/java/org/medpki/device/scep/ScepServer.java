package org.medpki.device.scep;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.time.Clock;
import java.util.Base64;
import java.util.concurrent.Callable;
import org.medpki.device.DeviceEnrollment;
import org.medpki.device.scep.ScepResponder.Answer;
import org.medpki.listener.ConnectionGuard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SCEP listener (RFC 8894) at {@code /scep}: {@code GET ?operation=GetCACaps},
 * {@code GET ?operation=GetCACert}, {@code POST ?operation=PKIOperation} (the pkiMessage as the
 * body) and, for older clients, {@code GET ?operation=PKIOperation&message=<base64>}. Plain
 * HTTP: SCEP protects its messages itself (signed and encrypted CMS). Bounded like the other
 * public listeners ({@link ConnectionGuard}) and by a body limit; the RSA work and the
 * enrollment run on worker threads, never on the event loop.
 */
public final class ScepServer {
    private static final Logger LOG = LoggerFactory.getLogger(ScepServer.class);
    static final String PATH = "/scep";

    private final Vertx vertx;
    private final ScepConfig config;
    private final ScepResponder responder;
    private final ConnectionGuard guard;
    private volatile HttpServer server;
    private volatile org.medpki.device.ServiceProbes probes;

    public ScepServer(Vertx vertx, DeviceEnrollment enrollment, ScepConfig config) {
        this(vertx, enrollment, config, Clock.systemUTC());
    }

    ScepServer(Vertx vertx, DeviceEnrollment enrollment, ScepConfig config, Clock clock) {
        this.vertx = vertx;
        this.config = config;
        this.responder = new ScepResponder(enrollment, config,
                new ScepTransactions(config.transactionTtl(), config.maxTransactions(), clock));
        this.guard = new ConnectionGuard(config.listener());
    }

    /** Listens; the future holds the port bound (useful when the configured port is 0). */
    public Future<Integer> start() {
        HttpServerOptions options = guard.apply(new HttpServerOptions())
                .setHost(config.host())
                .setPort(config.port())
                // A GET PKIOperation carries the pkiMessage in the URL, base64 and percent-encoded.
                .setMaxInitialLineLength(config.maxBodyBytes() * 2 + 256)
                .setMaxHeaderSize(8192);
        return guard.install(vertx, vertx.createHttpServer(options), this::handle).listen().map(s -> {
            server = s;
            LOG.info("SCEP listening on {}:{}", config.host(), s.actualPort());
            return s.actualPort();
        });
    }

    public Future<Void> close() {
        HttpServer s = server;
        return s == null ? Future.succeededFuture() : s.close();
    }

    /** The listener's connection counters in the Prometheus text format ({@code scep_connections_...}). */
    public String metrics() {
        return guard.prometheus("scep");
    }

    /** Serve /health and /metrics with these (before {@link #start}). */
    public ScepServer probes(org.medpki.device.ServiceProbes probes) {
        this.probes = probes;
        return this;
    }

    private void handle(HttpServerRequest req) {
        if (probes != null && req.method() == HttpMethod.GET && "/health".equals(req.path())) {
            probes.health(req.response());
            return;
        }
        if (probes != null && req.method() == HttpMethod.GET && "/metrics".equals(req.path())) {
            probes.metrics(req.response(), metrics());
            return;
        }
        if (!PATH.equals(req.path()) && !(PATH + "/").equals(req.path())) {
            send(req, Answer.text(404, "not found"));
            return;
        }
        HttpMethod method = req.method();
        if (method != HttpMethod.GET && method != HttpMethod.POST) {
            req.response().putHeader(HttpHeaders.ALLOW, "GET, POST");
            send(req, Answer.text(405, "method not allowed"));
            return;
        }
        String operation;
        try {
            operation = req.getParam("operation");
            // Decoded here, where a bad escape can still be answered: message is read later.
            req.getParam("message");
        } catch (IllegalArgumentException e) {
            send(req, Answer.text(400, "the query string is malformed"));
            return;
        }
        if (operation == null) {
            send(req, Answer.text(400, "the operation parameter is missing"));
            return;
        }
        switch (operation) {
            case "GetCACaps" -> {
                if (method == HttpMethod.GET) {
                    send(req, new Answer(200, ScepResponder.TEXT, ScepResponder.CAPABILITIES.getBytes()));
                } else {
                    send(req, Answer.text(405, "GetCACaps is a GET"));
                }
            }
            case "GetCACert" -> {
                if (method == HttpMethod.GET) {
                    blocking(req, responder::caCertificates);
                } else {
                    send(req, Answer.text(405, "GetCACert is a GET"));
                }
            }
            case "PKIOperation" -> {
                if (method == HttpMethod.POST) {
                    post(req);
                } else {
                    get(req);
                }
            }
            default -> send(req, Answer.text(400, "unknown operation"));
        }
    }

    private void get(HttpServerRequest req) {
        String message = req.getParam("message");
        if (message == null || message.isEmpty()) {
            send(req, Answer.text(400, "the message parameter is missing"));
            return;
        }
        byte[] der;
        try {
            // The query decoder reads an unescaped '+' as a space; base64 has no spaces.
            der = Base64.getMimeDecoder().decode(message.replace(' ', '+'));
        } catch (IllegalArgumentException e) {
            send(req, Answer.text(400, "the message parameter is not base64"));
            return;
        }
        if (der.length > config.maxBodyBytes()) {
            send(req, Answer.text(413, "the pkiMessage is too large"));
            return;
        }
        blocking(req, () -> responder.pkiOperation(der));
    }

    private void post(HttpServerRequest req) {
        int max = config.maxBodyBytes();
        String declared = req.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (declared != null && !declared.isBlank()) {
            long length;
            try {
                length = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                length = Long.MAX_VALUE;
            }
            if (length > max) {
                tooLarge(req);
                return;
            }
        }
        Buffer body = Buffer.buffer();
        boolean[] over = {false};
        req.handler(chunk -> {
            if (over[0]) {
                return;
            }
            if (body.length() + chunk.length() > max) {
                over[0] = true;
                tooLarge(req);
                return;
            }
            body.appendBuffer(chunk);
        });
        req.endHandler(v -> {
            if (!over[0]) {
                byte[] der = body.getBytes();
                blocking(req, () -> responder.pkiOperation(der));
            }
        });
    }

    /** 413, and the connection closed: the rest of the body is not read. */
    private void tooLarge(HttpServerRequest req) {
        req.response().putHeader(HttpHeaders.CONNECTION, "close");
        send(req, Answer.text(413, "the pkiMessage is larger than " + config.maxBodyBytes() + " bytes"))
                .onComplete(v -> req.connection().close());
    }

    private void blocking(HttpServerRequest req, Callable<Answer> work) {
        vertx.executeBlocking(work, false).onComplete((AsyncResult<Answer> ar) -> {
            if (ar.succeeded()) {
                send(req, ar.result());
            } else {
                LOG.error("SCEP {} failed", req.getParam("operation"), ar.cause());
                send(req, Answer.text(500, "internal error"));
            }
        });
    }

    private static Future<Void> send(HttpServerRequest req, Answer answer) {
        if (req.response().ended() || req.response().closed()) {
            return Future.succeededFuture();
        }
        return req.response().setStatusCode(answer.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, answer.contentType())
                .end(Buffer.buffer(answer.body()));
    }
}
