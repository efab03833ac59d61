package org.medpki.acme;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * First on every route: Cache-Control no-store and the directory's Link rel="index"; and a fresh
 * Replay-Nonce where RFC 8555 6.5 wants one - newNonce and every response to a POST (error
 * responses too, so a client refused with badNonce can retry at once) - and nowhere else.
 */
public final class ReplayNonceHandler implements Handler<RoutingContext> {
    static final String NEW_NONCE_PATH = "/acme/new-nonce";
    private final AcmeConfig config;
    private final Nonces nonces;

    public ReplayNonceHandler(AcmeConfig config, Nonces nonces) {
        this.config = config;
        this.nonces = nonces;
    }

    @Override
    public void handle(RoutingContext ctx) {
        if (wantsNonce(ctx)) {
            ctx.response().putHeader("Replay-Nonce", nonces.mint());
        }
        ctx.response().putHeader("Cache-Control", "no-store");
        ctx.response().headers().add("Link", "<" + config.directoryUrl() + ">;rel=\"index\"");
        ctx.next();
    }

    /** A POST, or newNonce (HEAD or GET). */
    static boolean wantsNonce(RoutingContext ctx) {
        return ctx.request().method() == HttpMethod.POST || NEW_NONCE_PATH.equals(ctx.request().path());
    }
}
