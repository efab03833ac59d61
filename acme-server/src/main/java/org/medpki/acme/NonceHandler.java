package org.medpki.acme;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/** newNonce (RFC 8555 7.2): HEAD answers 200, GET 204; the nonce itself comes from {@link ReplayNonceHandler}. */
public final class NonceHandler implements Handler<RoutingContext> {
    @Override
    public void handle(RoutingContext ctx) {
        ctx.response().setStatusCode(ctx.request().method() == HttpMethod.HEAD ? 200 : 204).end();
    }
}
