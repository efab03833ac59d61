package org.medpki.admin;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The web console: static files from the classpath at {@code /console/}, which read everything
 * they show from {@code /api/v1/} with the browser's client certificate. The files themselves hold
 * no data and need no certificate; without an administrator's certificate the API answers 401 and
 * the console shows how to get one. Headers: a strict Content-Security-Policy (scripts and styles
 * only from this origin, no inline ones, nothing framed), no sniffing, no referrer, no caching.
 */
final class Console {
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    /** Where the files are, relative to the classpath root. */
    static final String ROOT = "org/medpki/admin/console";

    private Console() {
    }

    static void install(Router router) {
        router.get("/console").handler(ctx -> {
            if (ctx.request().path().endsWith("/")) {
                ctx.next();
                return;
            }
            ctx.response().setStatusCode(301).putHeader(HttpHeaders.LOCATION, "/console/").end();
        });
        router.route("/console/*").handler(ctx -> {
            ctx.response().putHeader("Content-Security-Policy", CSP)
                    .putHeader("X-Content-Type-Options", "nosniff")
                    .putHeader("Referrer-Policy", "no-referrer")
                    .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
            ctx.next();
        });
        router.get("/console/*").handler(StaticHandler.create(ROOT).setCachingEnabled(false)
                .setDirectoryListing(false).setIncludeHidden(false).setIndexPage("index.html"));
    }
}
