package org.medpki.device.est;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.TrustOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.X509TrustManager;
import org.medpki.device.DeviceEnrollment;
import org.medpki.listener.ConnectionGuard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The EST server (RFC 7030) for devices: {@code /.well-known/est/cacerts}, {@code csrattrs},
 * {@code simpleenroll} (HTTP Basic with the device serial and its enrollment code, or a
 * manufacturer IDevID as TLS client certificate) and {@code simplereenroll} (the device's current
 * certificate as TLS client certificate), over HTTPS only. The optional CA label path segment,
 * fullcmc and serverkeygen are not served (404).
 *
 * <p>The TLS layer requests a client certificate and takes any chain (TLS still proves possession
 * of its key); the decision is made per request, by this class (is it one of this PKI's
 * certificates?) and by {@link DeviceEnrollment}, so a refused certificate is an audited 403,
 * not a silent failed handshake. Enrollment calls block: they run on a bounded worker pool,
 * never on an event loop.
 *
 * <p>Not done: channel binding (RFC 7030 3.5). The JDK's TLS exposes neither tls-unique nor an
 * exporter, so a challengePassword attribute in a request is neither checked nor taken as a
 * credential, with Basic credentials and with a client certificate alike.
 */
public final class EstServer {
    static final String PREFIX = "/.well-known/est/";
    /** A PKCS#10 request is a few KB; base64 and line breaks add a third. */
    static final int MAX_BODY = 64 * 1024;
    static final String REALM = "medpki EST";
    private static final Logger LOG = LoggerFactory.getLogger(EstServer.class);

    private final Vertx vertx;
    private final DeviceEnrollment enrollment;
    private final EstConfig config;
    private final ConnectionGuard guard;
    private final EstRequests requests;
    private WorkerExecutor workers;
    private HttpServer server;
    private org.medpki.device.ServiceProbes probes;

    public EstServer(Vertx vertx, DeviceEnrollment enrollment, EstConfig config) {
        this.vertx = vertx;
        this.enrollment = enrollment;
        this.config = config;
        this.guard = new ConnectionGuard(config.listener());
        this.requests = new EstRequests(enrollment, config);
    }

    /** Listens; the future holds the port bound (useful with port 0). */
    public Future<Integer> start() {
        workers = vertx.createSharedWorkerExecutor("medpki-est", config.workers());
        // The CAs named in the TLS certificate request: this PKI's (re-enrollment) and the
        // manufacturers' (first enrollment with an IDevID).
        return workers.executeBlocking(enrollment::caCertificates, false).compose(ours -> {
            List<X509Certificate> named = new ArrayList<>(ours);
            named.addAll(config.manufacturerCas());
            HttpServerOptions options = guard.apply(new HttpServerOptions()).setHost(config.host())
                    .setPort(config.port()).setSsl(true).setKeyCertOptions(config.serverIdentity())
                    .setClientAuth(ClientAuth.REQUEST)
                    .setTrustOptions(TrustOptions.wrap(new AnyClientCertificate(named)))
                    .setCompressionSupported(false);
            return guard.install(vertx, vertx.createHttpServer(options), router()).listen();
        }).map(s -> {
            server = s;
            return s.actualPort();
        }).onFailure(e -> workers.close());
    }

    /** Stops listening and releases the workers. */
    public Future<Void> close() {
        Future<Void> closed = server == null ? Future.succeededFuture() : server.close();
        return closed.eventually(() -> {
            if (workers != null) {
                return workers.close();
            }
            return Future.succeededFuture();
        });
    }

    /** The listener's connection counters, for health and metrics. */
    public ConnectionGuard guard() {
        return guard;
    }

    /** Serve /health and /metrics with these (before {@link #start}). */
    public EstServer probes(org.medpki.device.ServiceProbes probes) {
        this.probes = probes;
        return this;
    }

    private Router router() {
        Router router = Router.router(vertx);
        if (probes != null) {
            router.get("/health").handler(ctx -> probes.health(ctx.response()));
            router.get("/metrics").handler(ctx -> probes.metrics(ctx.response(), guard.prometheus("est")));
        }
        router.route().handler(BodyHandler.create(false).setBodyLimit(MAX_BODY));
        router.get(PREFIX + "cacerts").handler(ctx -> blocking(ctx, requests::caCerts));
        router.get(PREFIX + "csrattrs").handler(ctx -> send(ctx, requests.csrAttrs()));
        router.post(PREFIX + "simpleenroll").handler(ctx -> {
            HttpServerRequest r = ctx.request();
            String authorization = r.getHeader(HttpHeaders.AUTHORIZATION);
            String contentType = r.getHeader(HttpHeaders.CONTENT_TYPE);
            List<X509Certificate> peer = peerChain(r);
            byte[] body = bytes(ctx);
            blocking(ctx, () -> requests.enroll(authorization, peer, contentType, body));
        });
        router.post(PREFIX + "simplereenroll").handler(ctx -> {
            HttpServerRequest r = ctx.request();
            String contentType = r.getHeader(HttpHeaders.CONTENT_TYPE);
            List<X509Certificate> peer = peerChain(r);
            byte[] body = bytes(ctx);
            blocking(ctx, () -> requests.reenroll(peer, contentType, body));
        });
        router.errorHandler(404, ctx -> send(ctx, Reply.text(404, "no such EST resource")));
        router.errorHandler(405, ctx -> send(ctx, Reply.text(405, "method not allowed on this EST resource")));
        router.errorHandler(413, ctx -> send(ctx, Reply.text(413, "the request body is larger than "
                + MAX_BODY + " bytes")));
        router.errorHandler(400, ctx -> send(ctx, Reply.text(400, "malformed HTTP request")));
        router.errorHandler(500, ctx -> {
            LOG.error("EST request failed", ctx.failure());
            send(ctx, Reply.text(500, "internal error"));
        });
        return router;
    }

    private void blocking(RoutingContext ctx, Callable<Reply> work) {
        workers.executeBlocking(work, false).onComplete(ar -> {
            if (ar.succeeded()) {
                send(ctx, ar.result());
            } else {
                LOG.error("EST request failed", ar.cause());
                send(ctx, Reply.text(500, "internal error"));
            }
        });
    }

    private static void send(RoutingContext ctx, Reply reply) {
        HttpServerResponse response = ctx.response();
        if (response.ended() || response.closed() || response.headWritten()) {
            return;
        }
        response.setStatusCode(reply.status());
        reply.headers().forEach(response::putHeader);
        if (reply.contentType() != null) {
            response.putHeader(HttpHeaders.CONTENT_TYPE, reply.contentType());
        }
        response.end(Buffer.buffer(reply.body()));
    }

    private static byte[] bytes(RoutingContext ctx) {
        Buffer b = ctx.body().buffer();
        return b == null ? new byte[0] : b.getBytes();
    }

    /** The client's certificate chain as presented (its own first), empty without one. */
    static List<X509Certificate> peerChain(HttpServerRequest request) {
        List<Certificate> chain;
        try {
            chain = request.connection().peerCertificates();
        } catch (SSLPeerUnverifiedException | RuntimeException e) {
            return List.of();
        }
        if (chain == null || chain.isEmpty()) {
            return List.of();
        }
        List<X509Certificate> out = new ArrayList<>();
        for (Certificate c : chain) {
            if (!(c instanceof X509Certificate x)) {
                return List.of();
            }
            out.add(x);
        }
        return List.copyOf(out);
    }

    /**
     * Takes any client certificate at the handshake (see the class comment) and names the CAs
     * whose certificates a device should present.
     */
    private static final class AnyClientCertificate implements X509TrustManager {
        private final X509Certificate[] named;

        AnyClientCertificate(List<X509Certificate> named) {
            this.named = named.toArray(X509Certificate[]::new);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            // decided per request: EstRequests, then DeviceEnrollment
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType)
                throws java.security.cert.CertificateException {
            throw new java.security.cert.CertificateException("the EST server does not connect to servers");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return named.clone();
        }
    }
}
