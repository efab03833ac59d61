package org.medpki.acme;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;

/** An authorization (RFC 8555 7.5): read with POST-as-GET, or deactivated by its account (7.5.2). */
public final class AuthorizationHandler implements Handler<RoutingContext> {
    private final AcmeRepository store;
    private final AcmeViews views;
    private final Clock clock;

    public AuthorizationHandler(AcmeRepository store, AcmeViews views, Clock clock) {
        this.store = store;
        this.views = views;
        this.clock = clock;
    }

    @Override
    public void handle(RoutingContext ctx) {
        JwsRequest jws = JwsRequest.of(ctx);
        Authorization authz = store.authorization(ctx.pathParam("id"), clock.instant())
                .orElseThrow(() -> new AcmeException(ProblemType.NOT_FOUND, "no such authorization"));
        Responses.owned(jws, authz.accountId());
        if (!jws.postAsGet()) {
            if (!"deactivated".equals(jws.json().getValue("status"))) {
                throw new AcmeException(ProblemType.MALFORMED, "an authorization can only be set to deactivated");
            }
            if (!authz.status().equals("pending") && !authz.status().equals("valid")) {
                throw new AcmeException(ProblemType.MALFORMED, "only pending or valid authorizations can be deactivated");
            }
            store.setAuthorizationStatus(authz.id(), "deactivated");
            authz = store.authorization(authz.id()).orElseThrow();
        }
        if (authz.status().equals("pending")) {
            ctx.response().putHeader("Retry-After", "1");
        }
        Responses.json(ctx, 200, views.authorization(authz), null);
    }
}
