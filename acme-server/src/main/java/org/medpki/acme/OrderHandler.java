package org.medpki.acme;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;

/** An order, read with POST-as-GET (RFC 8555 7.1.3); Retry-After while it is processing. */
public final class OrderHandler implements Handler<RoutingContext> {
    private final AcmeRepository store;
    private final AcmeViews views;
    private final Clock clock;

    public OrderHandler(AcmeRepository store, AcmeViews views, Clock clock) {
        this.store = store;
        this.views = views;
        this.clock = clock;
    }

    @Override
    public void handle(RoutingContext ctx) {
        JwsRequest jws = JwsRequest.of(ctx);
        jws.requirePostAsGet();
        Order order = store.order(ctx.pathParam("id"), clock.instant())
                .orElseThrow(() -> new AcmeException(ProblemType.NOT_FOUND, "no such order"));
        Responses.owned(jws, order.accountId());
        if (order.status().equals("processing") || order.status().equals("pending")) {
            ctx.response().putHeader("Retry-After", "1");
        }
        Responses.json(ctx, 200, views.order(order), null);
    }
}
