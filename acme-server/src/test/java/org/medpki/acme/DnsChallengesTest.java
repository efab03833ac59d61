package org.medpki.acme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.medpki.acme.AcmeTestClient.challenge;
import static org.medpki.acme.AcmeTestClient.finalizePayload;
import static org.medpki.acme.validation.TestDnsZone.issue;

import com.nimbusds.jose.util.Base64URL;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medpki.acme.AcmeTestClient.Account;
import org.medpki.acme.AcmeTestClient.Response;
import org.medpki.acme.validation.TestDnsZone;
import org.xbill.DNS.utils.base32;

/**
 * dns-account-01 (draft-ietf-acme-dns-account-label-02) and dns-persist-01
 * (draft-ietf-acme-dns-persist-01) end to end: our ACME test client against the real server over
 * in-memory fakes, its validator asking a DNS zone on loopback (CAA is looked up for every name;
 * hospital.test's CAA names us). One server for the class.
 */
class DnsChallengesTest {
    private static final String ERR = "urn:ietf:params:acme:error:";
    private static final String US = "acme.hospital.test";

    private static Vertx vertx;
    private static TestDnsZone zone;
    private static AcmeTestServer server;
    private static AcmeTestClient client;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        zone = new TestDnsZone();
        zone.caa("hospital.test", issue(US));
        server = new AcmeTestServer(vertx, Clock.systemUTC(), zone.address(), US, AcmeConfig.MAX_CAA_RECHECK_AFTER);
        client = server.client();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (zone != null) {
            zone.close();
        }
        if (vertx != null) {
            vertx.close().await();
        }
    }

    @Test
    void everyDnsNameIsOfferedTheNewChallengesAndAWildcardOnlyTheDnsOnes() {
        Account account = client.newAccount();
        JsonObject order = client.newOrder(account, "offer.hospital.test", "*.offer.hospital.test");
        JsonObject name = authz(order, account, 0);
        JsonObject wildcard = authz(order, account, 1);
        if (name.getBoolean("wildcard", false)) {
            JsonObject swap = name;
            name = wildcard;
            wildcard = swap;
        }
        assertThat(types(name)).containsExactlyInAnyOrder("http-01", "dns-01", "tls-alpn-01", "dns-account-01",
                "dns-persist-01");
        assertThat(types(wildcard)).containsExactlyInAnyOrder("dns-01", "dns-account-01", "dns-persist-01");
        // dns-persist-01 names the account and our issuer domain names instead of a token (3.1)
        JsonObject persist = challenge(name, "dns-persist-01");
        assertThat(persist.containsKey("token")).isFalse();
        assertThat(persist.getString("accounturi")).isEqualTo(account.url());
        assertThat(persist.getJsonArray("issuer-domain-names")).containsExactly(US);
    }

    @Test
    void dnsAccount01ValidatesANameAndItsWildcardAtTheAccountsOwnLabelAndIssues() throws Exception {
        String name = "clusters.hospital.test";
        Account account = client.newAccount();
        JsonObject order = client.newOrder(account, name, "*." + name);
        List<JsonObject> challenges = new ArrayList<>();
        List<String> digests = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            JsonObject ch = challenge(authz(order, account, i), "dns-account-01");
            challenges.add(ch);
            digests.add(digest(ch.getString("token") + "." + account.key().computeThumbprint()));
        }
        zone.txt(label(account) + "._acme-challenge." + name, digests.toArray(String[]::new));
        for (JsonObject ch : challenges) {
            Response answered = client.post(ch.getString("url"), "{}", account);
            assertThat(answered.json().getString("status")).as(answered.body()).isEqualTo("valid");
        }
        assertIssued(order, account, name, "*." + name);
    }

    @Test
    void dnsAccount01IgnoresTheUnscopedNameAndOtherAccountsLabels() throws Exception {
        String name = "shared.hospital.test";
        Account account = client.newAccount();
        Account other = client.newAccount();
        JsonObject order = client.newOrder(account, name);
        JsonObject ch = challenge(authz(order, account, 0), "dns-account-01");
        String digest = digest(ch.getString("token") + "." + account.key().computeThumbprint());
        zone.txt("_acme-challenge." + name, digest);
        zone.txt(label(other) + "._acme-challenge." + name, digest);

        Response answered = client.post(ch.getString("url"), "{}", account);
        assertThat(answered.json().getString("status")).as(answered.body()).isEqualTo("invalid");
        assertThat(answered.json().getJsonObject("error").getString("type")).isEqualTo(ERR + "incorrectResponse");
        assertThat(answered.json().getJsonObject("error").getString("detail"))
                .contains(label(account) + "._acme-challenge." + name);
    }

    @Test
    void dnsPersist01IsAStandingRecordReadAgainForEachOrder() {
        String name = "persist.hospital.test";
        Account account = client.newAccount();
        zone.txt("_validation-persist." + name, "other-ca.example; accounturi=https://other-ca.example/acct/9",
                US + "; accounturi=" + account.url());
        JsonObject first = client.newOrder(account, name);
        answerPersist(first, account, 0, "valid");
        assertIssued(first, account, name);

        // Not reused: the next order's authorization is new, and the unchanged record validates it again.
        JsonObject second = client.newOrder(account, name);
        assertThat(second.getJsonArray("authorizations")).doesNotContainAnyElementsOf(first.getJsonArray("authorizations"));
        answerPersist(second, account, 0, "valid");
        assertIssued(second, account, name);
    }

    @Test
    void policyWildcardAuthorizesTheNameItsWildcardAndItsSubdomains() {
        String name = "wards.hospital.test";
        Account account = client.newAccount();
        zone.txt("_validation-persist." + name, US + "; accounturi=" + account.url() + "; policy=wildcard; "
                + "persistUntil=" + Instant.now().plusSeconds(86400).getEpochSecond());
        String[] names = {name, "*." + name, "icu.east." + name};
        JsonObject order = client.newOrder(account, names);
        for (int i = 0; i < names.length; i++) {
            answerPersist(order, account, i, "valid");
        }
        assertIssued(order, account, names);
    }

    @Test
    void recordsThatDoNotAuthorizeAreRefusedWithTheDraftsProblemsAuditedAndNothingIsIssued() {
        Account account = client.newAccount();
        String mine = "; accounturi=" + account.url();
        record Case(String name, boolean wildcard, String record, String problem, String detail) {
        }
        List<Case> cases = List.of(
                new Case("another.hospital.test", false, US + "; accounturi=" + client.newAccount().url(),
                        "unauthorized", "names another ACME account"),
                new Case("nopolicy.hospital.test", true, US + mine, "unauthorized", "no policy=wildcard"),
                new Case("badpolicy.hospital.test", true, US + mine + "; policy=subdomains", "unauthorized",
                        "no policy=wildcard"),
                new Case("expired.hospital.test", false, US + mine + "; persistUntil="
                        + Instant.now().minusSeconds(3600).getEpochSecond(), "unauthorized", "(persistUntil)"),
                new Case("garbled.hospital.test", false, US + mine + "; persistUntil=tomorrow", "malformed",
                        "not a base-10 integer"),
                new Case("twice.hospital.test", false, US + mine + mine, "malformed", "more than once"),
                new Case("elsewhere.hospital.test", false, "other-ca.example" + mine, "unauthorized",
                        "names this CA"));
        int issuedBefore = server.ca.issuedCount();
        for (Case c : cases) {
            zone.txt("_validation-persist." + c.name(), c.record());
            JsonObject order = client.newOrder(account, (c.wildcard() ? "*." : "") + c.name());
            JsonObject error = answerPersist(order, account, 0, "invalid").getJsonObject("error");
            assertThat(error.getString("type")).as(c.name()).isEqualTo(ERR + c.problem());
            assertThat(error.getString("detail")).as(c.name()).contains(c.detail());
            assertThat(client.post(order.getString("url"), null, account).json().getString("status")).as(c.name())
                    .isEqualTo("invalid");
            assertThat(client.post(order.getString("finalize"), finalizePayload(c.name()), account).status())
                    .as(c.name()).isEqualTo(403);
            assertThat(server.auditStore.details("acme.validation_failed")).as(c.name())
                    .anySatisfy(d -> assertThat(d).contains(c.name()).contains("\"challenge\":\"dns-persist-01\"")
                            .contains("\"reason\":\"" + (c.problem().equals("malformed") ? "MALFORMED" : "UNAUTHORIZED")));
        }
        assertThat(server.ca.issuedCount()).isEqualTo(issuedBefore);
    }

    // ---- helpers

    private static JsonObject authz(JsonObject order, Account account, int index) {
        return client.post(order.getJsonArray("authorizations").getString(index), null, account).json();
    }

    private static List<String> types(JsonObject authz) {
        return authz.getJsonArray("challenges").stream().map(JsonObject.class::cast).map(c -> c.getString("type"))
                .toList();
    }

    /** POSTs the dns-persist-01 challenge of the order's authorization {@code index}; its answer, of {@code status}. */
    private static JsonObject answerPersist(JsonObject order, Account account, int index, String status) {
        Response answered = client.post(challenge(authz(order, account, index), "dns-persist-01").getString("url"), "{}",
                account);
        assertThat(answered.status()).as(answered.body()).isEqualTo(200);
        assertThat(answered.json().getString("status")).as(answered.body()).isEqualTo(status);
        return answered.json();
    }

    private static void assertIssued(JsonObject order, Account account, String... names) {
        assertThat(client.post(order.getString("url"), null, account).json().getString("status")).isEqualTo("ready");
        int before = server.ca.issuedCount();
        Response finalized = client.post(order.getString("finalize"), finalizePayload(names), account);
        assertThat(finalized.status()).as(finalized.body()).isEqualTo(200);
        assertThat(finalized.json().getString("status")).isEqualTo("valid");
        assertThat(server.ca.issuedCount()).isEqualTo(before + 1);
    }

    /** The account's dns-account-01 label, computed here as the draft says (not by the server's code). */
    private static String label(Account account) {
        return "_" + new base32(base32.Alphabet.BASE32, false, true).toString(Arrays.copyOf(sha256(account.url()), 10));
    }

    private static String digest(String keyAuthorization) {
        return Base64URL.encode(sha256(keyAuthorization)).toString();
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.US_ASCII));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
