package org.medpki.acme;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.medpki.acme.validation.IssuerDomainNames;

/** The URLs of ACME resources and their JSON representations (RFC 8555 section 7.1). */
public final class AcmeViews {
    private final AcmeConfig config;

    public AcmeViews(AcmeConfig config) {
        this.config = config;
    }

    public String url(String path) {
        return config.baseUrl() + path;
    }

    public String account(String id) {
        return url("/account/" + id);
    }

    public String order(String id) {
        return url("/order/" + id);
    }

    public String authz(String id) {
        return url("/authz/" + id);
    }

    public String challenge(String id) {
        return url("/chall/" + id);
    }

    public String certificate(String orderId) {
        return url("/cert/" + orderId);
    }

    public JsonObject account(Account a) {
        return new JsonObject().put("status", a.status()).put("contact", a.contact())
                .put("orders", url("/account/" + a.id() + "/orders"))
                .put("key", new JsonObject(a.key().toPublicJWK().toJSONObject()));
    }

    public JsonObject order(Order o) {
        JsonArray ids = new JsonArray();
        o.identifiers().forEach(i -> ids.add(i.json()));
        JsonArray authz = new JsonArray();
        o.authorizationIds().forEach(id -> authz.add(authz(id)));
        JsonObject j = new JsonObject().put("status", o.status()).put("expires", time(o.expires()))
                .put("identifiers", ids).put("profile", o.profile()).put("authorizations", authz)
                .put("finalize", url("/order/" + o.id() + "/finalize"));
        if (o.notBefore() != null) {
            j.put("notBefore", time(o.notBefore()));
        }
        if (o.notAfter() != null) {
            j.put("notAfter", time(o.notAfter()));
        }
        if (o.errorJson() != null) {
            j.put("error", new JsonObject(o.errorJson()));
        }
        if (o.certChain() != null) {
            j.put("certificate", certificate(o.id()));
        }
        if (o.replaces() != null) {
            j.put("replaces", o.replaces());
        }
        return j;
    }

    public JsonObject authorization(Authorization a) {
        JsonArray challenges = new JsonArray();
        a.challenges().forEach(c -> challenges.add(challenge(c, a.accountId())));
        JsonObject j = new JsonObject().put("identifier", a.identifier().json()).put("status", a.status())
                .put("expires", time(a.expires())).put("challenges", challenges);
        if (a.wildcard()) {
            j.put("wildcard", true);
        }
        return j;
    }

    /**
     * A challenge of the account {@code accountId}'s authorization. dns-persist-01's object has no
     * token: it names the account URL and our Issuer Domain Names that the standing record must
     * carry (draft-ietf-acme-dns-persist-01 section 3.1).
     */
    public JsonObject challenge(Challenge c, String accountId) {
        JsonObject j = new JsonObject().put("type", c.type()).put("url", challenge(c.id())).put("status", c.status());
        if (c.type().equals("dns-persist-01")) {
            j.put("accounturi", account(accountId))
                    .put("issuer-domain-names", new JsonArray(IssuerDomainNames.of(config.caaIdentities())));
        } else {
            j.put("token", c.token());
        }
        if (c.validated() != null) {
            j.put("validated", time(c.validated()));
        }
        if (c.errorJson() != null) {
            j.put("error", new JsonObject(c.errorJson()));
        }
        return j;
    }

    static String time(Instant t) {
        return t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    }
}
