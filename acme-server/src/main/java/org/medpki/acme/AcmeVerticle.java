package org.medpki.acme;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.medpki.acme.JwsParseHandler.KeyMode;
import org.medpki.listener.ConnectionGuard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ACME HTTPS server. Deployed as a virtual-thread verticle: handlers block on the database,
 * the HSM and validation I/O without holding an event loop. The routes and the cross-cutting
 * handler chain (body limit, Replay-Nonce, JWS parse, account lookup, signature, nonce) are
 * mounted here and nowhere else.
 */
public final class AcmeVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(AcmeVerticle.class);
    /** Orders (and authorizations) deleted per purge transaction, and transactions per housekeeping round. */
    static final int PURGE_BATCH = 1000;
    private static final int PURGE_ROUNDS = 10;
    private final AcmeConfig config;
    private final AcmeRepository store;
    private final CertificateAuthority ca;
    private final AcmeAudit audit;
    private final Clock clock;
    private final ServerCertificate certificate;
    private final Nonces nonces;
    private final ConnectionGuard guard;
    private final boolean housekeeping;
    private final ValidationGate validation;
    private HttpServer server;

    /**
     * {@code housekeeping}: this instance purges spent nonces, expires orders and ends abandoned
     * validations every minute (one does); {@code nonces}: issues and checks the Replay-Nonces under
     * the installation's key; {@code guard}: the listener's deadlines and connection cap, shared by
     * the instances; {@code validation}: the validator and its limits, shared by the process's instances.
     */
    public AcmeVerticle(AcmeConfig config, AcmeRepository store, CertificateAuthority ca, AcmeAudit audit, Clock clock,
                        ServerCertificate certificate, Nonces nonces, ConnectionGuard guard, boolean housekeeping,
                        ValidationGate validation) {
        this.nonces = nonces;
        this.guard = guard;
        this.validation = validation;
        this.housekeeping = housekeeping;
        this.config = config;
        this.store = store;
        this.ca = ca;
        this.audit = audit;
        this.clock = clock;
        this.certificate = certificate;
    }

    @Override
    public Future<?> start() {
        Router router = router();
        HttpServerOptions options = guard.apply(new HttpServerOptions()).setHost(config.listenHost()).setPort(config.port())
                .setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
                        .setKeyValue(Buffer.buffer(certificate.keyPem()))
                        .setCertValue(Buffer.buffer(certificate.chainPem())));
        if (housekeeping) {
            vertx.setPeriodic(60_000, t -> {
                try {
                    store.purgeSpentNonces(clock.instant());
                    store.expire(clock.instant());
                    validation.endAbandoned();
                    purgeEnded();
                } catch (RuntimeException e) {
                    LOG.warn("ACME housekeeping failed: {}", e.getMessage());
                }
            });
        }
        return guard.install(vertx, vertx.createHttpServer(options), router).listen().onSuccess(s -> server = s);
    }

    /**
     * Deletes orders and authorizations that ended {@code acme.purgeAfter} ago, a bounded number
     * a round so that a backlog never holds the database for long. The audit log keeps their
     * record (accounts, validations, issuances); one entry says what went.
     */
    private void purgeEnded() {
        Instant endedBefore = clock.instant().minus(config.purgeAfter());
        int orders = 0;
        int authorizations = 0;
        for (int round = 0; round < PURGE_ROUNDS; round++) {
            AcmeRepository.Purged purged = store.purge(endedBefore, PURGE_BATCH);
            orders += purged.orders();
            authorizations += purged.authorizations();
            if (purged.orders() < PURGE_BATCH && purged.authorizations() < PURGE_BATCH) {
                break;
            }
        }
        if (orders > 0 || authorizations > 0) {
            audit.succeeded("acme.purged", "acme-housekeeping", Map.of("orders", Integer.toString(orders),
                    "authorizations", Integer.toString(authorizations), "endedBefore", endedBefore.toString()));
        }
    }

    Router router() {
        AcmeViews views = new AcmeViews(config);
        Router router = Router.router(vertx);
        // Before the nonce handler: a load balancer's probe mints no nonce.
        router.get("/health").handler(this::health);
        router.route().handler(BodyHandler.create(false).setBodyLimit(config.maxPayloadBytes()));
        router.route().handler(new ReplayNonceHandler(config, nonces));
        router.get("/acme/directory").handler(new DirectoryHandler(config, views, ca));
        router.get("/acme/renewal-info/:id").handler(new RenewalInfoHandler(ca, clock, config.renewalExplanation()));
        router.route("/acme/new-nonce").method(HttpMethod.HEAD).method(HttpMethod.GET).handler(new NonceHandler());
        post(router, "/acme/new-account", KeyMode.JWK, new NewAccountHandler(config, store, views, audit));
        post(router, "/acme/account/:id", KeyMode.KID, new AccountHandler(store, views, audit));
        post(router, "/acme/account/:id/orders", KeyMode.KID, new AccountHandler(store, views, audit));
        post(router, "/acme/new-order", KeyMode.KID, new NewOrderHandler(config, store, views, ca, audit, clock));
        post(router, "/acme/order/:id", KeyMode.KID, new OrderHandler(store, views, clock));
        post(router, "/acme/order/:id/finalize", KeyMode.KID, new FinalizeHandler(store, views, ca, validation,
                config.caaRecheckAfter(), audit, clock));
        post(router, "/acme/authz/:id", KeyMode.KID, new AuthorizationHandler(store, views, clock));
        post(router, "/acme/chall/:id", KeyMode.KID, new ChallengeHandler(store, views, validation, audit, clock));
        post(router, "/acme/cert/:id", KeyMode.KID, new CertificateHandler(store));
        post(router, "/acme/revoke-cert", KeyMode.EITHER, new RevokeHandler(store, views, ca, audit));
        post(router, "/acme/key-change", KeyMode.KID, new KeyChangeHandler(store, views, audit));
        router.route().failureHandler(this::failure);
        router.errorHandler(404, this::failure);
        router.errorHandler(405, this::failure);
        return router;
    }

    private void post(Router router, String path, KeyMode mode, Handler<RoutingContext> resource) {
        List<Handler<RoutingContext>> chain = new ArrayList<>(List.of(new JwsParseHandler(config, mode, audit),
                new AccountLookupHandler(config, store, audit), new SignatureHandler(audit),
                new NonceCheckHandler(store, nonces, audit)));
        Route route = router.post(path);
        chain.forEach(route::handler);
        route.handler(resource);
    }

    /** 200 when the database and the CA answer; 503 naming what does not. */
    private void health(RoutingContext ctx) {
        boolean database = OffContext.call(store::reachable);
        java.util.Optional<String> caDown = OffContext.call(ca::unavailable);
        boolean up = database && caDown.isEmpty();
        io.vertx.core.json.JsonObject body = new io.vertx.core.json.JsonObject().put("status", up ? "UP" : "DOWN")
                .put("database", database ? "UP" : "DOWN").put("ca", caDown.isEmpty() ? "UP" : "DOWN");
        caDown.ifPresent(why -> body.put("reason", why));
        // The listener's counters: connections open, closed at once over the cap, closed for a late request.
        body.put("connections", new io.vertx.core.json.JsonObject().put("open", guard.open())
                .put("refused", guard.refused()).put("timedOut", guard.timedOut()));
        ctx.response().setStatusCode(up ? 200 : 503).putHeader("Content-Type", "application/json").end(body.encode());
    }

    private void failure(RoutingContext ctx) {
        if (!ctx.response().headWritten() && ctx.response().headers().get("Replay-Nonce") == null
                && ReplayNonceHandler.wantsNonce(ctx)) {
            ctx.response().putHeader("Replay-Nonce", nonces.mint());
        }
        AcmeProblem.render(ctx);
    }

    @Override
    public Future<?> stop() {
        return server == null ? Future.succeededFuture() : server.close();
    }
}
