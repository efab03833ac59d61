package org.medpki.ops.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An ACME account key (EC P-256) that signs requests as RFC 8555 section 6.2 wants them: flattened
 * JSON serialisation, ES256, {@code url} and {@code nonce} in the protected header, {@code jwk}
 * until the account exists and {@code kid} afterwards.
 */
public final class AcmeJws {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ECKey key;
    private final ECDSASigner signer;

    private AcmeJws(ECKey key) throws JOSEException {
        this.key = key;
        this.signer = new ECDSASigner(key);
    }

    /** A fresh account key. */
    public static AcmeJws generate() {
        try {
            return new AcmeJws(new ECKeyGenerator(Curve.P_256).generate());
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot generate an EC P-256 account key", e);
        }
    }

    /**
     * The request body for {@code url}: signed with the account key, identified by {@code kid}
     * when given (an existing account) or by the public JWK (newAccount, revocation by key).
     * An empty payload makes a POST-as-GET.
     */
    public String sign(String url, String nonce, String kid, String payload) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(nonce, "nonce");
        JWSHeader.Builder header = new JWSHeader.Builder(JWSAlgorithm.ES256)
                .customParam("url", url).customParam("nonce", nonce);
        if (kid != null) {
            header.keyID(kid);
        } else {
            header.jwk(key.toPublicJWK());
        }
        JWSObject jws = new JWSObject(header.build(), new Payload(payload));
        try {
            jws.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign the ACME request for " + url, e);
        }
        Map<String, String> flattened = new LinkedHashMap<>();
        flattened.put("protected", jws.getHeader().toBase64URL().toString());
        flattened.put("payload", jws.getPayload().toBase64URL().toString());
        flattened.put("signature", jws.getSignature().toString());
        try {
            return JSON.writeValueAsString(flattened);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The key authorization for a challenge token (RFC 8555 section 8.1). */
    public String keyAuthorization(String token) {
        try {
            return token + "." + key.computeThumbprint();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
