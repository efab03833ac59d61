package org.medpki.acme;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.jwk.JWK;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.text.ParseException;
import java.util.Map;
import java.util.Set;

/**
 * keyChange (RFC 8555 7.3.5): the outer JWS is signed by the old key (kid); its payload is an
 * inner JWS signed by the new key (jwk, same url, no nonce) over {account, oldKey}.
 */
public final class KeyChangeHandler implements Handler<RoutingContext> {
    private final AcmeRepository store;
    private final AcmeViews views;
    private final AcmeAudit audit;

    public KeyChangeHandler(AcmeRepository store, AcmeViews views, AcmeAudit audit) {
        this.store = store;
        this.views = views;
        this.audit = audit;
    }

    @Override
    public void handle(RoutingContext ctx) {
        JwsRequest jws = JwsRequest.of(ctx);
        Account account = jws.account();
        JsonObject inner = jws.json();
        if (!inner.fieldNames().equals(Set.of("protected", "payload", "signature"))) {
            throw new AcmeException(ProblemType.MALFORMED, "the keyChange payload must be a flattened JWS");
        }
        JWSObject parsed;
        try {
            parsed = JWSObject.parse(inner.getString("protected") + "." + inner.getString("payload") + "."
                    + inner.getString("signature"));
        } catch (ParseException | RuntimeException e) {
            throw new AcmeException(ProblemType.MALFORMED, "the inner JWS cannot be parsed");
        }
        JWSAlgorithm alg = parsed.getHeader().getAlgorithm();
        JWK newKey = parsed.getHeader().getJWK();
        if (!JwsParseHandler.ALLOWED.contains(alg)) {
            throw new AcmeException(ProblemType.BAD_SIGNATURE_ALGORITHM, "the inner JWS algorithm is not accepted");
        }
        if (newKey == null || parsed.getHeader().getKeyID() != null || parsed.getHeader().getCustomParam("nonce") != null) {
            throw new AcmeException(ProblemType.MALFORMED, "the inner JWS needs a jwk and no kid or nonce");
        }
        if (!views.url("/key-change").equals(parsed.getHeader().getCustomParam("url"))) {
            throw new AcmeException(ProblemType.MALFORMED, "the inner JWS url is not the keyChange URL");
        }
        if (!SignatureHandler.verify(alg, newKey, inner.getString("protected") + "." + inner.getString("payload"),
                parsed.getSignature().decode())) {
            throw new AcmeException(ProblemType.MALFORMED, "the inner JWS signature does not verify");
        }
        JsonObject body;
        try {
            body = new JsonObject(parsed.getPayload().toString());
            body.fieldNames(); // "null" decodes to an object without a map
        } catch (RuntimeException e) {
            throw new AcmeException(ProblemType.MALFORMED, "the inner payload is not JSON");
        }
        String oldThumbprint = account.thumbprint();
        try {
            if (!views.account(account.id()).equals(body.getString("account"))
                    || !(body.getValue("oldKey") instanceof JsonObject old)
                    || !JWK.parse(old.encode()).computeThumbprint().toString().equals(oldThumbprint)) {
                throw new AcmeException(ProblemType.UNAUTHORIZED, "the inner payload does not name this account and its key");
            }
        } catch (ParseException | JOSEException | ClassCastException e) {
            throw new AcmeException(ProblemType.MALFORMED, "the inner payload's oldKey is not a JWK");
        }
        String newThumbprint = NewAccountHandler.thumbprint(newKey);
        var holder = store.accountByThumbprint(newThumbprint);
        if (holder.isPresent()) {
            ctx.response().putHeader("Location", views.account(holder.get().id()));
            throw new AcmeException(ProblemType.CONFLICT, "the new key is already used by an account");
        }
        store.changeKey(account.id(), oldThumbprint, newThumbprint, newKey.toPublicJWK());
        audit.succeeded("acme.key_changed", views.account(account.id()), Map.of("newKey", newThumbprint));
        Responses.json(ctx, 200, views.account(store.account(account.id()).orElseThrow()), views.account(account.id()));
    }
}
