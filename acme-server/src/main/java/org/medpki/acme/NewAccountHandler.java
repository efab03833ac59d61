package org.medpki.acme;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/** newAccount (RFC 8555 7.3): create, or find by key with onlyReturnExisting; EAB per configuration. */
public final class NewAccountHandler implements Handler<RoutingContext> {
    private final AcmeConfig config;
    private final AcmeRepository store;
    private final AcmeViews views;
    private final AcmeAudit audit;

    public NewAccountHandler(AcmeConfig config, AcmeRepository store, AcmeViews views, AcmeAudit audit) {
        this.config = config;
        this.store = store;
        this.views = views;
        this.audit = audit;
    }

    @Override
    public void handle(RoutingContext ctx) {
        JwsRequest jws = JwsRequest.of(ctx);
        JsonObject payload = jws.json();
        JWK key = jws.header().getJWK();
        String thumbprint = thumbprint(key);
        var existing = store.accountByThumbprint(thumbprint);
        if (existing.isPresent()) {
            Account a = existing.get();
            Responses.json(ctx, 200, views.account(a), views.account(a.id()));
            return;
        }
        if (Boolean.TRUE.equals(payload.getValue("onlyReturnExisting"))) {
            throw new AcmeException(ProblemType.ACCOUNT_DOES_NOT_EXIST, "no account exists with this key");
        }
        if (config.termsOfService() != null && !Boolean.TRUE.equals(payload.getValue("termsOfServiceAgreed"))) {
            throw new AcmeException(ProblemType.MALFORMED, "the terms of service must be agreed to");
        }
        JsonArray contact = Contacts.check(payload.getValue("contact"));
        String eabKid = null;
        if (payload.getValue("externalAccountBinding") instanceof JsonObject eab) {
            try {
                eabKid = ExternalAccountBinding.verify(eab, key, views.url("/new-account"), store).kid();
            } catch (AcmeException e) {
                // Any key pair can ask again and again: the audit entries go through the budget.
                audit.refusedBounded("acme.account_refused", "eab", "acme:" + thumbprint, e, Map.of());
                throw e;
            }
        } else if (payload.containsKey("externalAccountBinding")) {
            throw new AcmeException(ProblemType.MALFORMED, "externalAccountBinding must be a JSON object");
        } else if (config.eabRequired()) {
            throw new AcmeException(ProblemType.EXTERNAL_ACCOUNT_REQUIRED,
                    "this server requires an external account binding (ask the PKI operator for an EAB key)");
        }
        Account account = new Account(AcmeIds.newId(), thumbprint, key.toPublicJWK(), contact, "valid", eabKid);
        store.createAccount(account);
        audit.succeeded("acme.account_created", views.account(account.id()),
                eabKid == null ? Map.of() : Map.of("eabKid", eabKid));
        Responses.json(ctx, 201, views.account(account), views.account(account.id()));
    }

    static String thumbprint(JWK key) {
        try {
            return key.computeThumbprint().toString();
        } catch (JOSEException e) {
            throw new AcmeException(ProblemType.BAD_PUBLIC_KEY, "the account key cannot be used");
        }
    }
}
