package org.medpki.acme;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.util.Base64URL;
import io.vertx.core.Handler;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Set;

/**
 * Parses the flattened JWS JSON body and checks its protected header (RFC 8555 6.2, 6.4):
 * Content-Type application/jose+json; exactly protected, payload, signature (no unprotected
 * header, no general serialisation); alg from the allow-list; url equal to the request's URL;
 * a nonce present; jwk or kid as the route wants, never both.
 */
public final class JwsParseHandler implements Handler<RoutingContext> {
    /** Which key reference a route takes. */
    public enum KeyMode { JWK, KID, EITHER }

    static final Set<JWSAlgorithm> ALLOWED = Set.of(JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.RS256,
            JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);
    private static final Set<String> FIELDS = Set.of("protected", "payload", "signature");

    private final AcmeConfig config;
    private final KeyMode mode;
    private final AcmeAudit audit;

    public JwsParseHandler(AcmeConfig config, KeyMode mode, AcmeAudit audit) {
        this.config = config;
        this.mode = mode;
        this.audit = audit;
    }

    @Override
    public void handle(RoutingContext ctx) {
        String contentType = ctx.request().getHeader("Content-Type");
        if (contentType == null || !contentType.split(";")[0].trim().equalsIgnoreCase("application/jose+json")) {
            throw new AcmeException(ProblemType.MALFORMED, "the Content-Type must be application/jose+json");
        }
        JsonObject body;
        try {
            body = ctx.body().asJsonObject();
        } catch (DecodeException | ClassCastException e) {
            throw new AcmeException(ProblemType.MALFORMED, "the body is not a JSON object");
        }
        String expected = config.baseUrl() + ctx.request().path().substring("/acme".length());
        try {
            ctx.put(JwsRequest.KEY, parse(body, expected, mode));
        } catch (AcmeException e) {
            if (e.type() == ProblemType.BAD_SIGNATURE_ALGORITHM) {
                audit.requestRefused(ctx, "algorithm", null, e);
            }
            throw e;
        }
        ctx.next();
    }

    /**
     * The checks on the decoded body that need no request context: the flattened JWS's fields,
     * the protected header (against {@code expectedUrl} and the route's key {@code mode}), the
     * payload. Returns the parsed request or throws an {@link AcmeException} (a 4xx problem);
     * nothing else. The fuzz test drives this directly.
     */
    static JwsRequest parse(JsonObject body, String expectedUrl, KeyMode mode) {
        if (body == null || !body.fieldNames().equals(FIELDS)) {
            throw new AcmeException(ProblemType.MALFORMED,
                    "the body must be a flattened JWS with exactly protected, payload and signature");
        }
        if (!(body.getValue("protected") instanceof String prot) || !(body.getValue("payload") instanceof String payload)
                || !(body.getValue("signature") instanceof String sig) || prot.isEmpty() || sig.isEmpty()) {
            throw new AcmeException(ProblemType.MALFORMED, "protected, payload and signature must be base64url strings");
        }
        JsonObject headerJson = header(prot);
        Object alg = headerJson.getValue("alg");
        if (!(alg instanceof String algName)) {
            throw new AcmeException(ProblemType.MALFORMED, "alg must be a string");
        }
        // Members the checks below read: each, when present, must have its JSON type (RFC 7515
        // 4.1, RFC 8555 6.2, 6.4, 6.5.2); a null or a number where a string belongs is malformed.
        requireType(headerJson, "jwk", JsonObject.class, "a JSON object");
        requireType(headerJson, "kid", String.class, "a string");
        requireType(headerJson, "nonce", String.class, "a string");
        requireType(headerJson, "url", String.class, "a string");
        if (!ALLOWED.contains(JWSAlgorithm.parse(algName))) {
            throw new AcmeException(ProblemType.BAD_SIGNATURE_ALGORITHM, "the JWS algorithm '"
                    + (algName.length() <= 32 ? algName : "(unreadable)")
                    + "' is not accepted (ES256, ES384, RS256, EdDSA are)");
        }
        JWSHeader header;
        try {
            header = JWSHeader.parse(new Base64URL(prot));
        } catch (ParseException | RuntimeException e) {
            // The library's own checks (member types, a jwk it cannot read) refuse as malformed.
            throw new AcmeException(ProblemType.MALFORMED, "the protected header is not a valid JWS header");
        }
        if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
            throw new AcmeException(ProblemType.MALFORMED, "critical header parameters are not supported");
        }
        boolean hasJwk = headerJson.containsKey("jwk");
        boolean hasKid = headerJson.containsKey("kid");
        if (hasJwk && hasKid) {
            throw new AcmeException(ProblemType.MALFORMED, "the protected header has both jwk and kid");
        }
        switch (mode) {
            case JWK -> {
                if (!hasJwk) {
                    throw new AcmeException(ProblemType.MALFORMED, "this request must carry the key as jwk, not kid");
                }
            }
            case KID -> {
                if (!hasKid) {
                    throw new AcmeException(ProblemType.MALFORMED, "this request must name the account with kid, not jwk");
                }
            }
            case EITHER -> {
                if (!hasJwk && !hasKid) {
                    throw new AcmeException(ProblemType.MALFORMED, "the protected header needs jwk or kid");
                }
            }
        }
        if (hasJwk && (header.getJWK() == null || header.getJWK().isPrivate())) {
            throw new AcmeException(ProblemType.MALFORMED, "the jwk must be a public key");
        }
        if (hasKid && header.getKeyID() == null) {
            throw new AcmeException(ProblemType.MALFORMED, "kid must be a string");
        }
        if (!(headerJson.getValue("url") instanceof String url)) {
            throw new AcmeException(ProblemType.MALFORMED, "the protected header has no url");
        }
        if (!url.equals(expectedUrl)) {
            throw new AcmeException(ProblemType.UNAUTHORIZED, "the url in the protected header does not match the request URL");
        }
        if (!(headerJson.getValue("nonce") instanceof String nonce) || nonce.isEmpty()) {
            throw new AcmeException(ProblemType.BAD_NONCE, "the protected header has no nonce");
        }
        if (!nonce.matches("[A-Za-z0-9_-]+")) {
            // RFC 8555 6.5.2: a nonce that is not base64url is malformed (an unknown one is badNonce).
            throw new AcmeException(ProblemType.MALFORMED, "the nonce must be base64url");
        }
        String payloadText;
        try {
            payloadText = payload.isEmpty() ? "" : new String(Base64URL.from(payload).decode(), StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            throw new AcmeException(ProblemType.MALFORMED, "the payload is not base64url");
        }
        if (!payload.matches("[A-Za-z0-9_-]*") || !sig.matches("[A-Za-z0-9_-]+")) {
            throw new AcmeException(ProblemType.MALFORMED, "payload and signature must be base64url without padding");
        }
        return new JwsRequest(header, prot + "." + payload, Base64URL.from(sig).decode(), payloadText);
    }

    private static JsonObject header(String prot) {
        try {
            if (!prot.matches("[A-Za-z0-9_-]+")) {
                throw new IllegalArgumentException();
            }
            JsonObject json = new JsonObject(new String(Base64URL.from(prot).decode(), StandardCharsets.UTF_8));
            json.fieldNames(); // "null" decodes to an object without a map
            return json;
        } catch (RuntimeException e) {
            throw new AcmeException(ProblemType.MALFORMED, "the protected header is not base64url JSON");
        }
    }

    /** A member that, when present, is not of {@code type} (null included) is malformed. */
    private static void requireType(JsonObject header, String name, Class<?> type, String what) {
        if (header.containsKey(name) && !type.isInstance(header.getValue(name))) {
            throw new AcmeException(ProblemType.MALFORMED, name + " must be " + what);
        }
    }
}
