package org.medpki.acme;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;

/**
 * First on every route: gives the response a fresh Replay-Nonce (error responses too, so a client
 * refused with badNonce can retry at once) and the directory's Link rel="index".
 */
public final class ReplayNonceHandler implements Handler<RoutingContext> {
    static final Duration NONCE_LIFETIME = Duration.ofMinutes(30);
    private final AcmeConfig config;
    private final AcmeRepository store;
    private final Clock clock;

    public ReplayNonceHandler(AcmeConfig config, AcmeRepository store, Clock clock) {
        this.config = config;
        this.store = store;
        this.clock = clock;
    }

    @Override
    public void handle(RoutingContext ctx) {
        ctx.response().putHeader("Replay-Nonce", store.newNonce(clock.instant().plus(NONCE_LIFETIME)))
                .putHeader("Cache-Control", "no-store");
        ctx.response().headers().add("Link", "<" + config.directoryUrl() + ">;rel=\"index\"");
        ctx.next();
    }
}
