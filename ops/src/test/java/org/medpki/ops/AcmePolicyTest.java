package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.util.Base64URL;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ACME policy against a real 'pki up' (see AcmeEabExpiryTest for the EAB-required and short-lifetime
 * installation): the per-account order limit, authorization reuse, IP identifiers (RFC 8738) and
 * the audit entries of refusals at the JWS layer, and ACME profiles (draft-ietf-acme-profiles):
 * each profile ACME offers, issued and checked. The lab's ACME profile is tls-lab, the shipped
 * tls-server profile plus loopback addresses, so that an IP certificate can be validated on this
 * host; the shipped profile itself stays as it is (private ranges only).
 */
class AcmePolicyTest {
    static final String ERR = "urn:ietf:params:acme:error:";
    static final int ORDERS_PER_ACCOUNT = 3;

    @TempDir
    static Path tmp;
    static AcmeLab lab;
    static final Map<String, String> TOKENS = new ConcurrentHashMap<>();

    @BeforeAll
    static void up() throws Exception {
        lab = new AcmeLab(tmp, Map.of(), Map.of("acme.yaml", "profile: tls-lab\nordersPerAccountPerHour: "
                + ORDERS_PER_ACCOUNT + "\n", "profiles/tls-lab.yaml", labProfile()),
                "reuse.hospital.test", "limit.hospital.test", "short.hospital.test", "client.hospital.test",
                "node.hospital.test", "monitor-7.devices.hospital.test", "www.hospital.test");
    }

    @AfterAll
    static void down() throws Exception {
        if (lab != null) {
            lab.close();
        }
    }

    /** tls-server as shipped, renamed, with loopback addresses allowed as IP SANs. */
    static String labProfile() throws Exception {
        String shipped = Files.readString(TestEnvironment.policies().resolve("profiles/tls-server.yaml"));
        String lab = shipped.replace("name: tls-server", "name: tls-lab")
                .replace("policyOid: 1.3.6.1.4.1.55555.1.1.1", "policyOid: 1.3.6.1.4.1.55555.1.1.99")
                .replace("ip: [10.0.0.0/8,", "ip: [127.0.0.0/8, 10.0.0.0/8,");
        assertThat(lab).as("the tls-server profile still has the lines this lab edits").contains("name: tls-lab")
                .contains("127.0.0.0/8");
        return lab;
    }

    @Test
    void theOrderOverThePerAccountLimitIsRateLimitedWithRetryAfterAndAudited() throws Exception {
        AcmeTestClient c = new AcmeTestClient(lab);
        assertThat(c.register(null, null).status()).isEqualTo(201);
        for (int i = 0; i < ORDERS_PER_ACCOUNT; i++) {
            AcmeTestClient.Reply ok = c.post(c.url("newOrder"), dns("limit.hospital.test"));
            assertThat(ok.status()).as(ok.toString()).isEqualTo(201);
        }
        AcmeTestClient.Reply over = c.post(c.url("newOrder"), dns("limit.hospital.test"));
        assertProblem(over, "rateLimited", 429);
        assertThat(over.header("Retry-After")).as("Retry-After in seconds").matches("[1-9][0-9]*");
        // Another account is not held back by this one's limit.
        AcmeTestClient other = new AcmeTestClient(lab);
        other.register(null, null);
        assertThat(other.post(other.url("newOrder"), dns("limit.hospital.test")).status()).isEqualTo(201);

        List<Map<String, String>> audited = audit("acme.order_rate_limited", c.kid);
        assertThat(audited).hasSize(1);
        assertThat(audited.getFirst().get("outcome")).isEqualTo("failure");
        assertThat(audited.getFirst().get("details")).contains("\"reason\":\"account\"")
                .contains(ERR + "rateLimited").contains("limit.hospital.test");
    }

    @Test
    void aValidAuthorizationIsReusedByItsAccountOnlyAndTheOrderIsReadyAtOnce() throws Exception {
        AcmeTestClient a = new AcmeTestClient(lab);
        a.register(null, null);
        AcmeTestClient.Reply first = a.post(a.url("newOrder"), dns("reuse.hospital.test"));
        assertThat(first.status()).isEqualTo(201);
        String authzUrl = first.json().get("authorizations").get(0).asText();
        try (var responder = Http01.start(lab.http01Port, TOKENS)) {
            validate(a, authzUrl, "http-01");
        }
        assertThat(a.post(first.header("Location"), "").json().get("status").asText()).isEqualTo("ready");

        AcmeTestClient.Reply second = a.post(a.url("newOrder"), dns("reuse.hospital.test"));
        assertThat(second.status()).as(second.toString()).isEqualTo(201);
        assertThat(second.header("Location")).isNotEqualTo(first.header("Location"));
        assertThat(second.json().get("authorizations")).hasSize(1);
        assertThat(second.json().get("authorizations").get(0).asText()).as("the same authorization").isEqualTo(authzUrl);
        assertThat(second.json().get("status").asText()).as("ready without a new validation").isEqualTo("ready");
        assertThat(a.post(authzUrl, "").json().get("status").asText()).isEqualTo("valid");
        // The reused authorization is good for issuance.
        Path csr = Csrs.openssl(tmp, "reuse", "ec:P-256", "/O=Hospital", "DNS:reuse.hospital.test");
        AcmeTestClient.Reply done = a.post(second.json().get("finalize").asText(), csrPayload(der(csr)));
        assertThat(done.status()).as(done.toString()).isEqualTo(200);
        assertThat(done.json().get("status").asText()).isEqualTo("valid");

        // Another account proves control itself: a new, pending authorization.
        AcmeTestClient b = new AcmeTestClient(lab);
        b.register(null, null);
        AcmeTestClient.Reply foreign = b.post(b.url("newOrder"), dns("reuse.hospital.test"));
        assertThat(foreign.status()).isEqualTo(201);
        String foreignAuthz = foreign.json().get("authorizations").get(0).asText();
        assertThat(foreignAuthz).isNotEqualTo(authzUrl);
        assertThat(foreign.json().get("status").asText()).isEqualTo("pending");
        assertThat(b.post(foreignAuthz, "").json().get("status").asText()).isEqualTo("pending");
        // And it cannot read the first account's authorization.
        assertProblem(b.post(authzUrl, ""), "unauthorized", 403);
    }

    @Test
    void anIpIdentifierIsValidatedOverHttp01AndIssuedWithAnIpAddressSan() throws Exception {
        // The shipped tls-server profile allows private ranges only: 127.0.0.1 is refused there.
        PkiProcess.Result eab = lab.pki.run("eab", "new", "--profile", "tls-server", "--names", "*.hospital.test", "--json");
        assertThat(eab.exit()).as(eab.toString()).isZero();
        JsonNode key = AcmeTestClient.JSON.readTree(eab.out());
        AcmeTestClient shipped = new AcmeTestClient(lab);
        assertThat(shipped.register(key.get("kid").asText(), key.get("hmacKey").asText()).status()).isEqualTo(201);
        AcmeTestClient.Reply refused = shipped.post(shipped.url("newOrder"), ip("127.0.0.1"));
        assertProblem(refused, "rejectedIdentifier", 400);
        JsonNode sub = refused.json().get("subproblems").get(0);
        assertThat(sub.get("identifier").get("type").asText()).isEqualTo("ip");
        assertThat(sub.get("identifier").get("value").asText()).isEqualTo("127.0.0.1");

        // The lab profile allows loopback: http-01 to 127.0.0.1 itself, no dns-01 (RFC 8738 section 7).
        AcmeTestClient c = new AcmeTestClient(lab);
        c.register(null, null);
        AcmeTestClient.Reply order = c.post(c.url("newOrder"), ip("127.0.0.1"));
        assertThat(order.status()).as(order.toString()).isEqualTo(201);
        String authzUrl = order.json().get("authorizations").get(0).asText();
        JsonNode authz = c.post(authzUrl, "").json();
        assertThat(authz.get("identifier").toString()).isEqualTo("{\"type\":\"ip\",\"value\":\"127.0.0.1\"}");
        List<String> types = new ArrayList<>();
        authz.get("challenges").forEach(ch -> types.add(ch.get("type").asText()));
        assertThat(types).contains("http-01").doesNotContain("dns-01");
        try (var responder = Http01.start(lab.http01Port, TOKENS)) {
            validate(c, authzUrl, "http-01");
        }
        JsonNode ready = c.post(order.header("Location"), "").json();
        assertThat(ready.get("status").asText()).isEqualTo("ready");
        Path csr = Csrs.openssl(tmp, "ip", "ec:P-256", "/O=Hospital", "IP:127.0.0.1");
        AcmeTestClient.Reply done = c.post(ready.get("finalize").asText(), csrPayload(der(csr)));
        assertThat(done.status()).as(done.toString()).isEqualTo(200);
        AcmeTestClient.Reply cert = c.post(done.json().get("certificate").asText(), "");
        assertThat(cert.status()).isEqualTo(200);
        Path chain = tmp.resolve("ip-chain.pem");
        Files.writeString(chain, cert.body());
        PkiProcess.Result san = PkiProcess.tool(Map.of(), "openssl", "x509", "-in", chain.toString(), "-noout",
                "-ext", "subjectAltName");
        assertThat(san.out()).contains("IP Address:127.0.0.1").doesNotContain("DNS:");
        PkiProcess.Result verified = lab.verify(chain, tmp);
        assertThat(verified.exit()).as(verified.toString()).isZero();
        assertThat(verified.out()).contains("OK");
    }

    /**
     * lego as packaged here (4.9, Go 1.19) predates its RFC 8738 support and sends an address as a
     * dns identifier: the server must refuse that with a reason a user can act on. A lego that
     * sends an ip identifier must get a certificate with the address as an iPAddress SAN.
     */
    @Test
    void legoAskingForAnAddressGetsACertificateOrAnActionableRefusal() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("lego-ip"));
        PkiProcess.Result run = AcmeLab.exec(new HashMap<>(lab.clientEnv()), dir, Duration.ofSeconds(120),
                List.of("lego", "--server", lab.directory(), "--accept-tos", "--email", "ops@hospital.test", "--path",
                        dir.resolve("lego").toString(), "--http", "--http.port", ":" + lab.http01Port,
                        "--domains", "127.0.0.1", "run"));
        if (run.exit() != 0) {
            assertThat(run.out() + run.err()).as(run.toString()).contains(ERR + "rejectedIdentifier")
                    .contains("DNS name '127.0.0.1'").contains("iPAddress SAN");
            return;
        }
        Path crt = dir.resolve("lego/certificates/127.0.0.1.crt");
        PkiProcess.Result san = PkiProcess.tool(Map.of(), "openssl", "x509", "-in", crt.toString(), "-noout",
                "-ext", "subjectAltName");
        assertThat(san.out()).contains("IP Address:127.0.0.1");
        assertThat(lab.verify(crt, dir).exit()).isZero();
    }

    @Test
    void refusalsAtTheJwsLayerAreAuditedWithoutKeyMaterial() throws Exception {
        AcmeTestClient c = new AcmeTestClient(lab);
        assertThat(c.register(null, null).status()).isEqualTo(201);

        // A bad signature on a kid request.
        JsonNode good = AcmeTestClient.JSON.readTree(c.jws(c.kid, "", c.nonce()));
        byte[] sig = Base64URL.from(good.get("signature").asText()).decode();
        sig[7] ^= 0x20;
        String forged = Base64URL.encode(sig).toString();
        assertProblem(c.raw(c.kid, AcmeTestClient.flattened(good.get("protected").asText(), "", forged),
                "application/jose+json"), "malformed", 400);

        // A kid no account has.
        AcmeTestClient stranger = new AcmeTestClient(lab);
        stranger.kid = "https://" + AcmeLab.ACME_HOST + ":" + lab.acmePort + "/acme/account/nobody" + System.nanoTime();
        assertProblem(stranger.post(stranger.url("newOrder"), dns("limit.hospital.test")), "accountDoesNotExist", 400);

        // alg none.
        String nonceForNone = c.nonce();
        String none = Base64URL.encode("{\"alg\":\"none\",\"url\":\"" + c.url("newAccount") + "\",\"nonce\":\""
                + nonceForNone + "\",\"jwk\":" + c.key.toPublicJWK().toJSONString() + "}").toString();
        assertProblem(c.raw(c.url("newAccount"), AcmeTestClient.flattened(none, Base64URL.encode("{}").toString(), "AAAA"),
                "application/jose+json"), "badSignatureAlgorithm", 400);

        // A replayed nonce: the same signed request twice.
        String nonce = c.nonce();
        String once = c.jws(c.kid, "", nonce);
        assertThat(c.raw(c.kid, once, "application/jose+json").status()).isEqualTo(200);
        assertProblem(c.raw(c.kid, once, "application/jose+json"), "badNonce", 400);

        List<Map<String, String>> refused = audit("acme.request_refused", null);
        assertThat(refused).anySatisfy(e -> assertThat(e.get("details")).contains("\"reason\":\"badSignature\"")
                .contains(c.kid).contains(ERR + "malformed"));
        assertThat(refused).anySatisfy(e -> assertThat(e.get("details")).contains("\"reason\":\"unknownKid\"")
                .contains(stranger.kid).contains(ERR + "accountDoesNotExist"));
        assertThat(refused).anySatisfy(e -> assertThat(e.get("details")).contains("\"reason\":\"algorithm\"")
                .contains("/acme/new-account").contains(ERR + "badSignatureAlgorithm"));
        assertThat(refused).anySatisfy(e -> assertThat(e.get("details")).contains("\"reason\":\"badNonce\"")
                .contains(c.kid).contains(ERR + "badNonce"));
        assertThat(refused).allSatisfy(e -> {
            assertThat(e.get("outcome")).isEqualTo("failure");
            assertThat(e.get("actor")).startsWith("acme-client:");
            assertThat(e.get("details")).doesNotContain(c.key.getX().toString()).doesNotContain(c.key.getY().toString())
                    .doesNotContain(forged).doesNotContain(good.get("signature").asText())
                    .doesNotContain(nonce).doesNotContain(nonceForNone);
        });
    }

    // ---- helpers shared with AcmeEabExpiryTest

    /** A test http-01 responder on the lab's validation port, answering from {@code tokens}. */
    record Http01(HttpServer server) implements AutoCloseable {
        static Http01 start(int port, Map<String, String> tokens) throws Exception {
            HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 10);
            s.createContext("/.well-known/acme-challenge/", exchange -> {
                String token = exchange.getRequestURI().getPath().substring("/.well-known/acme-challenge/".length());
                String answer = tokens.get(token);
                byte[] body = (answer == null ? "" : answer).getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(answer == null ? 404 : 200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            s.start();
            return new Http01(s);
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    @Test
    void theDirectoryListsTheAcmeProfilesAndUnknownOrForbiddenOnesAreRefusedAndAudited() throws Exception {
        JsonNode profiles = AcmeTestClient.JSON.readTree(new AcmeTestClient(lab).get(lab.directory()).body())
                .get("meta").get("profiles");
        List<String> names = new ArrayList<>();
        profiles.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactly("tls-lab", "tls-server", "tls-client", "shortlived", "atna-node",
                "sdc-participant");
        assertThat(profiles.get("shortlived").asText()).contains("RFC 9608");

        AcmeTestClient c = new AcmeTestClient(lab);
        c.register(null, null);
        assertProblem(c.post(c.url("newOrder"), withProfile(dns("short.hospital.test"), "\"vpn\"")),
                "invalidProfile", 400);
        assertProblem(c.post(c.url("newOrder"), withProfile(dns("short.hospital.test"), "\"udap-client\"")),
                "invalidProfile", 400);
        assertProblem(c.post(c.url("newOrder"), withProfile(dns("short.hospital.test"), "7")), "malformed", 400);
        // The profile decides the names: an SDC participant is named under devices.hospital.test.
        AcmeTestClient.Reply wrongName = c.post(c.url("newOrder"),
                withProfile(dns("www.hospital.test"), "\"sdc-participant\""));
        assertProblem(wrongName, "rejectedIdentifier", 400);
        assertThat(audit("acme.order_refused", null)).extracting(r -> r.get("details"))
                .anyMatch(d -> d.contains("INVALID_PROFILE")).anyMatch(d -> d.contains("REJECTED_IDENTIFIER"));

        // An account bound to an external account key uses exactly the key's profiles, the first by default.
        PkiProcess.Result eab = lab.pki.run("eab", "new", "--profile", "shortlived,tls-server", "--names",
                "*.hospital.test", "--json");
        assertThat(eab.exit()).as(eab.toString()).isZero();
        JsonNode key = AcmeTestClient.JSON.readTree(eab.out());
        AcmeTestClient bound = new AcmeTestClient(lab);
        assertThat(bound.register(key.get("kid").asText(), key.get("hmacKey").asText()).status()).isEqualTo(201);
        AcmeTestClient.Reply byDefault = bound.post(bound.url("newOrder"), dns("short.hospital.test"));
        assertThat(byDefault.status()).as(byDefault.toString()).isEqualTo(201);
        assertThat(byDefault.json().get("profile").asText()).isEqualTo("shortlived");
        assertProblem(bound.post(bound.url("newOrder"), withProfile(dns("short.hospital.test"), "\"atna-node\"")),
                "unauthorized", 403);
        // Neither account got a certificate.
        assertThat(audit("certificate.issued", "acme:" + c.kid)).isEmpty();
        assertThat(audit("certificate.issued", "acme:" + bound.kid)).isEmpty();
    }

    @Test
    void eachAcmeProfileIssuesWhatItsCpRowSaysAndOpensslAndPkixAcceptIt() throws Exception {
        record Case(String profile, String name, List<String> purposes, List<String> ekus) {
        }
        for (Case k : List.of(
                new Case("shortlived", "short.hospital.test", List.of("sslserver"), List.of("1.3.6.1.5.5.7.3.1")),
                new Case("tls-client", "client.hospital.test", List.of("sslclient"), List.of("1.3.6.1.5.5.7.3.2")),
                new Case("atna-node", "node.hospital.test", List.of("sslserver", "sslclient"),
                        List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2")),
                new Case("sdc-participant", "monitor-7.devices.hospital.test", List.of("sslserver", "sslclient"),
                        List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2", "1.2.840.10004.20701.1.1",
                                "1.2.840.10004.20701.1.2")))) {
            AcmeTestClient c = new AcmeTestClient(lab);
            c.register(null, null);
            AcmeTestClient.Reply order = c.post(c.url("newOrder"), withProfile(dns(k.name()), "\"" + k.profile() + "\""));
            assertThat(order.status()).as(order.toString()).isEqualTo(201);
            assertThat(order.json().get("profile").asText()).isEqualTo(k.profile());
            try (var responder = Http01.start(lab.http01Port, TOKENS)) {
                validate(c, order.json().get("authorizations").get(0).asText(), "http-01");
            }
            JsonNode ready = c.post(order.header("Location"), "").json();
            assertThat(ready.get("profile").asText()).isEqualTo(k.profile());
            Path csr = Csrs.openssl(tmp, k.profile(), "ec:P-256", "/O=Hospital", "DNS:" + k.name());
            AcmeTestClient.Reply done = c.post(ready.get("finalize").asText(), csrPayload(der(csr)));
            assertThat(done.status()).as(done.toString()).isEqualTo(200);
            Path chain = tmp.resolve(k.profile() + "-chain.pem");
            Files.writeString(chain, c.post(done.json().get("certificate").asText(), "").body());

            List<java.security.cert.X509Certificate> certs = certificates(chain);
            java.security.cert.X509Certificate leaf = certs.getFirst();
            assertThat(leaf.getExtendedKeyUsage()).as(k.profile()).containsExactlyElementsOf(k.ekus());
            pkix(certs);
            for (String purpose : k.purposes()) {
                PkiProcess.Result verified = lab.verify(chain, tmp, "-purpose", purpose);
                assertThat(verified.exit()).as(k.profile() + " " + purpose + ": " + verified).isZero();
            }
            Duration life = Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant());
            JsonNode window = c.get(lab.directory().replace("/directory", "/renewal-info/") + certId(leaf)).json()
                    .get("suggestedWindow");
            Duration toStart = Duration.between(leaf.getNotBefore().toInstant(),
                    java.time.Instant.parse(window.get("start").asText()));
            if (k.profile().equals("shortlived")) {
                assertThat(life).isLessThanOrEqualTo(Duration.ofDays(7));
                assertThat(leaf.getExtensionValue("2.5.29.31")).as("no CRL distribution point").isNull();
                assertThat(new String(leaf.getExtensionValue("1.3.6.1.5.5.7.1.1"), StandardCharsets.ISO_8859_1))
                        .as("no OCSP URL").doesNotContain("/ocsp");
                assertThat(leaf.getExtensionValue("2.5.29.56")).as("RFC 9608 noRevAvail").isNotNull();
                assertThat(leaf.getNonCriticalExtensionOIDs()).contains("2.5.29.56");
                assertThat(toStart).as("a short-lived certificate renews at half its life")
                        .isBetween(life.dividedBy(2).minusSeconds(2), life.dividedBy(2).plusSeconds(2));
            } else {
                assertThat(leaf.getExtensionValue("2.5.29.31")).as("a CRL distribution point").isNotNull();
                assertThat(leaf.getExtensionValue("2.5.29.56")).isNull();
                assertThat(toStart).as("renews at two thirds of its life")
                        .isBetween(life.multipliedBy(2).dividedBy(3).minusSeconds(2),
                                life.multipliedBy(2).dividedBy(3).plusSeconds(2));
            }
        }
    }

    static String withProfile(String orderPayload, String profileJson) {
        return orderPayload.substring(0, orderPayload.length() - 1) + ",\"profile\":" + profileJson + "}";
    }

    static List<java.security.cert.X509Certificate> certificates(Path pem) throws Exception {
        try (var in = Files.newInputStream(pem)) {
            return java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
                    .map(c -> (java.security.cert.X509Certificate) c).toList();
        }
    }

    /** The JDK's PKIX validator, anchored at the lab's root (revocation is checked by the OCSP and CRL tests). */
    static void pkix(List<java.security.cert.X509Certificate> chain) throws Exception {
        var factory = java.security.cert.CertificateFactory.getInstance("X.509");
        java.security.cert.X509Certificate root = certificates(lab.root()).getFirst();
        var path = factory.generateCertPath(chain.stream().filter(c -> !c.equals(root)).toList());
        var params = new java.security.cert.PKIXParameters(java.util.Set.of(new java.security.cert.TrustAnchor(root, null)));
        params.setRevocationEnabled(false);
        java.security.cert.CertPathValidator.getInstance("PKIX").validate(path, params);
    }

    /** RFC 9773 certificate id: base64url(AKI keyIdentifier) "." base64url(serial). */
    static String certId(java.security.cert.X509Certificate cert) {
        byte[] aki = org.bouncycastle.asn1.x509.AuthorityKeyIdentifier.getInstance(
                org.bouncycastle.asn1.ASN1OctetString.getInstance(cert.getExtensionValue("2.5.29.35")).getOctets())
                .getKeyIdentifierOctets();
        var url = Base64.getUrlEncoder().withoutPadding();
        return url.encodeToString(aki) + "." + url.encodeToString(cert.getSerialNumber().toByteArray());
    }

    /** Publishes the key authorization of the authorization's challenge of this type and answers it. */
    static JsonNode validate(AcmeTestClient c, String authzUrl, String type) throws Exception {
        JsonNode challenge = challenge(c.post(authzUrl, "").json(), type);
        TOKENS.put(challenge.get("token").asText(), c.keyAuthorization(challenge.get("token").asText()));
        AcmeTestClient.Reply answered = c.post(challenge.get("url").asText(), "{}");
        assertThat(answered.status()).as(answered.toString()).isEqualTo(200);
        assertThat(answered.json().get("status").asText()).as(answered.toString()).isEqualTo("valid");
        return answered.json();
    }

    static JsonNode challenge(JsonNode authz, String type) {
        for (JsonNode ch : authz.get("challenges")) {
            if (ch.get("type").asText().equals(type)) {
                return ch;
            }
        }
        throw new AssertionError("no " + type + " challenge in " + authz);
    }

    static void assertProblem(AcmeTestClient.Reply r, String type, int status) throws Exception {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
        assertThat(r.problemType()).as(r.toString()).isEqualTo(ERR + type);
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    /** Audit entries of a type (and actor, if given), oldest first: actor, outcome, details. */
    static List<Map<String, String>> audit(AcmeLab lab, String type, String actor) throws Exception {
        List<Map<String, String>> rows = new ArrayList<>();
        try (Connection db = TestEnvironment.connect(lab.pki.env().get("PKI_DATABASE_URL"));
             PreparedStatement s = db.prepareStatement("SELECT actor, outcome, details FROM audit_event "
                     + "WHERE type = ? AND (? IS NULL OR actor = ?) ORDER BY seq")) {
            s.setString(1, type);
            s.setString(2, actor);
            s.setString(3, actor);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    rows.add(Map.of("actor", rs.getString(1), "outcome", rs.getString(2), "details", rs.getString(3)));
                }
            }
        }
        return rows;
    }

    private static List<Map<String, String>> audit(String type, String actor) throws Exception {
        return audit(lab, type, actor);
    }

    static String dns(String... names) {
        StringBuilder b = new StringBuilder("{\"identifiers\":[");
        for (int i = 0; i < names.length; i++) {
            b.append(i == 0 ? "" : ",").append("{\"type\":\"dns\",\"value\":\"").append(names[i]).append("\"}");
        }
        return b.append("]}").toString();
    }

    static String ip(String address) {
        return "{\"identifiers\":[{\"type\":\"ip\",\"value\":\"" + address + "\"}]}";
    }

    static String csrPayload(byte[] der) {
        return "{\"csr\":\"" + Base64URL.encode(der) + "\"}";
    }

    static byte[] der(Path pem) throws Exception {
        return Base64.getMimeDecoder().decode(Files.readString(pem).replaceAll("-----[A-Z ]+-----", ""));
    }
}
