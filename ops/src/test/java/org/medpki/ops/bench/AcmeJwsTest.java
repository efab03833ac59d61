package org.medpki.ops.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64URL;
import org.junit.jupiter.api.Test;

class AcmeJwsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JWSObject parse(String flattened) throws Exception {
        JsonNode body = JSON.readTree(flattened);
        assertThat(body.size()).isEqualTo(3);
        return new JWSObject(new Base64URL(body.get("protected").asText()), new Base64URL(body.get("payload").asText()),
                new Base64URL(body.get("signature").asText()));
    }

    @Test
    void newAccountRequestCarriesTheJwkAndVerifiesWithIt() throws Exception {
        AcmeJws key = AcmeJws.generate();
        JWSObject jws = parse(key.sign("https://ca.test/new-account", "n1", null, "{\"termsOfServiceAgreed\":true}"));

        assertThat(jws.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
        assertThat(jws.getHeader().getCustomParam("url")).isEqualTo("https://ca.test/new-account");
        assertThat(jws.getHeader().getCustomParam("nonce")).isEqualTo("n1");
        assertThat(jws.getHeader().getKeyID()).isNull();
        ECKey jwk = (ECKey) jws.getHeader().getJWK();
        assertThat(jwk.isPrivate()).isFalse();
        assertThat(jws.verify(new ECDSAVerifier(jwk))).isTrue();
        assertThat(jws.getPayload().toString()).isEqualTo("{\"termsOfServiceAgreed\":true}");
        assertThat(key.keyAuthorization("tok")).isEqualTo("tok." + jwk.computeThumbprint());
    }

    @Test
    void laterRequestsCarryTheKidAndAPostAsGetHasAnEmptyPayload() throws Exception {
        AcmeJws key = AcmeJws.generate();
        String body = key.sign("https://ca.test/authz/1", "n2", "https://ca.test/acct/7", "");

        assertThat(JSON.readTree(body).get("payload").asText()).isEmpty();
        JWSObject jws = parse(body);
        assertThat(jws.getHeader().getKeyID()).isEqualTo("https://ca.test/acct/7");
        assertThat(jws.getHeader().getJWK()).isNull();
        ECKey publicKey = ECKey.parse(parse(key.sign("u", "n", null, "")).getHeader().getJWK().toJSONObject());
        assertThat(jws.verify(new ECDSAVerifier(publicKey))).isTrue();
    }
}
