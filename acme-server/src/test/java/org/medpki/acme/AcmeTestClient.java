package org.medpki.acme;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A small ACME client for handler tests: ES256 account keys, flattened JWS bodies signed with
 * nimbus-jose-jwt, the Replay-Nonce of each answer kept for the next request. It trusts only the
 * test server's certificate. Deliberately thin: tests choose every URL, payload and nonce.
 */
final class AcmeTestClient {
    /** An answer; {@code json()} parses the body. */
    record Response(int status, java.net.http.HttpHeaders headers, String body) {
        JsonObject json() {
            return new JsonObject(body);
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        /** The problem type's last part (badNonce), for a problem document. */
        String problem() {
            return json().getString("type").substring("urn:ietf:params:acme:error:".length());
        }
    }

    /** An account key and, once created, its URL (the kid). */
    record Account(ECKey key, String url) {
    }

    private final HttpClient http;
    private final String base;
    private String nonce;

    AcmeTestClient(String base, X509Certificate trusted) {
        this.base = base;
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("acme", trusted);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, tmf.getTrustManagers(), null);
            http = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
        } catch (java.security.GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code path} below /acme, e.g. "/new-order". */
    String url(String path) {
        return base + path;
    }

    static ECKey newKey() {
        try {
            return new ECKeyGenerator(Curve.P_256).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    Response head(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).method("HEAD", HttpRequest.BodyPublishers.noBody()));
    }

    Response get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET());
    }

    /** A nonce from newNonce. */
    String freshNonce() {
        return head(url("/new-nonce")).header("Replay-Nonce");
    }

    /** Creates an account with a new key (no EAB); the answer must be 201. */
    Account newAccount() {
        ECKey key = newKey();
        Response r = post(url("/new-account"), "{\"termsOfServiceAgreed\":true}", key, null);
        if (r.status() != 201) {
            throw new AssertionError("newAccount answered " + r.status() + ": " + r.body());
        }
        return new Account(key, r.header("Location"));
    }

    /** POST signed by {@code account} (kid); {@code payload} null means POST-as-GET. */
    Response post(String url, String payload, Account account) {
        return post(url, payload, account.key(), account.url());
    }

    /** POST signed by {@code key}, with {@code kid} or (null) the key as jwk, and the last nonce seen. */
    Response post(String url, String payload, ECKey key, String kid) {
        String n = nonce != null ? nonce : freshNonce();
        nonce = null;
        return postWithNonce(url, payload, key, kid, n);
    }

    Response postWithNonce(String url, String payload, ECKey key, String kid, String withNonce) {
        return raw(url, jws(url, payload, key, kid, withNonce), "application/jose+json");
    }

    /** A POST with any body; a Replay-Nonce in the answer is kept. */
    Response raw(String url, String body, String contentType) {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** The flattened JWS JSON of {@code payload} (null: empty, POST-as-GET) for {@code url}. */
    static String jws(String url, String payload, ECKey key, String kid, String nonce) {
        JWSHeader.Builder header = new JWSHeader.Builder(JWSAlgorithm.ES256).customParam("nonce", nonce)
                .customParam("url", url);
        if (kid != null) {
            header.keyID(kid);
        } else {
            header.jwk(key.toPublicJWK());
        }
        JWSObject o = new JWSObject(header.build(), new Payload(payload == null ? "" : payload));
        try {
            o.sign(new ECDSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return flattened(o);
    }

    /** An externalAccountBinding over {@code accountKey}, HMAC-signed with {@code hmacKey} under {@code kid}. */
    static String eab(String newAccountUrl, String kid, byte[] hmacKey, ECKey accountKey) {
        JWSObject o = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(kid)
                .customParam("url", newAccountUrl).build(), new Payload(accountKey.toPublicJWK().toJSONString()));
        try {
            o.sign(new MACSigner(hmacKey));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return flattened(o);
    }

    private static String flattened(JWSObject o) {
        String[] parts = o.serialize().split("\\.", -1);
        return new JsonObject().put("protected", parts[0]).put("payload", parts[1]).put("signature", parts[2]).encode();
    }

    private Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            r.headers().firstValue("Replay-Nonce").ifPresent(n -> nonce = n);
            return new Response(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A new order of {@code account} for the DNS {@code names} (201 asserted), with its URL as "url". */
    JsonObject newOrder(Account account, String... names) {
        io.vertx.core.json.JsonArray ids = new io.vertx.core.json.JsonArray();
        for (String n : names) {
            ids.add(new JsonObject().put("type", "dns").put("value", n));
        }
        Response created = post(url("/new-order"), new JsonObject().put("identifiers", ids).encode(), account);
        if (created.status() != 201) {
            throw new AssertionError("newOrder answered " + created.status() + ": " + created.body());
        }
        return created.json().put("url", created.header("Location"));
    }

    /** The challenge of {@code type} in an authorization object. */
    static JsonObject challenge(JsonObject authz, String type) {
        return authz.getJsonArray("challenges").stream().map(JsonObject.class::cast)
                .filter(c -> c.getString("type").equals(type)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " challenge in " + authz.encode()));
    }

    /** The finalize payload: a CSR for a new EC key naming exactly {@code names}. */
    static String finalizePayload(String... names) {
        try {
            var key = InMemoryCertificateAuthority.ecKey();
            var extensions = new org.bouncycastle.asn1.x509.ExtensionsGenerator();
            extensions.addExtension(org.bouncycastle.asn1.x509.Extension.subjectAlternativeName, false,
                    new org.bouncycastle.asn1.x509.GeneralNames(java.util.Arrays.stream(names)
                            .map(n -> new org.bouncycastle.asn1.x509.GeneralName(
                                    org.bouncycastle.asn1.x509.GeneralName.dNSName, n))
                            .toArray(org.bouncycastle.asn1.x509.GeneralName[]::new)));
            byte[] der = new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder(
                    new org.bouncycastle.asn1.x500.X500Name("CN=" + names[0].replace("*.", "")), key.getPublic())
                    .addAttribute(org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.pkcs_9_at_extensionRequest,
                            extensions.generate())
                    .build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA")
                            .build(key.getPrivate())).getEncoded();
            return new JsonObject().put("csr", com.nimbusds.jose.util.Base64URL.encode(der).toString()).encode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
