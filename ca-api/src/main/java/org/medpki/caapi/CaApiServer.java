package org.medpki.caapi;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.security.cert.Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.medpki.core.audit.AuditBudget;
import org.medpki.core.audit.AuditEvent;
import org.medpki.core.audit.AuditLog;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CA service's internal API: HTTPS with client certificates, JSON bodies.
 * <ul>
 * <li>{@code POST /ca-api/v1/certificates}: issue ({@link CaApiOperation#ISSUE});</li>
 * <li>{@code POST /ca-api/v1/revocations}: revoke what the caller had issued;</li>
 * <li>{@code POST /ca-api/v1/crls}: make, sign and store a CRL;</li>
 * <li>{@code POST /ca-api/v1/ocsp-signers}: certify a delegated OCSP-signing key;</li>
 * <li>{@code POST /ca-api/v1/service-certificates}: renew the caller's own service certificate;</li>
 * <li>{@code POST /ca-api/v1/ca-revocations}: revoke an issuing CA or OCSP signer certificate
 * (callers granted {@code revokeCas}: the admin API, after its administrators' approvals);</li>
 * <li>{@code POST /ca-api/v1/key-destructions}: retire a CA key, destroying it in the CA token
 * (callers granted {@code destroyKeys}: the admin API, after its administrators' approvals);</li>
 * <li>{@code POST /ca-api/v1/ca-rollovers}: roll an issuing CA over to a new key (callers granted
 * {@code rolloverCas}: the admin API, after its administrators' approvals);</li>
 * <li>{@code GET /health}, {@code GET /metrics}: without a client certificate.</li>
 * </ul>
 * Another method on an operation is 405 ({@code Allow: POST}), a body over 64 KiB 413, any other
 * path 404, each with the JSON error.
 * Every call is authenticated by {@link CallerAuthenticator} and authorised by the caller's row
 * in the table ({@link CaApiOperations}); every refusal is audited ({@code ca-api.refused}, within
 * a budget per kind of refusal so that a flood cannot grow the audit log at will) and answered
 * 401 or 403 with a JSON error; no answer carries a stack trace or an internal detail.
 */
public final class CaApiServer extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(CaApiServer.class);
    private static final int MAX_BODY = 64 * 1024;
    private static final Map<String, CaApiOperation> PATHS = Map.of(
            "certificates", CaApiOperation.ISSUE,
            "revocations", CaApiOperation.REVOKE,
            "crls", CaApiOperation.PUBLISH_CRL,
            "ocsp-signers", CaApiOperation.CERTIFY_OCSP_SIGNER,
            "service-certificates", CaApiOperation.RENEW_SERVICE_CERTIFICATE,
            "ca-revocations", CaApiOperation.REVOKE_CA,
            "key-destructions", CaApiOperation.DESTROY_KEY,
            "ca-rollovers", CaApiOperation.ROLLOVER_CA);

    /** The endpoint's own TLS identity: PEM private key and PEM chain (leaf first). */
    public record TlsIdentity(String keyPem, String chainPem) {
    }

    private final CaApiOperations operations;
    private final CallerAuthenticator authenticator;
    private final AuditLog audit;
    private final Clock clock;
    private final TlsIdentity tls;
    private final String host;
    private final int port;
    private final BooleanSupplier ready;
    private final AuditBudget budget;
    private final Map<CallCount, LongAdder> calls = new ConcurrentHashMap<>();

    /** One counter of /metrics. */
    private record CallCount(String operation, String outcome) {
    }
    private HttpServer server;

    /** {@code ready}: whether the CA can serve (database and token reachable), for /health. */
    public CaApiServer(CaApiOperations operations, CallerAuthenticator authenticator, AuditLog audit, Clock clock,
                       TlsIdentity tls, String host, int port, BooleanSupplier ready) {
        this.operations = operations;
        this.authenticator = authenticator;
        this.audit = audit;
        this.clock = clock;
        this.tls = tls;
        this.host = host;
        this.port = port;
        this.ready = ready;
        this.budget = new AuditBudget(20, Duration.ofMinutes(1), clock);
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        router.get("/health").handler(ctx -> offContext(ready::getAsBoolean).onComplete(r -> {
            boolean up = r.succeeded() && Boolean.TRUE.equals(r.result());
            ctx.response().setStatusCode(up ? 200 : 503).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(new JsonObject().put("status", up ? "UP" : "DOWN").encode());
        }));
        router.get("/metrics").handler(ctx -> ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4").end(metrics()));
        router.post("/ca-api/v1/:operation").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY))
                .handler(this::call);
        router.route("/ca-api/v1/:operation").handler(ctx -> {
            if (!PATHS.containsKey(ctx.pathParam("operation"))) {
                answer(ctx, 404, new PkiException(ErrorKind.NOT_FOUND, "no such resource"));
                return;
            }
            LOG.info("CA API refused {} {}: 405", ctx.request().method(), ctx.pathParam("operation"));
            ctx.response().putHeader(HttpHeaders.ALLOW, "POST");
            answer(ctx, 405, new PkiException(ErrorKind.MALFORMED, "the operations of the CA API are POSTs"));
        });
        router.route().handler(ctx -> answer(ctx, 404, new PkiException(ErrorKind.NOT_FOUND, "no such resource")));
        // Failures of the router itself (BodyHandler's limit, a bug) get the API's JSON error, never a trace.
        router.errorHandler(413, ctx -> answer(ctx, 413, new PkiException(ErrorKind.MALFORMED,
                "the body must be at most " + MAX_BODY + " bytes")));
        router.errorHandler(400, ctx -> answer(ctx, 400, new PkiException(ErrorKind.MALFORMED,
                "the request could not be read")));
        router.errorHandler(500, ctx -> {
            LOG.error("CA API request failed", ctx.failure());
            answer(ctx, 500, new PkiException(ErrorKind.INTERNAL, "unexpected failure"));
        });
        HttpServerOptions options = new HttpServerOptions().setSsl(true)
                .setKeyCertOptions(new PemKeyCertOptions().addKeyValue(Buffer.buffer(tls.keyPem()))
                        .addCertValue(Buffer.buffer(tls.chainPem())))
                .setClientAuth(ClientAuth.REQUEST)
                .setTrustOptions(TrustOptions.wrap(new CallerTrust(authenticator.issuers())))
                .setIdleTimeout(120).setCompressionSupported(false);
        return vertx.createHttpServer(options).requestHandler(router).listen(port, host).onSuccess(s -> server = s);
    }

    /**
     * Runs blocking work (HSM, database: ca-core waits on the pg client's futures) on a virtual
     * thread of its own, off every Vert.x thread, and completes on this verticle's context.
     */
    private <T> Future<T> offContext(java.util.concurrent.Callable<T> work) {
        io.vertx.core.Context context = vertx.getOrCreateContext();
        io.vertx.core.Promise<T> promise = io.vertx.core.Promise.promise();
        Thread.ofVirtual().name("ca-api-call").start(() -> {
            try {
                T result = work.call();
                context.runOnContext(v -> promise.complete(result));
            } catch (Throwable t) {
                context.runOnContext(v -> promise.fail(t));
            }
        });
        return promise.future();
    }

    @Override
    public Future<?> stop() {
        return server == null ? Future.succeededFuture() : server.close();
    }

    /** The port bound (useful when configured as 0). */
    public int actualPort() {
        return server == null ? -1 : server.actualPort();
    }

    private void call(RoutingContext ctx) {
        CaApiOperation op = PATHS.get(ctx.pathParam("operation"));
        if (op == null) {
            answer(ctx, 404, new PkiException(ErrorKind.NOT_FOUND, "no such resource"));
            return;
        }
        List<Certificate> chain;
        try {
            chain = ctx.request().connection().peerCertificates();
        } catch (SSLPeerUnverifiedException | RuntimeException e) {
            chain = List.of();
        }
        List<Certificate> peer = chain;
        String body = ctx.body().asString();
        offContext(() -> handle(op, peer, body)).onComplete(r -> {
            if (r.succeeded()) {
                ctx.response().setStatusCode(200).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .end(r.result().encode());
            } else {
                PkiException e = r.cause() instanceof PkiException p ? p
                        : new PkiException(ErrorKind.INTERNAL, "unexpected failure", r.cause());
                if (e.kind() == ErrorKind.INTERNAL) {
                    LOG.error("CA API {} failed", op.wireName(), e);
                }
                answer(ctx, status(e), e);
            }
        });
    }

    private JsonObject handle(CaApiOperation op, List<Certificate> chain, String body) {
        CallerAuthenticator.Caller caller;
        try {
            caller = authenticator.authenticate(chain);
        } catch (CallerAuthenticator.Refusal r) {
            count(op, "unauthenticated");
            refused(op, r.subject(), r.getMessage());
            throw new PkiException(ErrorKind.UNAUTHORIZED, "a service certificate of this PKI is required: "
                    + r.getMessage());
        }
        // Decoded as any JSON value first: "null" would otherwise make a JsonObject without a map.
        Object parsed;
        try {
            parsed = body == null || body.isBlank() ? new JsonObject() : Json.decodeValue(body);
        } catch (DecodeException e) {
            parsed = null;
        }
        if (!(parsed instanceof JsonObject json)) {
            count(op, "malformed");
            throw new PkiException(ErrorKind.MALFORMED, "the body must be a JSON object");
        }
        try {
            JsonObject result = operations.perform(caller, op, json);
            count(op, "ok");
            return result;
        } catch (PkiException e) {
            count(op, e.kind() == ErrorKind.UNAUTHORIZED ? "forbidden" : "refused");
            if (e.kind() == ErrorKind.UNAUTHORIZED) {
                refused(op, "service:" + caller.name(), e.publicDetail());
            }
            throw e;
        } catch (ClassCastException | IllegalArgumentException e) {
            count(op, "malformed");
            throw new PkiException(ErrorKind.MALFORMED, "a member of the request has the wrong type");
        }
    }

    private void refused(CaApiOperation op, String who, String reason) {
        long skipped = budget.admit(op.wireName() + "/" + reason);
        if (skipped == AuditBudget.SKIP) {
            return;
        }
        Map<String, String> details = new LinkedHashMap<>();
        details.put("operation", op.wireName());
        details.put("reason", reason);
        if (skipped > 0) {
            details.put("skippedBefore", Long.toString(skipped));
        }
        audit.recordQuietly(AuditEvent.failure(clock.instant(), "ca-api.refused", who, details));
    }

    private void count(CaApiOperation op, String outcome) {
        calls.computeIfAbsent(new CallCount(op.wireName(), outcome), k -> new LongAdder()).increment();
    }

    private String metrics() {
        StringBuilder b = new StringBuilder("# HELP medpki_ca_api_calls_total CA API calls by operation and outcome\n"
                + "# TYPE medpki_ca_api_calls_total counter\n");
        calls.entrySet().stream()
                .sorted(java.util.Comparator.comparing((Map.Entry<CallCount, LongAdder> e) -> e.getKey().operation())
                        .thenComparing(e -> e.getKey().outcome()))
                .forEach(e -> b.append("medpki_ca_api_calls_total{operation=\"").append(e.getKey().operation())
                        .append("\",outcome=\"").append(e.getKey().outcome()).append("\"} ").append(e.getValue().sum())
                        .append('\n'));
        return b.toString();
    }

    private static int status(PkiException e) {
        return switch (e.kind()) {
            case MALFORMED, BAD_CSR, BAD_PUBLIC_KEY, BAD_SIGNATURE_ALGORITHM, REJECTED_IDENTIFIER, UNKNOWN_PROFILE,
                 BAD_REVOCATION_REASON, LINT_FAILED -> 400;
            case UNAUTHORIZED -> e.detail().startsWith("a service certificate") ? 401 : 403;
            case NOT_FOUND -> 404;
            case ALREADY_REVOKED, CONFLICT -> 409;
            case TOKEN_UNAVAILABLE, TOKEN_LOGIN_FAILED, KEY_NOT_FOUND, DATABASE_UNAVAILABLE, CA_UNAVAILABLE -> 503;
            case CONFIGURATION, INTERNAL -> 500;
        };
    }

    private static void answer(RoutingContext ctx, int status, PkiException e) {
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(CaApiJson.error(e).encode());
    }
}
