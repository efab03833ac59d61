package org.medpki.acme;

import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * GET /acme/directory (RFC 8555 7.1.1), with meta and the RFC 9773 renewalInfo resource. {@code
 * meta.profiles} (draft-ietf-acme-profiles) maps each profile ACME offers to its description; a
 * profile that does not exist or that ACME cannot issue stops the server at start.
 */
public final class DirectoryHandler implements Handler<RoutingContext> {
    private final String body;

    public DirectoryHandler(AcmeConfig config, AcmeViews views, CertificateAuthority ca) {
        JsonObject profiles = new JsonObject();
        for (String name : config.profiles()) {
            profiles.put(name, ca.acmeProfileDescription(name));
        }
        JsonObject meta = new JsonObject().put("caaIdentities", new JsonArray(config.caaIdentities()))
                .put("externalAccountRequired", config.eabRequired()).put("profiles", profiles);
        if (config.termsOfService() != null) {
            meta.put("termsOfService", config.termsOfService());
        }
        if (config.website() != null) {
            meta.put("website", config.website());
        }
        this.body = new JsonObject().put("newNonce", views.url("/new-nonce")).put("newAccount", views.url("/new-account"))
                .put("newOrder", views.url("/new-order")).put("revokeCert", views.url("/revoke-cert"))
                .put("keyChange", views.url("/key-change")).put("renewalInfo", views.url("/renewal-info"))
                .put("meta", meta).encodePrettily();
    }

    @Override
    public void handle(RoutingContext ctx) {
        ctx.response().putHeader("Content-Type", "application/json").end(body);
    }
}
