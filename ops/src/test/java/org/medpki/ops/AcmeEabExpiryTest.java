package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.medpki.ops.AcmePolicyTest.ERR;
import static org.medpki.ops.AcmePolicyTest.assertProblem;
import static org.medpki.ops.AcmePolicyTest.challenge;
import static org.medpki.ops.AcmePolicyTest.csrPayload;
import static org.medpki.ops.AcmePolicyTest.der;
import static org.medpki.ops.AcmePolicyTest.dns;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.util.Base64URL;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 'pki up' with the strict settings: externalAccountRequired, orders and authorizations that
 * live six seconds, and a low limit of orders per account and name for EAB-bound accounts.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AcmeEabExpiryTest {
    static final int ORDERS_PER_NAME = 5;

    @TempDir
    static Path tmp;
    static AcmeLab lab;

    @BeforeAll
    static void up() throws Exception {
        lab = new AcmeLab(tmp, Map.of("PKI_ACME_EAB_REQUIRED", "true"), Map.of("acme.yaml",
                "orderLifetime: PT6S\nauthorizationLifetime: PT6S\neabOrdersPerNamePerHour: " + ORDERS_PER_NAME + "\n"),
                "pending.hospital.test", "ready.hospital.test", "domain.hospital.test");
    }

    @AfterAll
    static void down() throws Exception {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    @Order(1)
    void newAccountNeedsAValidExternalAccountBinding() throws Exception {
        AcmeTestClient c = new AcmeTestClient(lab);
        assertThat(c.directory.get("meta").get("externalAccountRequired").asBoolean()).isTrue();
        assertProblem(c.register(null, null), "externalAccountRequired", 400);

        JsonNode key = eabKey();
        String kid = key.get("kid").asText();
        String wrongMac = randomKey();
        // RFC 8555 7.3.4: a binding that does not verify is refused; unauthorized, as for an unknown kid.
        assertProblem(c.register(kid, wrongMac), "unauthorized", 403);
        assertProblem(c.register("eab-unknown" + System.nanoTime(), randomKey()), "unauthorized", 403);
        assertProblem(c.post(c.url("newAccount"), "{\"onlyReturnExisting\":true}"), "accountDoesNotExist", 400);
        String thumbprint = c.key.computeThumbprint().toString();
        assertThat(accounts(thumbprint)).as("no account row for a refused binding").isZero();
        List<Map<String, String>> refused = AcmePolicyTest.audit(lab, "acme.account_refused", "acme:" + thumbprint);
        assertThat(refused).hasSize(2).allSatisfy(e -> assertThat(e.get("details"))
                .contains(ERR + "unauthorized").doesNotContain(wrongMac).doesNotContain(key.get("hmacKey").asText()));

        // The refusals did not use the key up: with the right MAC it binds.
        AcmeTestClient.Reply ok = c.register(kid, key.get("hmacKey").asText());
        assertThat(ok.status()).as(ok.toString()).isEqualTo(201);
        assertThat(accounts(thumbprint)).isEqualTo(1);
    }

    @Test
    @Order(2)
    void expiredOrdersAndAuthorizationsAreInvalidAndCannotBeUsed() throws Exception {
        AcmeTestClient c = eabClient();
        AcmeTestClient.Reply pending = c.post(c.url("newOrder"), dns("pending.hospital.test"));
        assertThat(pending.status()).as(pending.toString()).isEqualTo(201);
        AcmeTestClient.Reply ready = c.post(c.url("newOrder"), dns("ready.hospital.test"));
        String readyAuthz = ready.json().get("authorizations").get(0).asText();
        try (var responder = AcmePolicyTest.Http01.start(lab.http01Port, AcmePolicyTest.TOKENS)) {
            AcmePolicyTest.validate(c, readyAuthz, "http-01");
        }
        assertThat(c.post(ready.header("Location"), "").json().get("status").asText()).isEqualTo("ready");

        // Wait (polling, not asserting on time) until the server says the ready order is over.
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!c.post(ready.header("Location"), "").json().get("status").asText().equals("invalid")) {
            assertThat(System.nanoTime()).as("the 6 s order expires").isLessThan(deadline);
            Thread.sleep(500);
        }
        // An expired ready order cannot be finalized (RFC 8555 7.1.6: expired means invalid).
        Path csr = Csrs.openssl(tmp, "late", "ec:P-256", "/O=Hospital", "DNS:ready.hospital.test");
        assertProblem(c.post(ready.json().get("finalize").asText(), csrPayload(der(csr))), "orderNotReady", 403);
        assertThat(c.post(ready.header("Location"), "").json().has("certificate")).isFalse();

        // The untouched order is invalid, its authorization expired, and answering its challenge
        // now validates nothing.
        JsonNode stale = c.post(pending.header("Location"), "").json();
        assertThat(stale.get("status").asText()).isEqualTo("invalid");
        String staleAuthz = stale.get("authorizations").get(0).asText();
        JsonNode authz = c.post(staleAuthz, "").json();
        assertThat(authz.get("status").asText()).isEqualTo("expired");
        JsonNode ch = challenge(authz, "http-01");
        AcmePolicyTest.TOKENS.put(ch.get("token").asText(), c.keyAuthorization(ch.get("token").asText()));
        try (var responder = AcmePolicyTest.Http01.start(lab.http01Port, AcmePolicyTest.TOKENS)) {
            AcmeTestClient.Reply answered = c.post(ch.get("url").asText(), "{}");
            assertThat(answered.json().get("status").asText()).as(answered.toString()).isNotEqualTo("valid");
        }
        assertThat(c.post(staleAuthz, "").json().get("status").asText()).isEqualTo("expired");

        // The expired (once valid) authorization is not reused: a new order starts over.
        AcmeTestClient.Reply again = c.post(c.url("newOrder"), dns("ready.hospital.test"));
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.json().get("authorizations").get(0).asText()).isNotEqualTo(readyAuthz);
        assertThat(again.json().get("status").asText()).isEqualTo("pending");
        assertThat(c.post(readyAuthz, "").json().get("status").asText()).isEqualTo("expired");
    }

    @Test
    @Order(3)
    void ordersOverTheAccountsLimitForOneNameAreRateLimitedForThatAccountAndNameOnly() throws Exception {
        AcmeTestClient c = eabClient();
        for (int i = 0; i < ORDERS_PER_NAME; i++) {
            AcmeTestClient.Reply ok = c.post(c.url("newOrder"), dns("domain.hospital.test"));
            assertThat(ok.status()).as(ok.toString()).isEqualTo(201);
        }
        AcmeTestClient.Reply last = c.post(c.url("newOrder"), dns("domain.hospital.test"));
        assertProblem(last, "rateLimited", 429);
        assertThat(last.json().get("detail").asText()).contains("domain.hospital.test");
        assertThat(last.header("Retry-After")).as("Retry-After in seconds").matches("[1-9][0-9]*");
        List<Map<String, String>> audited = AcmePolicyTest.audit(lab, "acme.order_rate_limited", c.kid);
        assertThat(audited).hasSize(1);
        assertThat(audited.getFirst().get("details")).contains("\"reason\":\"name\"").contains(ERR + "rateLimited");

        // The same account may order other names, and another account this name: no shared budget to exhaust.
        assertThat(c.post(c.url("newOrder"), dns("other.hospital.test")).status()).isEqualTo(201);
        AcmeTestClient other = eabClient();
        assertThat(other.post(other.url("newOrder"), dns("domain.hospital.test")).status()).isEqualTo(201);
    }

    private static AcmeTestClient eabClient() throws Exception {
        JsonNode key = eabKey();
        AcmeTestClient c = new AcmeTestClient(lab);
        AcmeTestClient.Reply r = c.register(key.get("kid").asText(), key.get("hmacKey").asText());
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return c;
    }

    private static JsonNode eabKey() throws Exception {
        PkiProcess.Result eab = lab.pki.run("eab", "new", "--names", "*.hospital.test", "--json");
        assertThat(eab.exit()).as(eab.toString()).isZero();
        return AcmeTestClient.JSON.readTree(eab.out());
    }

    private static String randomKey() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return Base64URL.encode(b).toString();
    }

    private static int accounts(String thumbprint) throws Exception {
        try (Connection db = TestEnvironment.connect(lab.pki.env().get("PKI_DATABASE_URL"));
             PreparedStatement s = db.prepareStatement("SELECT count(*) FROM acme_account WHERE thumbprint = ?")) {
            s.setString(1, thumbprint);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
