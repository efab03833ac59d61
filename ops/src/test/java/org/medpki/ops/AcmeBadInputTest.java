package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and malformed ACME requests against a real 'pki up': each gets the RFC 8555 problem
 * type it deserves (never a 500 or a stack trace), and a refused CSR leaves the order usable.
 */
class AcmeBadInputTest {
    private static final String ERR = "urn:ietf:params:acme:error:";

    @TempDir
    static Path tmp;
    static AcmeLab lab;
    static HttpServer http01;
    static final Map<String, String> TOKENS = new ConcurrentHashMap<>();

    @BeforeAll
    static void up() throws Exception {
        lab = new AcmeLab(tmp, Map.of(), "csr.hospital.test", "eab-ok.hospital.test", "169.254.169.254 denied.hospital.test");
        http01 = HttpServer.create(new InetSocketAddress("127.0.0.1", lab.http01Port), 10);
        http01.createContext("/.well-known/acme-challenge/", exchange -> {
            String token = exchange.getRequestURI().getPath().substring("/.well-known/acme-challenge/".length());
            String answer = TOKENS.get(token);
            byte[] body = (answer == null ? "" : answer).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(answer == null ? 404 : 200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        http01.start();
    }

    @AfterAll
    static void down() throws Exception {
        if (http01 != null) {
            http01.stop(0);
        }
        if (lab != null) {
            lab.close();
        }
    }

    private static void assertProblem(AcmeTestClient.Reply r, String type, int status) throws Exception {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
        assertThat(r.problemType()).as(r.toString()).isEqualTo(ERR + type);
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(r.header("Replay-Nonce")).as("a fresh nonce on every problem").isNotBlank();
    }

    @Test
    void directoryListsResourcesAndMeta() throws Exception {
        AcmeTestClient c = new AcmeTestClient(lab);
        assertThat(c.directory.get("meta").get("externalAccountRequired").asBoolean()).isFalse();
        assertThat(c.directory.get("meta").get("caaIdentities").toString()).contains("acme.hospital.test");
        for (String r : new String[] {"newNonce", "newAccount", "newOrder", "revokeCert", "keyChange"}) {
            assertThat(c.url(r)).startsWith("https://acme.hospital.test:" + lab.acmePort + "/acme/");
        }
        PkiProcess.Result status = lab.pki.run("status", "--json");
        assertThat(status.exit()).as(status.toString()).isZero();
        assertThat(status.out()).contains("\"name\":\"acme\"").contains(lab.directory());
    }

    @Test
    void replayedNonceIsRefusedWithAFreshNonce() throws Exception {
        AcmeTestClient c = new AcmeTestClient(lab);
        String nonce = c.nonce();
        String body = c.jws(c.url("newAccount"), "{\"termsOfServiceAgreed\":true}", nonce);
        assertThat(c.raw(c.url("newAccount"), body, "application/jose+json").status()).isEqualTo(201);
        AcmeTestClient.Reply replay = c.raw(c.url("newAccount"), body, "application/jose+json");
        assertProblem(replay, "badNonce", 400);
        assertThat(replay.header("Replay-Nonce")).isNotEqualTo(nonce);
    }

    @Test
    void unknownNonceIsBadNonce() throws Exception {
        AcmeTestClient c = new AcmeTestClient(lab);
        assertProblem(c.raw(c.url("newAccount"), c.jws(c.url("newAccount"), "{}", "bm9wZQ"), "application/jose+json"),
                "badNonce", 400);
    }

    @Test
    void wrongUrlIsUnauthorized() throws Exception {
        AcmeTestClient c = new AcmeTestClient(lab);
        assertProblem(c.raw(c.url("newAccount"), c.jws(c.url("newOrder"), "{}", c.nonce()), "application/jose+json"),
                "unauthorized", 403);
    }

    @Test
    void unknownKidIsAccountDoesNotExist() throws Exception {
        AcmeTestClient c = new AcmeTestClient(lab);
        c.kid = "https://acme.hospital.test:" + lab.acmePort + "/acme/account/nobody";
        assertProblem(c.post(c.url("newOrder"), "{\"identifiers\":[{\"type\":\"dns\",\"value\":\"x.hospital.test\"}]}"),
                "accountDoesNotExist", 400);
    }

    @Test
    void badSignatureIsMalformed() throws Exception {
        AcmeTestClient c = new AcmeTestClient(lab);
        JsonNode good = AcmeTestClient.JSON.readTree(c.jws(c.url("newAccount"), "{}", c.nonce()));
        byte[] sig = Base64URL.from(good.get("signature").asText()).decode();
        sig[5] ^= 0x40;
        String bad = AcmeTestClient.flattened(good.get("protected").asText(), good.get("payload").asText(),
                Base64URL.encode(sig).toString());
        assertProblem(c.raw(c.url("newAccount"), bad, "application/jose+json"), "malformed", 400);
    }

    @Test
    void algNoneIsBadSignatureAlgorithm() throws Exception {
        AcmeTestClient c = new AcmeTestClient(lab);
        String prot = Base64URL.encode("{\"alg\":\"none\",\"url\":\"" + c.url("newAccount") + "\",\"nonce\":\""
                + c.nonce() + "\",\"jwk\":" + c.key.toPublicJWK().toJSONString() + "}").toString();
        String body = AcmeTestClient.flattened(prot, Base64URL.encode("{}").toString(), "AAAA");
        assertProblem(c.raw(c.url("newAccount"), body, "application/jose+json"), "badSignatureAlgorithm", 400);
        String hmac = Base64URL.encode("{\"alg\":\"HS256\",\"url\":\"" + c.url("newAccount") + "\",\"nonce\":\""
                + c.nonce() + "\",\"jwk\":" + c.key.toPublicJWK().toJSONString() + "}").toString();
        assertProblem(c.raw(c.url("newAccount"), AcmeTestClient.flattened(hmac, Base64URL.encode("{}").toString(), "AAAA"),
                "application/jose+json"), "badSignatureAlgorithm", 400);
    }

    @Test
    void jwkAndKidTogetherAreMalformed() throws Exception {
        AcmeTestClient c = new AcmeTestClient(lab);
        JWSHeader h = new JWSHeader.Builder(JWSAlgorithm.ES256).jwk(c.key.toPublicJWK()).keyID("https://x/acme/account/1")
                .customParam("url", c.url("newAccount")).customParam("nonce", c.nonce()).build();
        assertProblem(c.raw(c.url("newAccount"), AcmeTestClient.sign(h, "{}", c.key), "application/jose+json"),
                "malformed", 400);
    }

    @Test
    void oversizedBodyIsMalformed() throws Exception {
        AcmeTestClient c = new AcmeTestClient(lab);
        String big = "{\"contact\":[\"mailto:" + "a".repeat(100_000) + "@hospital.test\"]}";
        AcmeTestClient.Reply r = c.raw(c.url("newAccount"), c.jws(c.url("newAccount"), big, c.nonce()),
                "application/jose+json");
        assertProblem(r, "malformed", 400);
        assertThat(r.body()).contains("too large");
    }

    @Test
    void wrongContentTypeIsMalformed() throws Exception {
        AcmeTestClient c = new AcmeTestClient(lab);
        AcmeTestClient.Reply r = c.raw(c.url("newAccount"), c.jws(c.url("newAccount"), "{}", c.nonce()),
                "application/json");
        assertProblem(r, "malformed", 400);
        assertThat(r.body()).contains("application/jose+json");
    }

    @Test
    void generalJsonSerialisationIsMalformed() throws Exception {
        AcmeTestClient c = new AcmeTestClient(lab);
        JsonNode good = AcmeTestClient.JSON.readTree(c.jws(c.url("newAccount"), "{}", c.nonce()));
        String general = "{\"payload\":\"" + good.get("payload").asText() + "\",\"signatures\":[{\"protected\":\""
                + good.get("protected").asText() + "\",\"signature\":\"" + good.get("signature").asText() + "\"}]}";
        assertProblem(c.raw(c.url("newAccount"), general, "application/jose+json"), "malformed", 400);
    }

    @Test
    void badCsrsAreRefusedAndTheOrderStaysReady() throws Exception {
        AcmeTestClient c = new AcmeTestClient(lab);
        assertThat(c.register(null, null).status()).isEqualTo(201);
        JsonNode order = readyOrder(c, "csr.hospital.test");
        String finalize = order.get("finalize").asText();

        // The CSR's signature does not match its key.
        byte[] good = der(Csrs.openssl(tmp, "good", "ec:P-256", "/O=Hospital", "DNS:csr.hospital.test"));
        byte[] broken = good.clone();
        broken[broken.length - 3] ^= 0x01;
        assertProblem(c.post(finalize, csrPayload(broken)), "badCSR", 400);
        // Names that differ from the order.
        assertProblem(c.post(finalize, csrPayload(der(Csrs.openssl(tmp, "other", "ec:P-256", "/O=Hospital",
                "DNS:csr.hospital.test,DNS:extra.hospital.test")))), "badCSR", 400);
        // A weak key.
        assertProblem(c.post(finalize, csrPayload(der(Csrs.openssl(tmp, "weak", "rsa:1024", "/O=Hospital",
                "DNS:csr.hospital.test")))), "badPublicKey", 400);
        // A CSR sent before the order is ready would be orderNotReady; this one is ready, so the
        // good CSR now gets the certificate.
        AcmeTestClient.Reply done = c.post(finalize, csrPayload(good));
        assertThat(done.status()).as(done.toString()).isEqualTo(200);
        assertThat(done.json().get("status").asText()).isEqualTo("valid");
        AcmeTestClient.Reply cert = c.post(done.json().get("certificate").asText(), "");
        assertThat(cert.status()).isEqualTo(200);
        assertThat(cert.header("Content-Type")).isEqualTo("application/pem-certificate-chain");
        Path chain = tmp.resolve("csr-chain.pem");
        Files.writeString(chain, cert.body());
        assertThat(lab.verify(chain, tmp).exit()).isZero();
        // Finalizing a valid order again is orderNotReady.
        assertProblem(c.post(finalize, csrPayload(good)), "orderNotReady", 403);

        // ARI (RFC 9773): a renewal window inside the certificate's life, and replaces in a new order.
        X509Certificate leaf = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(cert.body().getBytes(StandardCharsets.US_ASCII)));
        byte[] aki = AuthorityKeyIdentifier.getInstance(ASN1OctetString.getInstance(
                leaf.getExtensionValue("2.5.29.35")).getOctets()).getKeyIdentifierOctets();
        String certId = Base64URL.encode(aki) + "." + Base64URL.encode(leaf.getSerialNumber().toByteArray());
        AcmeTestClient.Reply ari = c.get(c.url("renewalInfo") + "/" + certId);
        assertThat(ari.status()).as(ari.toString()).isEqualTo(200);
        assertThat(ari.header("Retry-After")).isNotBlank();
        Instant start = Instant.parse(ari.json().get("suggestedWindow").get("start").asText());
        assertThat(start).isAfter(leaf.getNotBefore().toInstant()).isBefore(leaf.getNotAfter().toInstant());
        AcmeTestClient.Reply renewal = c.post(c.url("newOrder"), "{\"identifiers\":[{\"type\":\"dns\",\"value\":"
                + "\"csr.hospital.test\"}],\"replaces\":\"" + certId + "\"}");
        assertThat(renewal.status()).as(renewal.toString()).isEqualTo(201);
        assertThat(renewal.json().get("replaces").asText()).isEqualTo(certId);

        // Revocation: not by a stranger; by the ordering account once; then alreadyRevoked.
        String revoke = "{\"certificate\":\"" + Base64URL.encode(leaf.getEncoded()) + "\",\"reason\":1}";
        AcmeTestClient stranger = new AcmeTestClient(lab);
        stranger.register(null, null);
        assertProblem(stranger.post(stranger.url("revokeCert"), revoke), "unauthorized", 403);
        assertProblem(c.post(c.url("revokeCert"), "{\"certificate\":\"" + Base64URL.encode(leaf.getEncoded())
                + "\",\"reason\":7}"), "badRevocationReason", 400);
        assertThat(c.post(c.url("revokeCert"), revoke).status()).isEqualTo(200);
        assertProblem(c.post(c.url("revokeCert"), revoke), "alreadyRevoked", 400);
        assertThat(lab.show(leaf.getSerialNumber().toString(16)).toString()).contains("\"status\":\"revoked\"");
        Instant end = Instant.parse(c.get(c.url("renewalInfo") + "/" + certId).json().get("suggestedWindow").get("end").asText());
        assertThat(end).as("a revoked certificate is due now").isBefore(Instant.now());
    }

    @Test
    void identifiersOutsideTheProfileOrTheEabPatternsAreRejected() throws Exception {
        PkiProcess.Result eab = lab.pki.run("eab", "new", "--names", "eab-ok.hospital.test", "--json");
        assertThat(eab.exit()).as(eab.toString()).isZero();
        JsonNode key = AcmeTestClient.JSON.readTree(eab.out());
        AcmeTestClient c = new AcmeTestClient(lab);
        assertThat(c.register(key.get("kid").asText(), key.get("hmacKey").asText()).status()).isEqualTo(201);

        AcmeTestClient.Reply outside = c.post(c.url("newOrder"), identifiers("other.hospital.test"));
        assertProblem(outside, "rejectedIdentifier", 400);
        assertThat(outside.json().get("subproblems").get(0).get("identifier").get("value").asText())
                .isEqualTo("other.hospital.test");
        // A wildcard where the key allows only one exact name.
        assertProblem(c.post(c.url("newOrder"), identifiers("*.eab-ok.hospital.test")), "rejectedIdentifier", 400);
        // Outside what the tls-server profile allows at all.
        assertProblem(c.post(c.url("newOrder"), identifiers("www.example.org")), "rejectedIdentifier", 400);
        // Inside: accepted.
        assertThat(c.post(c.url("newOrder"), identifiers("eab-ok.hospital.test")).status()).isEqualTo(201);

        // The EAB key is used up: a second account cannot bind it.
        AcmeTestClient again = new AcmeTestClient(lab);
        assertProblem(again.register(key.get("kid").asText(), key.get("hmacKey").asText()), "unauthorized", 403);
    }

    @Test
    void validationTargetInADeniedRangeFailsWithoutConnecting() throws Exception {
        AcmeTestClient c = new AcmeTestClient(lab);
        c.register(null, null);
        AcmeTestClient.Reply order = c.post(c.url("newOrder"), identifiers("denied.hospital.test"));
        assertThat(order.status()).isEqualTo(201);
        JsonNode authz = c.post(order.json().get("authorizations").get(0).asText(), "").json();
        JsonNode challenge = challenge(authz, "http-01");
        AcmeTestClient.Reply answered = c.post(challenge.get("url").asText(), "{}");
        assertThat(answered.json().get("status").asText()).isEqualTo("invalid");
        assertThat(answered.json().get("error").get("type").asText()).isEqualTo(ERR + "connection");
        assertThat(answered.json().get("error").get("detail").asText()).contains("denied range");
        JsonNode after = c.post(order.header("Location"), "").json();
        assertThat(after.get("status").asText()).isEqualTo("invalid");
    }

    @Test
    void caaNamingAnotherCaForbidsIssuance() throws Exception {
        lab.dns.caa("caa.hospital.test", "other-ca.example");
        AcmeTestClient c = new AcmeTestClient(lab);
        c.register(null, null);
        AcmeTestClient.Reply order = c.post(c.url("newOrder"), identifiers("caa.hospital.test"));
        JsonNode authz = c.post(order.json().get("authorizations").get(0).asText(), "").json();
        AcmeTestClient.Reply answered = c.post(challenge(authz, "dns-01").get("url").asText(), "{}");
        assertThat(answered.json().get("status").asText()).isEqualTo("invalid");
        assertThat(answered.json().get("error").get("type").asText()).isEqualTo(ERR + "caa");
    }

    /**
     * dns-persist-01 through a real 'pki up' (the ACME service's own database role, the CA over the
     * CA API): a standing record for this account with policy=wildcard validates a name and its
     * wildcard and the certificate verifies; another account's record is unauthorized.
     */
    @Test
    void dnsPersist01ValidatesAWildcardByAStandingRecordAndRefusesAnotherAccountsRecord() throws Exception {
        AcmeTestClient c = new AcmeTestClient(lab);
        c.register(null, null);
        AcmeTestClient other = new AcmeTestClient(lab);
        other.register(null, null);
        Files.writeString(lab.txtDir.resolve("_validation-persist.persist.hospital.test"),
                AcmeLab.ACME_HOST + "; accounturi=" + c.kid + "; policy=wildcard\n");
        Files.writeString(lab.txtDir.resolve("_validation-persist.foreign.hospital.test"),
                AcmeLab.ACME_HOST + "; accounturi=" + other.kid + "\n");

        AcmeTestClient.Reply order = c.post(c.url("newOrder"), identifiers("persist.hospital.test",
                "*.persist.hospital.test"));
        assertThat(order.status()).as(order.toString()).isEqualTo(201);
        for (JsonNode url : order.json().get("authorizations")) {
            JsonNode persist = challenge(c.post(url.asText(), "").json(), "dns-persist-01");
            assertThat(persist.get("issuer-domain-names").get(0).asText()).isEqualTo(AcmeLab.ACME_HOST);
            assertThat(persist.get("accounturi").asText()).isEqualTo(c.kid);
            AcmeTestClient.Reply answered = c.post(persist.get("url").asText(), "{}");
            assertThat(answered.json().get("status").asText()).as(answered.toString()).isEqualTo("valid");
        }
        JsonNode ready = c.post(order.header("Location"), "").json();
        assertThat(ready.get("status").asText()).isEqualTo("ready");
        AcmeTestClient.Reply done = c.post(ready.get("finalize").asText(), csrPayload(der(Csrs.openssl(tmp, "persist",
                "ec:P-256", "/O=Hospital", "DNS:persist.hospital.test,DNS:*.persist.hospital.test"))));
        assertThat(done.json().get("status").asText()).as(done.toString()).isEqualTo("valid");
        Path chain = tmp.resolve("persist-chain.pem");
        Files.writeString(chain, c.post(done.json().get("certificate").asText(), "").body());
        assertThat(lab.verify(chain, tmp).exit()).isZero();

        AcmeTestClient.Reply foreign = c.post(c.url("newOrder"), identifiers("foreign.hospital.test"));
        JsonNode persist = challenge(c.post(foreign.json().get("authorizations").get(0).asText(), "").json(),
                "dns-persist-01");
        AcmeTestClient.Reply refused = c.post(persist.get("url").asText(), "{}");
        assertThat(refused.json().get("status").asText()).isEqualTo("invalid");
        assertThat(refused.json().get("error").get("type").asText()).isEqualTo(ERR + "unauthorized");
        assertThat(refused.json().get("error").get("detail").asText()).contains("another ACME account");
    }

    @Test
    void keyRolloverMovesTheAccountToTheNewKey() throws Exception {
        AcmeTestClient c = new AcmeTestClient(lab);
        c.register(null, null);
        ECKey next = new ECKeyGenerator(Curve.P_256).generate();
        String url = c.url("keyChange");
        String inner = AcmeTestClient.sign(new JWSHeader.Builder(JWSAlgorithm.ES256).jwk(next.toPublicJWK())
                .customParam("url", url).build(), "{\"account\":\"" + c.kid + "\",\"oldKey\":"
                + c.key.toPublicJWK().toJSONString() + "}", next);
        AcmeTestClient.Reply changed = c.post(url, inner);
        assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
        // The old key no longer signs for the account.
        assertProblem(c.post(c.kid, ""), "malformed", 400);
    }

    private static JsonNode readyOrder(AcmeTestClient c, String name) throws Exception {
        AcmeTestClient.Reply order = c.post(c.url("newOrder"), identifiers(name));
        assertThat(order.status()).as(order.toString()).isEqualTo(201);
        JsonNode authz = c.post(order.json().get("authorizations").get(0).asText(), "").json();
        JsonNode challenge = challenge(authz, "http-01");
        TOKENS.put(challenge.get("token").asText(), c.keyAuthorization(challenge.get("token").asText()));
        AcmeTestClient.Reply answered = c.post(challenge.get("url").asText(), "{}");
        assertThat(answered.json().get("status").asText()).as(answered.toString()).isEqualTo("valid");
        assertThat(answered.headers().allValues("Link")).anyMatch(l -> l.contains("rel=\"up\""));
        JsonNode ready = c.post(order.header("Location"), "").json();
        assertThat(ready.get("status").asText()).isEqualTo("ready");
        return ready;
    }

    private static JsonNode challenge(JsonNode authz, String type) {
        for (JsonNode ch : authz.get("challenges")) {
            if (ch.get("type").asText().equals(type)) {
                return ch;
            }
        }
        throw new AssertionError("no " + type + " challenge in " + authz);
    }

    private static String identifiers(String... names) {
        StringBuilder b = new StringBuilder("{\"identifiers\":[");
        for (int i = 0; i < names.length; i++) {
            b.append(i == 0 ? "" : ",").append("{\"type\":\"dns\",\"value\":\"").append(names[i]).append("\"}");
        }
        return b.append("]}").toString();
    }

    private static String csrPayload(byte[] der) {
        return "{\"csr\":\"" + Base64URL.encode(der) + "\"}";
    }

    private static byte[] der(Path pem) throws Exception {
        return Base64.getMimeDecoder().decode(Files.readString(pem).replaceAll("-----[A-Z ]+-----", ""));
    }
}
