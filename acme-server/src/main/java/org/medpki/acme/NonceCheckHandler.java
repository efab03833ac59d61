package org.medpki.acme;

import io.vertx.ext.web.RoutingContext;
import io.vertx.core.Handler;
import java.time.Clock;

/**
 * Spends the request's nonce (RFC 8555 6.5): deleted from the shared table, so it works once
 * across every instance. Runs after the signature check, so a forged request cannot burn nonces.
 */
public final class NonceCheckHandler implements Handler<RoutingContext> {
    private final AcmeRepository store;
    private final Clock clock;
    private final AcmeAudit audit;

    public NonceCheckHandler(AcmeRepository store, Clock clock, AcmeAudit audit) {
        this.store = store;
        this.clock = clock;
        this.audit = audit;
    }

    @Override
    public void handle(RoutingContext ctx) {
        String nonce = JwsRequest.of(ctx).header().getCustomParam("nonce") instanceof String n ? n : "";
        if (!nonce.matches("[A-Za-z0-9_-]{1,64}") || !store.consumeNonce(nonce, clock.instant())) {
            // Spent and unknown nonces look alike once spent ones are deleted: one reason for both.
            AcmeException refused = new AcmeException(ProblemType.BAD_NONCE, "the nonce is unknown, expired or already used");
            audit.requestRefused(ctx, "badNonce", JwsRequest.of(ctx).header().getKeyID(), refused);
            throw refused;
        }
        ctx.next();
    }
}
