package org.medpki.acme;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.Base64URL;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;

/**
 * Fuzzes how a POST body becomes a {@link JwsRequest}: {@link JwsParseHandler#parse} under each
 * key mode, then the signature check ({@link SignatureHandler#verify}) with the embedded jwk or, for
 * kid requests, a fixed account key, then the payload as JSON. The only accepted outcomes are a
 * result or an {@link AcmeException} with a 4xx status; anything else is a finding.
 *
 * <p>An input is the JSON body, with three conveniences so that the fuzzer reaches past the
 * base64url layer: a {@code protected} or {@code payload} given as a JSON object is encoded to
 * base64url first; {@code "jwk": "FIXED"} in such a header becomes the fixed key's public JWK; and
 * {@code "signature": "SIGN"} becomes a valid ES256 signature by the fixed key. Any other value is
 * passed on as it is. Seeds: JwsParseFuzzTestInputs/flattenedJws/.
 */
class JwsParseFuzzTest {
    static final String URL = "https://acme.hospital.test/acme/new-order";
    private static final ECKey FIXED = fixedKey();

    @FuzzTest(maxDuration = "15s")
    void flattenedJws(byte[] data) throws JOSEException {
        JsonObject body;
        try {
            body = prepare(new JsonObject(Buffer.buffer(data)));
        } catch (DecodeException | ClassCastException e) {
            return; // the handler answers this itself (malformed), before parse
        }
        for (JwsParseHandler.KeyMode mode : JwsParseHandler.KeyMode.values()) {
            try {
                JwsParseHandler.parse(body.copy(), URL, mode);
            } catch (AcmeException e) {
                requireClientError(e);
            }
        }
        JwsRequest jws;
        try {
            jws = JwsParseHandler.parse(body, URL, JwsParseHandler.KeyMode.EITHER);
        } catch (AcmeException e) {
            return;
        }
        JWK key = jws.header().getJWK() != null ? jws.header().getJWK() : FIXED.toPublicJWK();
        try {
            if (SignatureHandler.verify(jws.header().getAlgorithm(), key, jws.signingInput(), jws.signature())
                    && !jws.postAsGet()) {
                jws.json();
            }
        } catch (AcmeException e) {
            requireClientError(e);
        }
    }

    private static void requireClientError(AcmeException e) {
        if (e.type().status() < 400 || e.type().status() > 499) {
            throw new AssertionError("refusal with status " + e.type().status(), e);
        }
    }

    private static JsonObject prepare(JsonObject body) throws JOSEException {
        if (body == null) {
            return null;
        }
        if (body.getValue("protected") instanceof JsonObject header) {
            if ("FIXED".equals(header.getValue("jwk"))) {
                header.put("jwk", new JsonObject(FIXED.toPublicJWK().toJSONObject()));
            }
            body.put("protected", Base64URL.encode(header.encode()).toString());
        }
        if (body.getValue("payload") instanceof JsonObject payload) {
            body.put("payload", Base64URL.encode(payload.encode()).toString());
        }
        if ("SIGN".equals(body.getValue("signature")) && body.getValue("protected") instanceof String p
                && body.getValue("payload") instanceof String q) {
            byte[] input = (p + "." + q).getBytes(StandardCharsets.US_ASCII);
            body.put("signature", new ECDSASigner(FIXED).sign(new JWSHeader(JWSAlgorithm.ES256), input).toString());
        }
        return body;
    }

    private static ECKey fixedKey() {
        try {
            return ECKey.parse("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"vrHdszgnxDIZhZWoyz0CYQrbXfbuSolL3kg9cbzqXLw\","
                    + "\"y\":\"VWDyngzzSWRsvO-ewi8mrVvd8qniif8PvqYz9Q_FFo4\",\"d\":\"n2MWdcSlUxKbCT_cD5UYlJkBPyN2oNbptfyEjGSM_ow\"}");
        } catch (ParseException e) {
            throw new IllegalStateException(e);
        }
    }
}
