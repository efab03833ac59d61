package org.medpki.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A small ACME client for the bad-input tests: it builds flattened JWS requests with Nimbus and
 * lets a test break any one rule (nonce, url, kid, alg, signature, body size, content type).
 */
final class AcmeTestClient {
    static final ObjectMapper JSON = new ObjectMapper();
    private final AcmeLab lab;
    private final HttpClient http;
    final ECKey key;
    final JsonNode directory;
    String kid;

    record Reply(int status, java.net.http.HttpHeaders headers, String body) {
        JsonNode json() throws Exception {
            return JSON.readTree(body);
        }

        String problemType() throws Exception {
            return json().path("type").asText();
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        @Override
        public String toString() {
            return status + " " + headers.map() + "\n" + body;
        }
    }

    AcmeTestClient(AcmeLab lab) throws Exception {
        this.lab = lab;
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("root", CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(lab.root()))));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        http = HttpClient.newBuilder().sslContext(tls)
                .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", lab.proxy.port()))).build();
        key = new ECKeyGenerator(Curve.P_256).generate();
        directory = JSON.readTree(get(lab.directory()).body());
    }

    String url(String name) {
        return directory.get(name).asText();
    }

    Reply get(String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.headers(), r.body());
    }

    String nonce() throws Exception {
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url("newNonce")))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        return r.headers().firstValue("Replay-Nonce").orElseThrow();
    }

    /** Raw POST with any body and content type. */
    Reply raw(String url, String body, String contentType) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.headers(), r.body());
    }

    /** A well-formed JWS body: signed by {@code key}, kid if set (else jwk). */
    String jws(String url, String payload, String nonce) throws Exception {
        JWSHeader.Builder h = new JWSHeader.Builder(JWSAlgorithm.ES256).customParam("url", url).customParam("nonce", nonce);
        if (kid != null) {
            h.keyID(kid);
        } else {
            h.jwk(key.toPublicJWK());
        }
        return sign(h.build(), payload, key);
    }

    static String sign(JWSHeader header, String payload, ECKey signer) throws Exception {
        JWSObject o = new JWSObject(header, new Payload(payload));
        o.sign(new ECDSASigner(signer));
        return flattened(o.getHeader().toBase64URL().toString(), Base64URL.encode(payload).toString(),
                o.getSignature().toString());
    }

    static String flattened(String prot, String payload, String signature) throws Exception {
        return JSON.writeValueAsString(Map.of("protected", prot, "payload", payload, "signature", signature));
    }

    Reply post(String url, String payload) throws Exception {
        return raw(url, jws(url, payload, nonce()), "application/jose+json");
    }

    /** Registers (optionally with EAB) and remembers the account URL as kid. */
    Reply register(String eabKid, String eabHmac) throws Exception {
        String url = url("newAccount");
        String payload = "{\"termsOfServiceAgreed\":true,\"contact\":[\"mailto:ops@hospital.test\"]}";
        if (eabKid != null) {
            JWSObject eab = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(eabKid)
                    .customParam("url", url).build(), new Payload(key.toPublicJWK().toJSONString()));
            eab.sign(new MACSigner(Base64URL.from(eabHmac).decode()));
            payload = "{\"termsOfServiceAgreed\":true,\"externalAccountBinding\":" + flattened(
                    eab.getHeader().toBase64URL().toString(), eab.getPayload().toBase64URL().toString(),
                    eab.getSignature().toString()) + "}";
        }
        Reply r = post(url, payload);
        if (r.status() == 201 || r.status() == 200) {
            kid = r.header("Location");
        }
        return r;
    }

    String keyAuthorization(String token) throws Exception {
        return token + "." + key.computeThumbprint();
    }

}
