package org.medpki.acme;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.jwk.JWK;
import io.vertx.core.json.JsonObject;
import java.text.ParseException;
import java.util.Set;

/**
 * Checks an externalAccountBinding (RFC 8555 7.3.4): a flattened JWS, HMAC-signed with the EAB
 * key named by its kid, over the new account's public key, for the newAccount URL. The only
 * place where an HMAC algorithm is accepted.
 */
final class ExternalAccountBinding {
    private static final Set<JWSAlgorithm> MAC = Set.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512);

    private ExternalAccountBinding() {
    }

    /** Returns the verified, still unbound EAB key. */
    static EabKey verify(JsonObject eab, JWK accountKey, String newAccountUrl, AcmeRepository store) {
        if (!eab.fieldNames().equals(Set.of("protected", "payload", "signature"))
                || !(eab.getValue("protected") instanceof String p) || !(eab.getValue("payload") instanceof String pl)
                || !(eab.getValue("signature") instanceof String s)) {
            throw new AcmeException(ProblemType.MALFORMED, "externalAccountBinding must be a flattened JWS");
        }
        JWSObject jws;
        try {
            jws = JWSObject.parse(p + "." + pl + "." + s);
        } catch (ParseException | RuntimeException e) {
            throw new AcmeException(ProblemType.MALFORMED, "externalAccountBinding is not a valid JWS");
        }
        if (!MAC.contains(jws.getHeader().getAlgorithm())) {
            throw new AcmeException(ProblemType.BAD_SIGNATURE_ALGORITHM, "externalAccountBinding must use HS256, HS384 or HS512");
        }
        String kid = jws.getHeader().getKeyID();
        if (kid == null || jws.getHeader().getCustomParam("nonce") != null || jws.getHeader().getJWK() != null) {
            throw new AcmeException(ProblemType.MALFORMED, "externalAccountBinding needs a kid and no nonce or jwk");
        }
        if (!newAccountUrl.equals(jws.getHeader().getCustomParam("url"))) {
            throw new AcmeException(ProblemType.UNAUTHORIZED, "externalAccountBinding's url is not the newAccount URL");
        }
        EabKey key = store.eabKey(kid).orElseThrow(() ->
                new AcmeException(ProblemType.UNAUTHORIZED, "the external account key is unknown"));
        try {
            if (!jws.verify(new MACVerifier(key.hmacKey()))) {
                throw new AcmeException(ProblemType.UNAUTHORIZED, "the externalAccountBinding signature does not verify");
            }
            JWK bound = JWK.parse(jws.getPayload().toString());
            if (!bound.computeThumbprint().equals(accountKey.computeThumbprint())) {
                throw new AcmeException(ProblemType.UNAUTHORIZED, "externalAccountBinding binds a different account key");
            }
        } catch (JOSEException | ParseException | RuntimeException e) {
            if (e instanceof AcmeException a) {
                throw a;
            }
            throw new AcmeException(ProblemType.MALFORMED, "externalAccountBinding cannot be checked");
        }
        if (key.accountId() != null) {
            throw new AcmeException(ProblemType.UNAUTHORIZED, "the external account key is already bound to an account");
        }
        return key;
    }
}
