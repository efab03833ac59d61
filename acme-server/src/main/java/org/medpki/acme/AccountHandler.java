package org.medpki.acme;

import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/** An account (RFC 8555 7.3.2-7.3.6): read, contact update, deactivation; and its orders list. */
public final class AccountHandler implements Handler<RoutingContext> {
    private final AcmeRepository store;
    private final AcmeViews views;
    private final AcmeAudit audit;

    public AccountHandler(AcmeRepository store, AcmeViews views, AcmeAudit audit) {
        this.store = store;
        this.views = views;
        this.audit = audit;
    }

    @Override
    public void handle(RoutingContext ctx) {
        JwsRequest jws = JwsRequest.of(ctx);
        Account account = jws.account();
        Responses.owned(jws, ctx.pathParam("id"));
        if (ctx.request().path().endsWith("/orders")) {
            jws.requirePostAsGet();
            JsonArray orders = new JsonArray();
            store.orderIdsOf(account.id()).forEach(id -> orders.add(views.order(id)));
            Responses.json(ctx, 200, new JsonObject().put("orders", orders), null);
            return;
        }
        if (!jws.postAsGet()) {
            JsonObject update = jws.json();
            JsonArray contact = update.containsKey("contact") ? Contacts.check(update.getValue("contact")) : account.contact();
            String status = account.status();
            if (update.containsKey("status")) {
                if (!"deactivated".equals(update.getValue("status"))) {
                    throw new AcmeException(ProblemType.MALFORMED, "an account's status can only be set to deactivated");
                }
                status = "deactivated";
                audit.succeeded("acme.account_deactivated", views.account(account.id()), Map.of());
            }
            store.updateAccount(account.id(), contact, status);
            account = store.account(account.id()).orElseThrow();
        }
        Responses.json(ctx, 200, views.account(account), views.account(account.id()));
    }
}
