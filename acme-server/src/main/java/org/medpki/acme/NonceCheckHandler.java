package org.medpki.acme;

import io.vertx.ext.web.RoutingContext;
import io.vertx.core.Handler;
import java.time.Clock;

/**
 * Spends the request's nonce (RFC 8555 6.5): deleted from the shared table, so it works once
 * across every instance. Runs after the signature check, so a forged request cannot burn nonces.
 */
public final class NonceCheckHandler implements Handler<RoutingContext> {
    private final AcmeStore store;
    private final Clock clock;

    public NonceCheckHandler(AcmeStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    @Override
    public void handle(RoutingContext ctx) {
        String nonce = JwsRequest.of(ctx).header().getCustomParam("nonce") instanceof String n ? n : "";
        if (!nonce.matches("[A-Za-z0-9_-]{1,64}") || !store.consumeNonce(nonce, clock.instant())) {
            throw new AcmeException(ProblemType.BAD_NONCE, "the nonce is unknown, expired or already used");
        }
        ctx.next();
    }
}
