package org.medpki.acme;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * For kid requests: finds the account the kid names (its URL) and refuses unknown or deactivated
 * accounts. jwk requests pass through (their handler decides what the key means).
 */
public final class AccountLookupHandler implements Handler<RoutingContext> {
    private final AcmeConfig config;
    private final AcmeRepository store;
    private final AcmeAudit audit;

    public AccountLookupHandler(AcmeConfig config, AcmeRepository store, AcmeAudit audit) {
        this.config = config;
        this.store = store;
        this.audit = audit;
    }

    @Override
    public void handle(RoutingContext ctx) {
        JwsRequest jws = JwsRequest.of(ctx);
        String kid = jws.header().getKeyID();
        if (kid != null) {
            String prefix = config.baseUrl() + "/account/";
            Account account = kid.startsWith(prefix)
                    ? store.account(kid.substring(prefix.length())).orElse(null) : null;
            if (account == null) {
                AcmeException refused = new AcmeException(ProblemType.ACCOUNT_DOES_NOT_EXIST, "no account is known by this kid");
                audit.requestRefused(ctx, "unknownKid", kid, refused);
                throw refused;
            }
            if (!account.valid()) {
                throw new AcmeException(ProblemType.UNAUTHORIZED, "the account is " + account.status());
            }
            jws.account(account);
        }
        ctx.next();
    }
}
