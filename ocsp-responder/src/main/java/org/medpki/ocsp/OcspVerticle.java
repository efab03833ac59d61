package org.medpki.ocsp;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;
import org.medpki.listener.ConnectionGuard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP front of the responder; {@link OcspServer} deploys one per core on the same port.
 * Routes: POST /ocsp and POST / (the request in the body); GET /ocsp/{base64} and GET /{base64};
 * GET /health; GET /metrics (Prometheus); any other method: 405 with {@code Allow: GET, HEAD, POST}.
 * The dispatch is a plain switch on the path: a router
 * costs measurable throughput here and these are all the routes there are.
 */
public final class OcspVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(OcspVerticle.class);
    private static final String PREFIX = "/ocsp/";

    private final OcspResponder responder;
    private final Executor blocking;
    private final Semaphore onDemand;
    private final BooleanSupplier listening;
    private final ConnectionGuard guard;
    private HttpServer server;

    /** {@code guard}: the listener's deadlines and connection cap, shared by the instances on the port. */
    public OcspVerticle(OcspResponder responder, Executor blocking, Semaphore onDemand, BooleanSupplier listening,
                        ConnectionGuard guard) {
        this.guard = guard;
        this.responder = responder;
        this.blocking = blocking;
        this.onDemand = onDemand;
        this.listening = listening;
    }

    @Override
    public Future<?> start() {
        OcspHttpHandler ocsp = new OcspHttpHandler(responder, blocking, onDemand);
        var notFound = ocsp.notFound();
        OcspConfig config = responder.config();
        HttpServerOptions options = guard.apply(new HttpServerOptions())
                .setHost(config.host())
                .setPort(config.port())
                .setTcpNoDelay(true)
                .setMaxInitialLineLength(Math.max(4096, config.maxRequestBytes() * 2 + 64))
                .setMaxHeaderSize(8192)
                // Plain HTTP/1.1 only: no h2c upgrade or WebSocket extension set-up on each new
                // connection, which is most of what a one-request connection costs.
                .setHttp2ClearTextEnabled(false)
                .setPerMessageWebSocketCompressionSupported(false)
                .setPerFrameWebSocketCompressionSupported(false);
        return guard.install(vertx, vertx.createHttpServer(options), req -> {
            String path = req.path();
            HttpMethod method = req.method();
            if (method == HttpMethod.POST) {
                if ("/ocsp".equals(path) || "/".equals(path) || "/ocsp/".equals(path)) {
                    ocsp.post(req);
                } else {
                    notFound.handle(req);
                }
            } else if (method == HttpMethod.GET || method == HttpMethod.HEAD) {
                if (path.startsWith(PREFIX)) {
                    ocsp.get(req, path.substring(PREFIX.length()));
                } else if ("/health".equals(path)) {
                    health(req);
                } else if ("/metrics".equals(path)) {
                    req.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
                            .end(responder.metrics().scrape() + guard.prometheus("ocsp"));
                } else if (path.length() > 1 && !"/ocsp".equals(path)) {
                    ocsp.get(req, path.substring(1));
                } else {
                    ocsp.get(req, "");
                }
            } else {
                // HEAD is answered as GET, so it is one of the methods there are.
                LOG.info("OCSP refused a {} request: 405 method not allowed", method);
                req.response().setStatusCode(405).putHeader(HttpHeaders.ALLOW, "GET, HEAD, POST")
                        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain").end("method not allowed\n");
            }
        }).listen().onSuccess(s -> server = s);
    }

    private void health(HttpServerRequest req) {
        Issuers issuers = responder.issuers();
        boolean up = !issuers.all().isEmpty() && listening.getAsBoolean();
        JsonObject body = new JsonObject().put("status", up ? "UP" : "DOWN")
                .put("issuers", new JsonArray(issuers.names()))
                .put("listening", listening.getAsBoolean())
                .put("cachedResponses", responder.cacheSize());
        req.response().setStatusCode(up ? 200 : 503).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(body.encode());
    }

    /** The port actually bound (when configured as 0). */
    public int actualPort() {
        return server == null ? -1 : server.actualPort();
    }
}
