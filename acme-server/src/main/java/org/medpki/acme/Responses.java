package org.medpki.acme;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Writing JSON resources with their Location and Link headers. */
final class Responses {
    private Responses() {
    }

    static void json(RoutingContext ctx, int status, JsonObject body, String location) {
        var r = ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json");
        if (location != null) {
            r.putHeader("Location", location);
        }
        r.end(body.encodePrettily());
    }

    static void up(RoutingContext ctx, String url) {
        ctx.response().headers().add("Link", "<" + url + ">;rel=\"up\"");
    }

    /** The resource belongs to the requesting account, or it is treated as absent (no probing). */
    static void owned(JwsRequest jws, String accountId) {
        if (!jws.account().id().equals(accountId)) {
            throw new AcmeException(ProblemType.UNAUTHORIZED, "this resource belongs to another account");
        }
    }
}
