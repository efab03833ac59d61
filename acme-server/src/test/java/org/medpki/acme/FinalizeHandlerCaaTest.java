package org.medpki.acme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.medpki.acme.validation.TestDnsZone.issue;

import com.nimbusds.jose.util.Base64URL;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medpki.acme.AcmeTestClient.Account;
import org.medpki.acme.AcmeTestClient.Response;
import org.medpki.acme.validation.TestDnsZone;
import org.medpki.core.audit.AuditEntry;
import org.medpki.core.testpki.HandClock;

/**
 * CAA at finalize: an authorization validated {@code acme.caaRecheckAfter} ago or longer has its
 * CAA looked up again, for the ordering account and the challenge type that validated it (RFC
 * 8657). Through the real server over in-memory fakes, a DNS zone on loopback (no hosts file: CAA
 * is asked for every name) and a clock the test moves; identifiers are validated by dns-01.
 */
class FinalizeHandlerCaaTest {
    private static final String ERR = "urn:ietf:params:acme:error:";
    private static final String US = "acme.hospital.test";
    private static final Duration LONG_AGO = Duration.ofHours(9);

    private static Vertx vertx;
    private static TestDnsZone zone;
    private static HandClock clock;
    /** Re-checks CAA for authorizations validated 8 hours ago or longer (the default). */
    private static AcmeTestServer server;
    /** Re-checks CAA at every finalize (acme.caaRecheckAfter 0s). */
    private static AcmeTestServer everyFinalize;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        zone = new TestDnsZone();
        clock = new HandClock(Instant.now());
        server = new AcmeTestServer(vertx, clock, zone.address(), US, AcmeConfig.MAX_CAA_RECHECK_AFTER);
        everyFinalize = new AcmeTestServer(vertx, clock, zone.address(), US, Duration.ZERO);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {server, everyFinalize, zone}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // the next one closes anyway
            }
        }
        if (vertx != null) {
            vertx.close().await();
        }
    }

    @Test
    void anAuthorizationValidatedLongAgoIsRecheckedAndRefusedWhenCaaNowNamesAnotherCa() {
        String name = "stale.hospital.test";
        zone.caa(name, issue(US));
        AcmeTestClient client = server.client();
        Account account = client.newAccount();
        JsonObject order = readyOrder(client, account, name);
        later(client, LONG_AGO);
        zone.caa(name, issue("other-ca.example"));
        int issuedBefore = server.ca.issuedCount();

        Response refused = client.post(order.getString("finalize"), csr(name), account);
        assertProblem(refused, "caa", 403);
        assertThat(refused.json().getString("detail")).isEqualTo("CAA re-checked at finalize for " + name + ": "
                + name + " has CAA records that do not name this CA");
        assertThat(refused.json().getJsonObject("identifier").getString("value")).isEqualTo(name);
        assertThat(server.ca.issuedCount()).isEqualTo(issuedBefore);
        assertThat(status(client, order, account)).isEqualTo("ready");
        assertThat(refusals(server, name)).singleElement()
                .satisfies(e -> assertThat(e.details()).contains("caa-recheck").contains(ERR + "caa"));

        // The order stayed ready: once CAA names us again, finalize looks again and issues.
        zone.caa(name, issue(US));
        Response finalized = client.post(order.getString("finalize"), csr(name), account);
        assertThat(finalized.status()).as(finalized.body()).isEqualTo(200);
        assertThat(finalized.json().getString("status")).isEqualTo("valid");
    }

    @Test
    void anAuthorizationValidatedRecentlyIsNotRechecked() {
        String name = "recent.hospital.test";
        zone.caa(name, issue(US));
        AcmeTestClient client = server.client();
        Account account = client.newAccount();
        JsonObject order = readyOrder(client, account, name);
        later(client, AcmeConfig.MAX_CAA_RECHECK_AFTER.minusMinutes(1));
        zone.caa(name, issue("other-ca.example"));
        long asked = caaQuestions(name);

        Response finalized = client.post(order.getString("finalize"), csr(name), account);
        assertThat(finalized.status()).as(finalized.body()).isEqualTo(200);
        assertThat(finalized.json().getString("status")).isEqualTo("valid");
        assertThat(caaQuestions(name)).isEqualTo(asked);
    }

    @Test
    void caaPinnedToAnotherAccountRefusesAndPinnedToThisAccountAndMethodIssues() {
        String name = "pinned.hospital.test";
        zone.caa(name, issue(US));
        AcmeTestClient client = server.client();
        Account account = client.newAccount();
        Account other = client.newAccount();
        JsonObject order = readyOrder(client, account, name);
        later(client, LONG_AGO);

        zone.caa(name, issue(US + "; accounturi=" + other.url()));
        Response refused = client.post(order.getString("finalize"), csr(name), account);
        assertProblem(refused, "caa", 403);
        assertThat(refused.json().getString("detail")).contains(name)
                .contains("only for another ACME account (accounturi)");
        assertThat(status(client, order, account)).isEqualTo("ready");

        zone.caa(name, issue(US + "; accounturi=" + account.url() + "; validationmethods=dns-01"));
        long asked = caaQuestions(name);
        Response finalized = client.post(order.getString("finalize"), csr(name), account);
        assertThat(finalized.status()).as(finalized.body()).isEqualTo(200);
        assertThat(finalized.json().getString("status")).isEqualTo("valid");
        assertThat(caaQuestions(name)).isGreaterThan(asked);
    }

    @Test
    void caaListingOnlyOtherValidationMethodsRefuses() {
        String name = "methods.hospital.test";
        zone.caa(name, issue(US));
        AcmeTestClient client = server.client();
        Account account = client.newAccount();
        JsonObject order = readyOrder(client, account, name);
        later(client, LONG_AGO);
        zone.caa(name, issue(US + "; validationmethods=http-01,tls-alpn-01"));

        Response refused = client.post(order.getString("finalize"), csr(name), account);
        assertProblem(refused, "caa", 403);
        assertThat(refused.json().getString("detail"))
                .contains("only for other validation methods (validationmethods), not dns-01");
        assertThat(status(client, order, account)).isEqualTo("ready");
    }

    @Test
    void caaPinnedToThisAccountAndMethodAllowsValidationAndFinalize() {
        String name = "exact.hospital.test";
        AcmeTestClient client = server.client();
        Account account = client.newAccount();
        zone.caa(name, issue(US + "; accounturi=" + account.url() + "; validationmethods=dns-01"));
        JsonObject order = readyOrder(client, account, name);
        later(client, LONG_AGO);

        Response finalized = client.post(order.getString("finalize"), csr(name), account);
        assertThat(finalized.status()).as(finalized.body()).isEqualTo(200);
        assertThat(finalized.json().getString("status")).isEqualTo("valid");
    }

    @Test
    void atValidationCaaPinnedToAnotherAccountMakesTheChallengeInvalid() {
        String name = "elsewhere.hospital.test";
        AcmeTestClient client = server.client();
        Account account = client.newAccount();
        zone.caa(name, issue(US + "; accounturi=" + client.newAccount().url()));
        JsonObject authz = client.post(newOrder(client, account, name).getJsonArray("authorizations").getString(0),
                null, account).json();
        JsonObject challenge = dns01(client, account, name, authz);

        Response answered = client.post(challenge.getString("url"), "{}", account);
        assertThat(answered.json().getString("status")).isEqualTo("invalid");
        assertThat(answered.json().getJsonObject("error").getString("type")).isEqualTo(ERR + "caa");
        assertThat(answered.json().getJsonObject("error").getString("detail")).contains("accounturi");
    }

    @Test
    void aFailedLookUpAtTheRecheckIsNoPermission() {
        String name = "servfail.hospital.test";
        zone.caa(name, issue(US));
        AcmeTestClient client = server.client();
        Account account = client.newAccount();
        JsonObject order = readyOrder(client, account, name);
        later(client, LONG_AGO);
        zone.failing(name, true);
        int issuedBefore = server.ca.issuedCount();
        Response refused;
        try {
            refused = client.post(order.getString("finalize"), csr(name), account);
        } finally {
            zone.failing(name, false);
        }
        assertProblem(refused, "dns", 400);
        assertThat(refused.json().getString("detail")).contains(name).contains("look-up");
        assertThat(server.ca.issuedCount()).isEqualTo(issuedBefore);
        assertThat(status(client, order, account)).isEqualTo("ready");
    }

    @Test
    void everyRefusedIdentifierOfTheOrderIsASubproblem() {
        String first = "one.multi.hospital.test";
        String second = "two.multi.hospital.test";
        String fine = "three.multi.hospital.test";
        zone.caa("multi.hospital.test", issue(US));
        AcmeTestClient client = server.client();
        Account account = client.newAccount();
        JsonObject order = readyOrder(client, account, first, second, fine);
        later(client, LONG_AGO);
        zone.caa(first, issue("other-ca.example"));
        zone.caa(second, issue(US + "; validationmethods=http-01"));

        Response refused = client.post(order.getString("finalize"), csr(first, second, fine), account);
        assertProblem(refused, "caa", 403);
        JsonArray subproblems = refused.json().getJsonArray("subproblems");
        assertThat(subproblems.stream().map(JsonObject.class::cast)
                .map(s -> s.getJsonObject("identifier").getString("value")))
                .containsExactlyInAnyOrder(first, second);
        assertThat(subproblems.stream().map(JsonObject.class::cast).map(s -> s.getString("type")))
                .containsOnly(ERR + "caa");
    }

    @Test
    void withARecheckAgeOfZeroEveryFinalizeLooksAgain() {
        String name = "always.hospital.test";
        zone.caa(name, issue(US));
        AcmeTestClient client = everyFinalize.client();
        Account account = client.newAccount();
        JsonObject order = readyOrder(client, account, name);
        zone.caa(name, issue("other-ca.example"));

        assertProblem(client.post(order.getString("finalize"), csr(name), account), "caa", 403);
        assertThat(status(client, order, account)).isEqualTo("ready");
    }

    // ---- helpers

    /** Moves the clock on; the nonce the client kept has expired meanwhile, so it takes a fresh one. */
    private static void later(AcmeTestClient client, Duration by) {
        clock.advance(by);
        client.freshNonce();
    }

    private static JsonObject newOrder(AcmeTestClient client, Account account, String... names) {
        JsonArray ids = new JsonArray();
        Arrays.stream(names).forEach(n -> ids.add(new JsonObject().put("type", "dns").put("value", n)));
        Response created = client.post(client.url("/new-order"), new JsonObject().put("identifiers", ids).encode(),
                account);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().put("url", created.header("Location"));
    }

    /** An order for {@code names}, each validated by dns-01 now, and ready. */
    private static JsonObject readyOrder(AcmeTestClient client, Account account, String... names) {
        JsonObject order = newOrder(client, account, names);
        for (Object url : order.getJsonArray("authorizations")) {
            JsonObject authz = client.post((String) url, null, account).json();
            String name = authz.getJsonObject("identifier").getString("value");
            Response answered = client.post(dns01(client, account, name, authz).getString("url"), "{}", account);
            assertThat(answered.json().getString("status")).as(answered.body()).isEqualTo("valid");
        }
        assertThat(status(client, order, account)).isEqualTo("ready");
        return order;
    }

    /** The authorization's dns-01 challenge, its TXT record published in the zone. */
    private static JsonObject dns01(AcmeTestClient client, Account account, String name, JsonObject authz) {
        JsonObject challenge = authz.getJsonArray("challenges").stream().map(JsonObject.class::cast)
                .filter(c -> c.getString("type").equals("dns-01")).findFirst().orElseThrow();
        try {
            String keyAuthorization = challenge.getString("token") + "." + account.key().computeThumbprint();
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(keyAuthorization.getBytes(StandardCharsets.US_ASCII));
            zone.txt("_acme-challenge." + name, Base64URL.encode(digest).toString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return challenge;
    }

    private static String status(AcmeTestClient client, JsonObject order, Account account) {
        return client.post(order.getString("url"), null, account).json().getString("status");
    }

    private static long caaQuestions(String name) {
        return zone.caaQuestions().stream().filter(name::equals).count();
    }

    private static List<AuditEntry> refusals(AcmeTestServer s, String name) {
        List<AuditEntry> out = new ArrayList<>();
        s.auditStore.forEach(0, e -> {
            if (e.type().equals("acme.finalize_refused") && e.details().contains(name)) {
                out.add(e);
            }
        });
        return out;
    }

    private static void assertProblem(Response r, String type, int status) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.json().getString("type")).isEqualTo(ERR + type);
    }

    private static String csr(String... names) {
        try {
            var key = InMemoryCertificateAuthority.ecKey();
            ExtensionsGenerator extensions = new ExtensionsGenerator();
            extensions.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(Arrays.stream(names)
                    .map(n -> new GeneralName(GeneralName.dNSName, n)).toArray(GeneralName[]::new)));
            byte[] der = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + names[0]), key.getPublic())
                    .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())).getEncoded();
            return new JsonObject().put("csr", Base64URL.encode(der).toString()).encode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
