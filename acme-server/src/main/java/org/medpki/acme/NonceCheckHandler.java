package org.medpki.acme;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * Spends the request's nonce (RFC 8555 6.5): one of ours (its MAC holds) and not expired, checked
 * without the database; then recorded as spent in the shared repository, so it works once across
 * every instance. Runs after the signature check, so a forged request cannot burn nonces.
 */
public final class NonceCheckHandler implements Handler<RoutingContext> {
    private final AcmeRepository store;
    private final Nonces nonces;
    private final AcmeAudit audit;

    public NonceCheckHandler(AcmeRepository store, Nonces nonces, AcmeAudit audit) {
        this.store = store;
        this.nonces = nonces;
        this.audit = audit;
    }

    @Override
    public void handle(RoutingContext ctx) {
        String nonce = JwsRequest.of(ctx).header().getCustomParam("nonce") instanceof String n ? n : "";
        Optional<Nonces.Checked> checked = nonces.check(nonce);
        if (checked.isEmpty() || !store.spendNonce(checked.get().id(), checked.get().expires())) {
            // Forged, expired and spent nonces get one answer: which one it was helps only an attacker.
            AcmeException refused = new AcmeException(ProblemType.BAD_NONCE, "the nonce is unknown, expired or already used");
            audit.requestRefused(ctx, "badNonce", JwsRequest.of(ctx).header().getKeyID(), refused);
            throw refused;
        }
        ctx.next();
    }
}
