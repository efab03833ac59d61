package org.medpki.acme;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64URL;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
import org.junit.jupiter.api.io.TempDir;
import org.medpki.acme.AcmeTestClient.Account;
import org.medpki.acme.AcmeTestClient.Response;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.revocation.RevocationReason;

/**
 * The ACME handlers through the real router and server ({@link AcmeServer#start}), in process,
 * over in-memory fakes of the repository and the CA: no PostgreSQL, no HSM, no subprocess. http-01
 * is answered by a small server of this test, which the validator reaches through a hosts file.
 */
class AcmeHandlersTest {
    private static final String ERR = "urn:ietf:params:acme:error:";
    private static final int ORDERS_PER_HOUR = 3;
    /** A key authorization that makes the challenge server trickle instead of answering. */
    private static final String TRICKLE = "trickle";

    @TempDir
    static Path tmp;
    private static Vertx vertx;
    private static HttpServer challenges;
    private static final Map<String, String> keyAuthorizations = new ConcurrentHashMap<>();
    private static final Map<String, Integer> challengeFetches = new ConcurrentHashMap<>();
    private static AcmeTestServer server;
    private static AcmeTestServer eabServer;
    /** One validation per account and hour. */
    private static AcmeTestServer limitedServer;
    private static AcmeTestClient client;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        challenges = vertx.createHttpServer().requestHandler(req -> {
            String token = req.path().substring(req.path().lastIndexOf('/') + 1);
            challengeFetches.merge(token, 1, Integer::sum);
            String answer = req.path().startsWith("/.well-known/acme-challenge/") ? keyAuthorizations.get(token) : null;
            if (TRICKLE.equals(answer)) {
                // a byte now and then, forever: only the validation's deadline ends it
                req.response().setChunked(true).write("x");
                long timer = vertx.setPeriodic(300, t -> req.response().write("x"));
                req.connection().closeHandler(v -> vertx.cancelTimer(timer));
            } else if (answer == null) {
                req.response().setStatusCode(404).end();
            } else {
                req.response().putHeader("Content-Type", "text/plain").end(answer);
            }
        }).listen(0, "127.0.0.1").await();
        Path hosts = tmp.resolve("hosts");
        Files.writeString(hosts, "127.0.0.1 www.hospital.test api.hospital.test lab.hospital.test\n");
        server = new AcmeTestServer(vertx, false, challenges.actualPort(), hosts, ORDERS_PER_HOUR);
        eabServer = new AcmeTestServer(vertx, true, challenges.actualPort(), hosts, ORDERS_PER_HOUR);
        limitedServer = new AcmeTestServer(vertx, false, challenges.actualPort(), hosts, ORDERS_PER_HOUR, 1);
        client = server.client();
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {server, eabServer, limitedServer}) {
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

    // ---- nonces and accounts

    @Test
    void newNonceAnswersHeadAndGetWithNoncesThatASignedRequestCanSpend() {
        Response head = client.head(client.url("/new-nonce"));
        Response get = client.get(client.url("/new-nonce"));
        assertThat(head.status()).isEqualTo(200);
        assertThat(get.status()).isEqualTo(204);
        assertThat(head.header("Cache-Control")).isEqualTo("no-store");
        String first = head.header("Replay-Nonce");
        String second = get.header("Replay-Nonce");
        assertThat(first).matches("[A-Za-z0-9_-]{" + Nonces.ENCODED_LENGTH + "}").isNotEqualTo(second);

        ECKey key = AcmeTestClient.newKey();
        Response created = client.postWithNonce(client.url("/new-account"), "{}", key, null, first);
        assertThat(created.status()).isEqualTo(201);
        Response read = client.postWithNonce(created.header("Location"), null, key, created.header("Location"), second);
        assertThat(read.status()).isEqualTo(200);
    }

    @Test
    void anAccountIsCreatedOnceAndFoundAgainByItsKey() {
        ECKey key = AcmeTestClient.newKey();
        Response created = client.post(client.url("/new-account"), "{\"contact\":[\"mailto:ops@hospital.test\"]}",
                key, null);
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.header("Location")).startsWith(client.url("/account/"));
        assertThat(created.json().getString("status")).isEqualTo("valid");
        assertThat(created.json().getJsonArray("contact")).containsExactly("mailto:ops@hospital.test");
        assertThat(server.auditStore.types()).contains("acme.account_created");

        Response again = client.post(client.url("/new-account"), "{}", key, null);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.header("Location")).isEqualTo(created.header("Location"));

        Response unknown = client.post(client.url("/new-account"), "{\"onlyReturnExisting\":true}",
                AcmeTestClient.newKey(), null);
        assertProblem(unknown, "accountDoesNotExist", 400);
    }

    @Test
    void withEabRequiredAnAccountNeedsAnUnboundKeyThatSignedItsAccountKey() {
        AcmeTestClient c = eabServer.client();
        String newAccount = c.url("/new-account");
        EabKey eab = EabKeys.generate("tls-server", List.of("*.hospital.test"));
        eabServer.repository.createEabKey(eab);
        ECKey key = AcmeTestClient.newKey();

        assertProblem(c.post(newAccount, "{}", key, null), "externalAccountRequired", 400);
        byte[] wrongSecret = EabKeys.generate("tls-server", List.of("x.test")).hmacKey();
        assertProblem(c.post(newAccount, withEab(AcmeTestClient.eab(newAccount, eab.kid(), wrongSecret, key)), key, null),
                "unauthorized", 403);
        assertProblem(c.post(newAccount, withEab(AcmeTestClient.eab(newAccount, "eab-unknown", eab.hmacKey(), key)),
                key, null), "unauthorized", 403);
        assertThat(eabServer.repository.eabKey(eab.kid()).orElseThrow().accountId()).isNull();

        Response created = c.post(newAccount, withEab(AcmeTestClient.eab(newAccount, eab.kid(), eab.hmacKey(), key)),
                key, null);
        assertThat(created.status()).isEqualTo(201);
        String accountId = created.header("Location").substring(c.url("/account/").length());
        assertThat(eabServer.repository.eabKey(eab.kid()).orElseThrow().accountId()).isEqualTo(accountId);

        // The key is bound now: a second account cannot use it.
        ECKey second = AcmeTestClient.newKey();
        Response refused = c.post(newAccount, withEab(AcmeTestClient.eab(newAccount, eab.kid(), eab.hmacKey(), second)),
                second, null);
        assertProblem(refused, "unauthorized", 403);
        assertThat(refused.json().getString("detail")).contains("already bound");
        assertThat(eabServer.repository.accountByThumbprint(NewAccountHandler.thumbprint(second))).isEmpty();
        assertThat(eabServer.auditStore.types()).contains("acme.account_refused");
    }

    private static String withEab(String eab) {
        return new JsonObject().put("externalAccountBinding", new JsonObject(eab)).encode();
    }

    // ---- orders, challenges, finalize

    @Test
    void anOrderIsValidatedByHttp01AndFinalizedIntoACertificateForItsNames() throws Exception {
        Account account = client.newAccount();
        Response created = client.post(client.url("/new-order"), order("www.hospital.test", "api.hospital.test"),
                account);
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().getString("status")).isEqualTo("pending");
        JsonArray authorizations = created.json().getJsonArray("authorizations");
        assertThat(authorizations).hasSize(2);

        String challengeUrl = null;
        String token = null;
        for (Object url : authorizations) {
            Response authz = client.post((String) url, null, account);
            assertThat(authz.json().getString("status")).isEqualTo("pending");
            JsonObject http01 = challenge(authz.json(), "http-01");
            token = http01.getString("token");
            challengeUrl = http01.getString("url");
            keyAuthorizations.put(token, token + "." + account.key().computeThumbprint());
            Response answered = client.post(challengeUrl, "{}", account);
            assertThat(answered.status()).isEqualTo(200);
            assertThat(answered.json().getString("status")).isEqualTo("valid");
            assertThat(client.post((String) url, null, account).json().getString("status")).isEqualTo("valid");
        }
        // A second response to a settled challenge does not validate again.
        assertThat(client.post(challengeUrl, "{}", account).json().getString("status")).isEqualTo("valid");
        assertThat(challengeFetches.get(token)).isEqualTo(1);

        String orderUrl = created.header("Location");
        assertThat(client.post(orderUrl, null, account).json().getString("status")).isEqualTo("ready");
        Response finalized = client.post(created.json().getString("finalize"),
                csr("api.hospital.test", "www.hospital.test"), account);
        assertThat(finalized.status()).isEqualTo(200);
        assertThat(finalized.json().getString("status")).isEqualTo("valid");

        X509Certificate leaf = download(finalized.json().getString("certificate"), account);
        assertThat(leaf.getSubjectAlternativeNames().stream().map(n -> (Object) n.get(1)).toList())
                .containsExactlyInAnyOrder("www.hospital.test", "api.hospital.test");
        leaf.verify(new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter()
                .getCertificate(server.ca.certificate()).getPublicKey());
    }

    @Test
    void aCsrForOtherNamesIsBadCsrAndTheOrderMayBeFinalizedAgain() {
        Account account = client.newAccount();
        JsonObject order = readyOrder(account, "lab.hospital.test");

        Response refused = client.post(order.getString("finalize"), csr("www.hospital.test"), account);
        assertProblem(refused, "badCSR", 400);
        assertThat(server.auditStore.types()).contains("acme.finalize_refused");
        assertThat(client.post(order.getString("url"), null, account).json().getString("status")).isEqualTo("ready");

        Response finalized = client.post(order.getString("finalize"), csr("lab.hospital.test"), account);
        assertThat(finalized.json().getString("status")).isEqualTo("valid");
    }

    @Test
    void aCsrForTheAccountKeyIsBadCsr() throws Exception {
        Account account = client.newAccount();
        JsonObject order = readyOrder(account, "lab.hospital.test");
        KeyPair accountKey = new KeyPair(account.key().toECPublicKey(), account.key().toECPrivateKey());
        int issuedBefore = server.ca.issuedCount();

        Response refused = client.post(order.getString("finalize"), csr(accountKey, "lab.hospital.test"), account);
        assertProblem(refused, "badCSR", 400);
        assertThat(refused.json().getString("detail")).contains("account key");
        assertThat(client.post(order.getString("url"), null, account).json().getString("status")).isEqualTo("ready");
        assertThat(server.ca.issuedCount()).isEqualTo(issuedBefore);
    }

    @Test
    void whenTheCaIsUnavailableFinalizeSaysRetryLaterAndTheOrderStaysReady() {
        Account account = client.newAccount();
        JsonObject order = readyOrder(account, "www.hospital.test");
        server.ca.failWith(new PkiException(ErrorKind.CA_UNAVAILABLE, "the CA at ca:8443 is unreachable"));
        Response refused;
        try {
            refused = client.post(order.getString("finalize"), csr("www.hospital.test"), account);
        } finally {
            server.ca.failWith(null);
        }
        assertProblem(refused, "serverInternal", 500);
        assertThat(refused.header("Retry-After")).isNotNull();
        assertThat(Long.parseLong(refused.header("Retry-After"))).isPositive();
        assertThat(refused.json().getString("detail")).doesNotContain("ca:8443");
        assertThat(client.post(order.getString("url"), null, account).json().getString("status")).isEqualTo("ready");

        Response retried = client.post(order.getString("finalize"), csr("www.hospital.test"), account);
        assertThat(retried.json().getString("status")).isEqualTo("valid");
    }

    @Test
    void ordersBeyondTheAccountsHourlyLimitAreRateLimited() {
        Account account = client.newAccount();
        for (int i = 0; i < ORDERS_PER_HOUR; i++) {
            assertThat(client.post(client.url("/new-order"), order("www.hospital.test"), account).status()).isEqualTo(201);
        }
        Response limited = client.post(client.url("/new-order"), order("www.hospital.test"), account);
        assertProblem(limited, "rateLimited", 429);
        assertThat(limited.header("Retry-After")).isNotNull();
        // Another account has its own budget.
        assertThat(client.post(client.url("/new-order"), order("www.hospital.test"), client.newAccount()).status())
                .isEqualTo(201);
    }

    @Test
    void ordersBeyondTheAccountsHourlyLimitForOneNameAreRateLimitedForThatNameOnly() {
        int perName = server.config.ordersPerNamePerHour(false);
        try (AcmeTestServer own = new AcmeTestServer(vertx, false, challenges.actualPort(), tmp.resolve("hosts"),
                perName + 10)) {
            AcmeTestClient c = own.client();
            Account account = c.newAccount();
            for (int i = 0; i < perName; i++) {
                assertThat(c.post(c.url("/new-order"), order("loop.hospital.test"), account).status()).isEqualTo(201);
            }
            Response limited = c.post(c.url("/new-order"), order("loop.hospital.test", "new.hospital.test"), account);
            assertProblem(limited, "rateLimited", 429);
            assertThat(limited.json().getString("detail")).contains("loop.hospital.test");
            assertThat(own.auditStore.details("acme.order_rate_limited")).singleElement().asString()
                    .contains("\"reason\":\"name\"");
            assertThat(c.post(c.url("/new-order"), order("new.hospital.test"), account).status()).isEqualTo(201);
            assertThat(c.post(c.url("/new-order"), order("loop.hospital.test"), c.newAccount()).status())
                    .as("another account's budget for the name").isEqualTo(201);
        }
    }

    // ---- revocation

    @Test
    void revocationByTheOrderingAccountReachesTheCaAndAnotherAccountIsRefused() throws Exception {
        Account owner = client.newAccount();
        JsonObject order = readyOrder(owner, "api.hospital.test");
        Response finalized = client.post(order.getString("finalize"), csr("api.hospital.test"), owner);
        X509Certificate cert = download(finalized.json().getString("certificate"), owner);
        String revoke = new JsonObject().put("certificate", Base64URL.encode(cert.getEncoded()).toString())
                .put("reason", 1).encode();

        assertProblem(client.post(client.url("/revoke-cert"), revoke, client.newAccount()), "unauthorized", 403);
        assertThat(server.ca.revocations).noneMatch(r -> r.serial().equals(cert.getSerialNumber()));

        Response revoked = client.post(client.url("/revoke-cert"), revoke, owner);
        assertThat(revoked.status()).isEqualTo(200);
        assertThat(server.ca.revocations).contains(new InMemoryCertificateAuthority.Revocation(cert.getSerialNumber(),
                RevocationReason.KEY_COMPROMISE, "acme:" + owner.url()));
    }

    // ---- renewal information (RFC 9773)

    @Test
    void renewalInfoAnswersTheLastThirdOfTheLifeThenAPastWindowOnceTheCertificateIsRevoked() throws Exception {
        Account owner = client.newAccount();
        JsonObject order = readyOrder(owner, "lab.hospital.test");
        Response finalized = client.post(order.getString("finalize"), csr("lab.hospital.test"), owner);
        X509Certificate cert = download(finalized.json().getString("certificate"), owner);
        String url = client.url("/renewal-info/" + certId(cert));

        Response standing = client.get(url);
        assertThat(standing.status()).isEqualTo(200);
        java.time.Instant start = java.time.Instant.parse(standing.json().getJsonObject("suggestedWindow")
                .getString("start"));
        java.time.Instant end = java.time.Instant.parse(standing.json().getJsonObject("suggestedWindow")
                .getString("end"));
        assertThat(start).isAfter(java.time.Instant.now()).isBefore(end);
        assertThat(end).isBefore(cert.getNotAfter().toInstant());
        assertThat(standing.json().containsKey("explanationURL")).isFalse();
        assertThat(standing.header("Retry-After")).isEqualTo("21600");
        assertThat(standing.header("Cache-Control")).isEqualTo("public, max-age=21600");

        // Revoked elsewhere ('pki revoke', the admin API) ten minutes ago: a window that ended an
        // hour before the revocation, the same at every request, with the explanation and a
        // sooner next check.
        java.time.Instant revokedAt = java.time.Instant.now().minusSeconds(600).truncatedTo(
                java.time.temporal.ChronoUnit.SECONDS);
        server.ca.revokedElsewhere(cert.getSerialNumber(), revokedAt);
        Response revoked = client.get(url);
        assertThat(revoked.status()).isEqualTo(200);
        JsonObject window = revoked.json().getJsonObject("suggestedWindow");
        assertThat(java.time.Instant.parse(window.getString("end"))).isEqualTo(revokedAt.minusSeconds(3600))
                .isBefore(java.time.Instant.now());
        assertThat(java.time.Instant.parse(window.getString("start"))).isEqualTo(revokedAt.minusSeconds(7200));
        assertThat(revoked.json().getString("explanationURL")).isEqualTo(AcmeTestServer.RENEWAL_EXPLANATION);
        assertThat(revoked.header("Retry-After")).isEqualTo("3600");
        assertThat(revoked.header("Cache-Control")).isEqualTo("public, max-age=3600");
        assertThat(client.get(url).json().getJsonObject("suggestedWindow")).isEqualTo(window);
    }

    @Test
    void renewalInfoOfACertificateWhoseIssuingCaWasRolledOverStartsAtTheSwitch() throws Exception {
        Account owner = client.newAccount();
        JsonObject order = readyOrder(owner, "api.hospital.test");
        Response finalized = client.post(order.getString("finalize"), csr("api.hospital.test"), owner);
        X509Certificate cert = download(finalized.json().getString("certificate"), owner);
        String url = client.url("/renewal-info/" + certId(cert));
        java.time.Instant usualStart = java.time.Instant.parse(client.get(url).json()
                .getJsonObject("suggestedWindow").getString("start"));

        java.time.Instant switchAt = java.time.Instant.now().plusSeconds(3600).truncatedTo(
                java.time.temporal.ChronoUnit.SECONDS);
        server.ca.issuerSupersededElsewhere(cert.getSerialNumber(), switchAt);
        JsonObject window = client.get(url).json().getJsonObject("suggestedWindow");
        assertThat(java.time.Instant.parse(window.getString("start"))).isEqualTo(switchAt).isBefore(usualStart);
        assertThat(java.time.Instant.parse(window.getString("end"))).isEqualTo(switchAt.plus(
                RenewalInfoHandler.SUPERSEDED_WINDOW));
    }

    @Test
    void renewalInfoOfACertificateRevokedByItsAccountLiesInThePast() throws Exception {
        Account owner = client.newAccount();
        JsonObject order = readyOrder(owner, "www.hospital.test");
        Response finalized = client.post(order.getString("finalize"), csr("www.hospital.test"), owner);
        X509Certificate cert = download(finalized.json().getString("certificate"), owner);
        String revoke = new JsonObject().put("certificate", Base64URL.encode(cert.getEncoded()).toString())
                .put("reason", 4).encode();
        assertThat(client.post(client.url("/revoke-cert"), revoke, owner).status()).isEqualTo(200);

        Response ari = client.get(client.url("/renewal-info/" + certId(cert)));
        assertThat(ari.status()).isEqualTo(200);
        assertThat(java.time.Instant.parse(ari.json().getJsonObject("suggestedWindow").getString("end")))
                .isBefore(java.time.Instant.now().minusSeconds(3000));
        // The client renews at once, naming the revoked certificate as the one it replaces.
        Response renewal = client.post(client.url("/new-order"), new JsonObject(order("www.hospital.test"))
                .put("replaces", certId(cert)).encode(), owner);
        assertThat(renewal.status()).as(renewal.body()).isEqualTo(201);
        assertThat(renewal.json().getString("replaces")).isEqualTo(certId(cert));
    }

    @Test
    void renewalInfoOfAnUnknownOrMalformedIdIsRefused() throws Exception {
        Account owner = client.newAccount();
        JsonObject order = readyOrder(owner, "api.hospital.test");
        Response finalized = client.post(order.getString("finalize"), csr("api.hospital.test"), owner);
        X509Certificate cert = download(finalized.json().getString("certificate"), owner);
        String serial = certId(cert).substring(certId(cert).indexOf('.') + 1);

        assertProblem(client.get(client.url("/renewal-info/" + Base64URL.encode(new byte[20]) + "." + serial)),
                "malformed", 404);
        assertProblem(client.get(client.url("/renewal-info/not-an-id")), "malformed", 400);
    }

    // ---- refusals at the JWS layer

    @Test
    void aSpentNonceIsBadNonceAndTheRefusalCarriesAFreshOne() {
        Account account = client.newAccount();
        String nonce = client.freshNonce();
        assertThat(client.postWithNonce(account.url(), null, account.key(), account.url(), nonce).status())
                .isEqualTo(200);

        Response replayed = client.postWithNonce(account.url(), null, account.key(), account.url(), nonce);
        assertProblem(replayed, "badNonce", 400);
        assertProblem(client.postWithNonce(account.url(), null, account.key(), account.url(), "neverIssued"),
                "badNonce", 400);
        String fresh = replayed.header("Replay-Nonce");
        assertThat(fresh).isNotNull().isNotEqualTo(nonce);
        assertThat(client.postWithNonce(account.url(), null, account.key(), account.url(), fresh).status())
                .isEqualTo(200);
    }

    @Test
    void forgedAndExpiredNoncesAreBadNonceWithoutTouchingTheRepository() {
        Account account = client.newAccount();
        String good = client.freshNonce();
        char last = good.charAt(10);
        String tampered = good.substring(0, 10) + (last == 'A' ? 'B' : 'A') + good.substring(11);
        Nonces sameKey = new Nonces(server.repository.nonceKey(),
                java.time.Clock.fixed(java.time.Instant.now().minus(Nonces.LIFETIME).minusSeconds(1),
                        java.time.ZoneOffset.UTC));
        Nonces otherKey = new Nonces(new byte[32], java.time.Clock.systemUTC());
        int spent = server.repository.spentNonceCount();
        for (String bad : new String[] {tampered, sameKey.mint(), otherKey.mint(), "neverIssued"}) {
            assertProblem(client.postWithNonce(account.url(), null, account.key(), account.url(), bad), "badNonce", 400);
        }
        assertThat(server.repository.spentNonceCount()).isEqualTo(spent);
        assertThat(client.postWithNonce(account.url(), null, account.key(), account.url(), good).status())
                .isEqualTo(200);
        assertThat(server.repository.spentNonceCount()).isEqualTo(spent + 1);
    }

    @Test
    void getsOtherThanNewNonceCarryNoNonceAndStoreNothing() {
        int spent = server.repository.spentNonceCount();
        for (int i = 0; i < 300; i++) {
            Response r = client.get(client.url("/no-such-thing-" + i));
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.header("Replay-Nonce")).isNull();
        }
        assertThat(client.get(client.url("/directory")).header("Replay-Nonce")).isNull();
        assertThat(server.repository.spentNonceCount()).isEqualTo(spent);
        // A POST answers with one, refused or not (RFC 8555 6.5).
        assertThat(client.raw(client.url("/no-such-thing"), "{}", "application/jose+json").header("Replay-Nonce"))
                .isNotNull();
    }

    @Test
    void twoInstancesOverOneRepositoryAcceptEachOthersNoncesOnce() {
        try (AcmeTestServer second = new AcmeTestServer(vertx, false, challenges.actualPort(), tmp.resolve("hosts"),
                ORDERS_PER_HOUR, server.repository)) {
            AcmeTestClient b = second.client();
            String fromA = client.freshNonce();
            ECKey key = AcmeTestClient.newKey();
            Response created = b.postWithNonce(b.url("/new-account"), "{}", key, null, fromA);
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            // Spent on B: refused on A and on B.
            assertProblem(client.postWithNonce(client.url("/new-account"), "{}", key, null, fromA), "badNonce", 400);
            assertProblem(b.postWithNonce(b.url("/new-account"), "{}", key, null, fromA), "badNonce", 400);
        }
    }

    @Test
    void malformedJwsBodiesAreMalformedNeverServerErrors() {
        String url = client.url("/new-account");
        String header = Base64URL.encode("{\"alg\":\"ES256\",\"jwk\":{\"kty\":\"EC\"},\"nonce\":\"n\",\"url\":\""
                + url + "\"}").toString();
        List<String> bodies = List.of(
                "not json",
                "[1,2]",
                "{}",
                "{\"protected\":\"eyJ9\",\"payload\":\"\"}",
                "{\"protected\":17,\"payload\":\"\",\"signature\":\"AAAA\"}",
                "{\"protected\":\"bm90IGpzb24\",\"payload\":\"\",\"signature\":\"AAAA\"}",
                "{\"protected\":\"" + header + "\",\"payload\":\"\",\"signature\":\"AAAA\"}",
                "{\"protected\":\"e30\",\"payload\":\"\",\"signature\":\"AAAA\",\"header\":{}}");
        List<String> answers = new ArrayList<>();
        for (String body : bodies) {
            Response r = client.raw(url, body, "application/jose+json");
            answers.add(r.status() + " " + r.problem() + " <- " + body);
            assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
            assertThat(r.header("Replay-Nonce")).isNotNull();
        }
        assertThat(answers).allMatch(a -> a.startsWith("400 malformed"), "every body is refused as malformed");
        assertProblem(client.raw(url, "{}", "application/json"), "malformed", 400);
    }

    @Test
    void protectedHeaderMembersOfTheWrongTypeAreMalformedNeverServerErrors() {
        ECKey key = AcmeTestClient.newKey();
        String newAccount = client.url("/new-account");
        String newOrder = client.url("/new-order");
        JsonObject jwk = new JsonObject(key.toPublicJWK().toJSONString());
        JsonObject base = new JsonObject().put("alg", "ES256").put("jwk", jwk).put("nonce", "bm9uY2U")
                .put("url", newAccount);
        JsonObject kidBase = new JsonObject().put("alg", "ES256").put("kid", client.url("/account/x"))
                .put("nonce", "bm9uY2U").put("url", newOrder);
        record Case(String url, JsonObject header, String problem) {
        }
        List<Case> cases = new ArrayList<>();
        for (Object wrong : new Object[] {null, 5, true, new JsonArray().add("ES256"), new JsonObject()}) {
            cases.add(new Case(newAccount, base.copy().put("alg", wrong), "malformed"));
            cases.add(new Case(newAccount, base.copy().put("jwk", wrong), "malformed"));
            cases.add(new Case(newAccount, base.copy().put("nonce", wrong), "malformed"));
            cases.add(new Case(newAccount, base.copy().put("url", wrong), "malformed"));
            cases.add(new Case(newOrder, kidBase.copy().put("kid", wrong), "malformed"));
            cases.add(new Case(client.url("/revoke-cert"), base.copy().put("url", client.url("/revoke-cert"))
                    .put("kid", wrong), "malformed"));
        }
        cases.add(new Case(newAccount, base.copy().put("jwk", "a string"), "malformed"));
        cases.add(new Case(newAccount, base.copy().put("jwk", new JsonObject().put("kty", "EC")), "malformed"));
        cases.add(new Case(newAccount, base.copy().put("jwk", new JsonObject().put("kty", "oct").put("k", "AAAA")),
                "malformed"));
        cases.add(new Case(newAccount, base.copy().put("crit", "b64"), "malformed"));
        cases.add(new Case(newAccount, base.copy().put("crit", new JsonArray().add("b64")).put("b64", false),
                "malformed"));
        cases.add(new Case(newAccount, base.copy().put("nonce", "not base64url!"), "malformed"));
        cases.add(new Case(newAccount, base.copy().put("typ", 5), "malformed"));
        cases.add(new Case(newAccount, base.copy().put("alg", "none"), "badSignatureAlgorithm"));
        cases.add(new Case(newAccount, base.copy().put("alg", "HS256"), "badSignatureAlgorithm"));
        JsonObject noNonce = base.copy();
        noNonce.remove("nonce");
        cases.add(new Case(newAccount, noNonce, "badNonce"));
        JsonObject noUrl = base.copy();
        noUrl.remove("url");
        cases.add(new Case(newAccount, noUrl, "malformed"));
        cases.add(new Case(newAccount, base.copy().put("url", newOrder), "unauthorized"));

        List<String> wrongAnswers = new ArrayList<>();
        for (Case c : cases) {
            String body = new JsonObject().put("protected", Base64URL.encode(c.header().encode()).toString())
                    .put("payload", Base64URL.encode("{}").toString()).put("signature", "AAAA").encode();
            Response r = client.raw(c.url(), body, "application/jose+json");
            if (r.status() >= 500 || !"application/problem+json".equals(r.header("Content-Type"))
                    || !c.problem().equals(r.problem()) || r.header("Replay-Nonce") == null) {
                wrongAnswers.add(r.status() + " " + r.body() + " <- " + c.header().encode());
            }
        }
        assertThat(wrongAnswers).isEmpty();
    }

    @Test
    void jwsMembersAndProtectedHeadersOfTheWrongShapeAreMalformed() {
        String url = client.url("/new-account");
        String sig = "AAAA";
        List<String> bodies = new ArrayList<>();
        for (String wrong : new String[] {"null", "5", "true", "[]", "{}"}) {
            bodies.add("{\"protected\":" + wrong + ",\"payload\":\"\",\"signature\":\"" + sig + "\"}");
            bodies.add("{\"protected\":\"e30\",\"payload\":" + wrong + ",\"signature\":\"" + sig + "\"}");
            bodies.add("{\"protected\":\"e30\",\"payload\":\"\",\"signature\":" + wrong + "}");
        }
        for (String header : new String[] {"null", "5", "\"text\"", "[1]", "{\"alg\":\"ES256\"", "\u0000"}) {
            bodies.add("{\"protected\":\"" + Base64URL.encode(header) + "\",\"payload\":\"\",\"signature\":\"AAAA\"}");
        }
        bodies.add("{\"protected\":\"e30=\",\"payload\":\"\",\"signature\":\"AAAA\"}");
        bodies.add("{\"protected\":\"e30\",\"payload\":\"e30=\",\"signature\":\"AAAA\"}");
        bodies.add("null");
        bodies.add("\"text\"");
        List<String> wrongAnswers = new ArrayList<>();
        for (String body : bodies) {
            Response r = client.raw(url, body, "application/jose+json");
            if (r.status() != 400 || !"malformed".equals(r.problem())) {
                wrongAnswers.add(r.status() + " " + r.body() + " <- " + body);
            }
        }
        assertThat(wrongAnswers).isEmpty();
    }

    @Test
    void signedPayloadsThatAreNotJsonObjectsAreMalformed() {
        for (String payload : new String[] {"null", "5", "[]", "\"text\"", "{"}) {
            assertProblem(client.post(client.url("/new-account"), payload, AcmeTestClient.newKey(), null), "malformed", 400);
        }
    }

    @Test
    void rsaAccountKeysOutsideExponent65537And2048To4096BitsAreBadPublicKey() throws Exception {
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
        g.initialize(new java.security.spec.RSAKeyGenParameterSpec(2048, java.math.BigInteger.valueOf(3)));
        KeyPair exponent3 = g.generateKeyPair();
        g.initialize(1024);
        KeyPair small = g.generateKeyPair();
        for (KeyPair pair : new KeyPair[] {exponent3, small}) {
            com.nimbusds.jose.jwk.RSAKey jwk = new com.nimbusds.jose.jwk.RSAKey.Builder(
                    (java.security.interfaces.RSAPublicKey) pair.getPublic()).build();
            String url = client.url("/new-account");
            com.nimbusds.jose.JWSObject o = new com.nimbusds.jose.JWSObject(
                    new com.nimbusds.jose.JWSHeader.Builder(com.nimbusds.jose.JWSAlgorithm.RS256).jwk(jwk)
                            .customParam("nonce", client.freshNonce()).customParam("url", url).build(),
                    new com.nimbusds.jose.Payload("{}"));
            o.sign(new com.nimbusds.jose.crypto.RSASSASigner(pair.getPrivate(), true));
            String[] parts = o.serialize().split("\\.");
            String body = new JsonObject().put("protected", parts[0]).put("payload", parts[1])
                    .put("signature", parts[2]).encode();
            assertProblem(client.raw(url, body, "application/jose+json"), "badPublicKey", 400);
        }
    }

    @Test
    void floodsOfEabAndRevocationRefusalsAreAuditedWithinTheBudget() throws Exception {
        int flood = AcmeAudit.BUDGET_PER_MINUTE + 10;
        try (AcmeTestServer own = new AcmeTestServer(vertx, true, challenges.actualPort(), tmp.resolve("hosts"),
                ORDERS_PER_HOUR)) {
            AcmeTestClient c = own.client();
            String newAccount = c.url("/new-account");
            EabKey eab = EabKeys.generate("tls-server", List.of("*.hospital.test"));
            own.repository.createEabKey(eab);
            byte[] wrongSecret = EabKeys.generate("tls-server", List.of("x.test")).hmacKey();
            String revoke = new JsonObject().put("certificate", Base64URL.encode(own.tlsCertificate.getEncoded())
                    .toString()).encode();
            for (int i = 0; i < flood; i++) {
                ECKey key = AcmeTestClient.newKey();
                assertProblem(c.post(newAccount, withEab(AcmeTestClient.eab(newAccount, eab.kid(), wrongSecret, key)),
                        key, null), "unauthorized", 403);
                assertProblem(c.post(c.url("/revoke-cert"), revoke, AcmeTestClient.newKey(), null), "unauthorized", 403);
            }
            List<String> types = own.auditStore.types();
            // Within one minute: the budget's entries, the rest only counted (the count rides on
            // the next entry written for the same reason).
            assertThat(types.stream().filter("acme.account_refused"::equals).count())
                    .isEqualTo(AcmeAudit.BUDGET_PER_MINUTE);
            assertThat(types.stream().filter("acme.revocation_refused"::equals).count())
                    .isEqualTo(AcmeAudit.BUDGET_PER_MINUTE);
        }
    }

    @Test
    void aClientThatSendsHalfARequestLineAndStallsIsClosed() throws Exception {
        var limits = new org.medpki.listener.ListenerLimits(java.time.Duration.ofSeconds(30),
                java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(1), 2);
        try (AcmeTestServer own = new AcmeTestServer(vertx, false, challenges.actualPort(), tmp.resolve("hosts"),
                ORDERS_PER_HOUR, new InMemoryAcmeRepository(java.time.Clock.systemUTC()), limits)) {
            javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
            tls.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            try (java.net.Socket socket = tls.getSocketFactory().createSocket("127.0.0.1", own.config.port())) {
                socket.getOutputStream().write("GET /acme/direc".getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                assertThat(closedWithin(socket, java.time.Duration.ofSeconds(15))).isTrue();
            }
            // Over the cap (2): the third connection is closed at once (after its TLS handshake), and counted.
            try (javax.net.ssl.SSLSocket a = (javax.net.ssl.SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1",
                    own.config.port());
                 javax.net.ssl.SSLSocket b = (javax.net.ssl.SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1",
                         own.config.port());
                 javax.net.ssl.SSLSocket c = (javax.net.ssl.SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1",
                         own.config.port())) {
                a.startHandshake();
                b.startHandshake();
                c.startHandshake();
                assertThat(closedWithin(c, java.time.Duration.ofSeconds(5))).isTrue();
            }
            JsonObject connections = null;
            for (int attempt = 0; connections == null; attempt++) {
                try {
                    connections = own.client().get(own.config.baseUrl().replace("/acme", "/health")).json()
                            .getJsonObject("connections");
                } catch (RuntimeException e) {
                    if (attempt == 20) {
                        throw e;
                    }
                    Thread.sleep(250); // the closed sockets may still count for a moment
                }
            }
            assertThat(connections.getLong("timedOut")).isGreaterThanOrEqualTo(1);
            assertThat(connections.getLong("refused")).isGreaterThanOrEqualTo(1);
        }
    }

    /** Whether the peer closed the connection (end of stream or an error) within {@code limit}. */
    private static boolean closedWithin(java.net.Socket s, java.time.Duration limit) throws java.io.IOException {
        s.setSoTimeout((int) limit.toMillis());
        try {
            while (s.getInputStream().read() != -1) {
                // drain
            }
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (java.io.IOException e) {
            return true;
        }
    }

    @Test
    void healthNamesTheStorageWhenItDoesNotAnswer() {
        assertThat(client.get(server.config.baseUrl().replace("/acme", "/health")).status()).isEqualTo(200);
        server.repository.reachable(false);
        try {
            Response down = client.get(server.config.baseUrl().replace("/acme", "/health"));
            assertThat(down.status()).isEqualTo(503);
            assertThat(down.json().getString("database")).isEqualTo("DOWN");
        } finally {
            server.repository.reachable(true);
        }
    }

    // ---- helpers

    private static void assertProblem(Response r, String type, int status) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.json().getString("type")).isEqualTo(ERR + type);
    }

    /** The RFC 9773 certificate id: base64url(AKI keyIdentifier) "." base64url(serial DER content). */
    private static String certId(X509Certificate cert) {
        byte[] aki = org.bouncycastle.asn1.x509.AuthorityKeyIdentifier.getInstance(
                org.bouncycastle.asn1.ASN1OctetString.getInstance(cert.getExtensionValue("2.5.29.35")).getOctets())
                .getKeyIdentifierOctets();
        return Base64URL.encode(aki) + "." + Base64URL.encode(cert.getSerialNumber().toByteArray());
    }

    private static String order(String... names) {
        JsonArray ids = new JsonArray();
        Arrays.stream(names).forEach(n -> ids.add(new JsonObject().put("type", "dns").put("value", n)));
        return new JsonObject().put("identifiers", ids).encode();
    }

    @Test
    void aTargetTricklingItsAnswerMakesTheChallengeInvalidAtTheDeadlineWithAGenericError() throws Exception {
        // A server of its own with a short deadline: the others have a generous one.
        try (AcmeTestServer own = new AcmeTestServer(vertx, challenges.actualPort(), tmp.resolve("hosts"),
                java.time.Duration.ofSeconds(3))) {
            trickledValidationEndsAtTheDeadline(own);
        }
    }

    private static void trickledValidationEndsAtTheDeadline(AcmeTestServer server) throws Exception {
        AcmeTestClient client = server.client();
        Account account = client.newAccount();
        Response created = client.post(client.url("/new-order"), order("lab.hospital.test"), account);
        String authzUrl = created.json().getJsonArray("authorizations").getString(0);
        JsonObject http01 = challenge(client.post(authzUrl, null, account).json(), "http-01");
        keyAuthorizations.put(http01.getString("token"), TRICKLE);

        Response answered = client.post(http01.getString("url"), "{}", account);

        assertThat(answered.status()).isEqualTo(200);
        assertThat(answered.json().getString("status")).isEqualTo("invalid");
        JsonObject error = answered.json().getJsonObject("error");
        assertThat(error.getString("type")).isEqualTo(ERR + "connection");
        assertThat(error.encode()).doesNotContain("127.0.0.1").doesNotContain(Integer.toString(challenges.actualPort()));
        assertThat(client.post(authzUrl, null, account).json().getString("status")).isEqualTo("invalid");
        assertThat(client.post(http01.getString("url"), null, account).json().getString("status"))
                .as("not left processing").isEqualTo("invalid");
        assertThat(client.post(created.header("Location"), null, account).json().getString("status"))
                .isEqualTo("invalid");
        String authzId = authzUrl.substring(authzUrl.lastIndexOf('/') + 1);
        // Audited under the budget of its kind and reason (anyone can make validations fail).
        assertThat(server.auditStore.details("acme.validation_failed")).filteredOn(d -> d.contains(authzId))
                .singleElement().asString().contains("\"reason\":\"CONNECTION\"").contains("\"challenge\":\"http-01\"");
    }

    @Test
    void anAccountOverItsValidationsPerHourIsRateLimitedAndItsChallengeStaysPending() throws Exception {
        AcmeTestClient c = limitedServer.client();
        Account account = c.newAccount();
        Response created = c.post(c.url("/new-order"), order("www.hospital.test", "api.hospital.test"), account);
        List<JsonObject> http01 = new ArrayList<>();
        for (Object url : created.json().getJsonArray("authorizations")) {
            JsonObject ch = challenge(c.post((String) url, null, account).json(), "http-01");
            keyAuthorizations.put(ch.getString("token"), ch.getString("token") + "." + account.key().computeThumbprint());
            http01.add(ch);
        }
        assertThat(c.post(http01.get(0).getString("url"), "{}", account).json().getString("status")).isEqualTo("valid");
        // The evidence of the validation, which outlives the authorization once housekeeping purges it.
        assertThat(limitedServer.auditStore.details("acme.validated")).anySatisfy(d -> assertThat(d)
                .containsAnyOf("www.hospital.test", "api.hospital.test").contains("\"challenge\":\"http-01\""));

        Response refused = c.post(http01.get(1).getString("url"), "{}", account);

        assertProblem(refused, "rateLimited", 429);
        assertThat(refused.header("Retry-After")).isNotNull();
        assertThat(c.post(http01.get(1).getString("url"), null, account).json().getString("status"))
                .as("left pending, to be answered again later").isEqualTo("pending");
        assertThat(challengeFetches.get(http01.get(1).getString("token"))).as("never fetched").isNull();
    }

    private static JsonObject challenge(JsonObject authz, String type) {
        return authz.getJsonArray("challenges").stream().map(JsonObject.class::cast)
                .filter(c -> c.getString("type").equals(type)).findFirst().orElseThrow();
    }

    /** A new order for {@code names} with every http-01 challenge answered: the order, with its url, ready. */
    private static JsonObject readyOrder(Account account, String... names) {
        Response created = client.post(client.url("/new-order"), order(names), account);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        for (Object url : created.json().getJsonArray("authorizations")) {
            JsonObject http01 = challenge(client.post((String) url, null, account).json(), "http-01");
            String token = http01.getString("token");
            try {
                keyAuthorizations.put(token, token + "." + account.key().computeThumbprint());
            } catch (JOSEException e) {
                throw new IllegalStateException(e);
            }
            assertThat(client.post(http01.getString("url"), "{}", account).json().getString("status"))
                    .isEqualTo("valid");
        }
        JsonObject order = client.post(created.header("Location"), null, account).json();
        assertThat(order.getString("status")).isEqualTo("ready");
        return order.put("url", created.header("Location"));
    }

    /** The finalize payload: a CSR (new EC key) naming exactly {@code names}. */
    private static String csr(String... names) {
        try {
            return csr(InMemoryCertificateAuthority.ecKey(), names);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The finalize payload: a CSR for {@code key} naming exactly {@code names}. */
    private static String csr(KeyPair key, String... names) {
        try {
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

    /** The leaf of the PEM chain at the certificate URL. */
    private static X509Certificate download(String url, Account account) throws Exception {
        Response r = client.post(url, null, account);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).isEqualTo("application/pem-certificate-chain");
        var chain = CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(r.body().getBytes(StandardCharsets.US_ASCII)));
        assertThat(chain).hasSize(2);
        return (X509Certificate) chain.iterator().next();
    }
}
