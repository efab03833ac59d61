package org.medpki.acme;

import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.JWK;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * A POST body as RFC 8555 section 6.2 wants it, parsed: the protected header, the signing input,
 * the signature, the payload (empty for POST-as-GET), and the account once it is looked up.
 */
public final class JwsRequest {
    static final String KEY = "acme.jws";

    private final JWSHeader header;
    private final String signingInput;
    private final byte[] signature;
    private final String payload;
    private Account account;

    JwsRequest(JWSHeader header, String signingInput, byte[] signature, String payload) {
        this.header = header;
        this.signingInput = signingInput;
        this.signature = signature.clone();
        this.payload = payload;
    }

    public static JwsRequest of(RoutingContext ctx) {
        return ctx.get(KEY);
    }

    public JWSHeader header() {
        return header;
    }

    String signingInput() {
        return signingInput;
    }

    byte[] signature() {
        return signature.clone();
    }

    /** The key that signed: the embedded jwk, or the account's key for kid requests. */
    public JWK key() {
        return header.getJWK() != null ? header.getJWK() : account.key();
    }

    public Account account() {
        return account;
    }

    void account(Account account) {
        this.account = account;
    }

    public boolean postAsGet() {
        return payload.isEmpty();
    }

    /** The payload as a JSON object; anything else is malformed. */
    public JsonObject json() {
        if (payload.isEmpty()) {
            throw new AcmeException(ProblemType.MALFORMED, "this request needs a JSON payload, not POST-as-GET");
        }
        try {
            JsonObject json = new JsonObject(payload);
            json.fieldNames(); // "null" decodes to an object without a map
            return json;
        } catch (RuntimeException e) {
            throw new AcmeException(ProblemType.MALFORMED, "the payload is not a JSON object");
        }
    }

    /** Refuses anything but POST-as-GET (an empty payload). */
    public void requirePostAsGet() {
        if (!payload.isEmpty()) {
            throw new AcmeException(ProblemType.MALFORMED, "this resource is read with POST-as-GET (an empty payload)");
        }
    }
}
