package org.medpki.inventory.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import io.vertx.core.json.JsonArray;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medpki.acme.Account;
import org.medpki.acme.AcmeIds;
import org.medpki.acme.AcmeRepository;
import org.medpki.acme.Authorization;
import org.medpki.acme.Challenge;
import org.medpki.acme.EabKeys;
import org.medpki.acme.EabKey;
import org.medpki.acme.Identifier;
import org.medpki.acme.Order;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

/**
 * What the ACME end-to-end tests cannot show: the races the port promises to decide (a nonce, an
 * EAB key, a finalize, taken by concurrent callers), the rows the per-name rate limit counts and
 * what housekeeping deletes, against a real PostgreSQL (from ops/test).
 */
class PgAcmeRepositoryTest {
    private static final int RACERS = 6;
    private static TestDatabase database;
    private static InventoryDatabase db;
    private static AcmeRepository acme;
    private static ECKey key;
    private static ExecutorService threads;

    @BeforeAll
    static void open() throws Exception {
        database = TestDatabase.create();
        db = InventoryDatabase.open(database.url(), 8);
        acme = PgAcmeRepository.over(db);
        key = new ECKeyGenerator(Curve.P_256).generate();
        threads = Executors.newFixedThreadPool(RACERS);
    }

    @AfterAll
    static void close() {
        if (threads != null) {
            threads.shutdownNow();
        }
        if (db != null) {
            db.close();
        }
        if (database != null) {
            database.close();
        }
    }

    /** Runs {@code work} on RACERS threads released at once; the outcomes (value or exception) in order. */
    private static <T> List<Object> race(Callable<T> work) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<T>> futures = new ArrayList<>();
        for (int i = 0; i < RACERS; i++) {
            futures.add(threads.submit(() -> {
                go.await();
                return work.call();
            }));
        }
        go.countDown();
        List<Object> outcomes = new ArrayList<>();
        for (Future<T> f : futures) {
            try {
                outcomes.add(f.get());
            } catch (java.util.concurrent.ExecutionException e) {
                outcomes.add(e.getCause());
            }
        }
        return outcomes;
    }

    private static Account account(String eabKid) {
        String id = AcmeIds.newId();
        return new Account(id, "thumb-" + id, key.toPublicJWK(), new JsonArray(), "valid", eabKid);
    }

    @Test
    void aNonceIsSpentExactlyOnceEvenByConcurrentSpendersAndForgottenAfterItExpired() throws Exception {
        Instant now = Instant.now();
        for (int i = 0; i < 10; i++) {
            String id = AcmeIds.newId();
            Instant expires = now.plus(Duration.ofMinutes(5));
            assertThat(race(() -> acme.spendNonce(id, expires))).filteredOn(Boolean.TRUE::equals).hasSize(1);
        }
        String old = AcmeIds.newId();
        assertThat(acme.spendNonce(old, now.minusSeconds(1))).isTrue();
        assertThat(acme.purgeSpentNonces(now)).isGreaterThanOrEqualTo(1);
    }

    @Test
    void theNonceKeyIsOneRandomKeyOfTheInstallation() {
        byte[] key = acme.nonceKey();
        assertThat(key).hasSizeGreaterThanOrEqualTo(32).isEqualTo(acme.nonceKey());
        assertThat(key).isNotEqualTo(new byte[key.length]);
    }

    @Test
    void anEabKeyBindsOneAccountEvenWhenSeveralRaceForIt() throws Exception {
        EabKey eab = EabKeys.generate("tls-server", List.of("*.hospital.test"));
        acme.createEabKey(eab);
        assertThatThrownBy(() -> acme.createEabKey(eab)).isInstanceOfSatisfying(PkiException.class,
                e -> assertThat(e.kind()).isEqualTo(ErrorKind.CONFLICT));

        List<Account> candidates = new ArrayList<>();
        for (int i = 0; i < RACERS; i++) {
            candidates.add(account(eab.kid()));
        }
        var next = new java.util.concurrent.atomic.AtomicInteger();
        List<Object> outcomes = race(() -> {
            acme.createAccount(candidates.get(next.getAndIncrement()));
            return "created";
        });
        assertThat(outcomes).filteredOn("created"::equals).hasSize(1);
        assertThat(outcomes).filteredOn(o -> !"created".equals(o)).allSatisfy(o -> assertThat(o)
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNAUTHORIZED)));
        String boundTo = acme.eabKey(eab.kid()).orElseThrow().accountId();
        // The losers' accounts were rolled back with their failed binding.
        assertThat(candidates).filteredOn(a -> acme.account(a.id()).isPresent()).extracting(Account::id)
                .containsExactly(boundTo);
    }

    @Test
    void aKeyIsOneAccountsOnly() {
        Account first = account(null);
        Account second = account(null);
        acme.createAccount(first);
        acme.createAccount(second);
        Account sameKey = new Account(AcmeIds.newId(), first.thumbprint(), key.toPublicJWK(), new JsonArray(), "valid",
                null);
        assertThatThrownBy(() -> acme.createAccount(sameKey)).isInstanceOfSatisfying(PkiException.class, e -> {
            assertThat(e.kind()).isEqualTo(ErrorKind.CONFLICT);
            assertThat(e.detail()).isEqualTo("an account with this key exists already");
        });

        assertThatThrownBy(() -> acme.changeKey(first.id(), first.thumbprint(), second.thumbprint(), key.toPublicJWK()))
                .isInstanceOfSatisfying(PkiException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.CONFLICT);
                    assertThat(e.detail()).isEqualTo("the new key is already used by another account");
                });
        assertThatThrownBy(() -> acme.changeKey(first.id(), "not-its-key", "thumb-new", key.toPublicJWK()))
                .isInstanceOfSatisfying(PkiException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.CONFLICT);
                    assertThat(e.detail()).isEqualTo("the account key changed concurrently");
                });
        acme.changeKey(first.id(), first.thumbprint(), "thumb-new-" + first.id(), key.toPublicJWK());
        assertThat(acme.accountByThumbprint("thumb-new-" + first.id())).get().extracting(Account::id)
                .isEqualTo(first.id());
        assertThat(acme.accountByThumbprint(first.thumbprint())).isEmpty();
    }

    @Test
    void aReadyOrderStartsProcessingOnceEvenWhenFinalizedConcurrently() throws Exception {
        Account account = account(null);
        acme.createAccount(account);
        Order order = newOrder(account, "valid", "ready-race.hospital.test");
        assertThat(acme.order(order.id()).orElseThrow().status()).isEqualTo("pending");
        acme.refreshOrdersOf(order.authorizationIds().getFirst());
        assertThat(acme.order(order.id()).orElseThrow().status()).isEqualTo("ready");

        assertThat(race(() -> acme.startProcessing(order.id()))).filteredOn(Boolean.TRUE::equals).hasSize(1);
        assertThat(acme.order(order.id()).orElseThrow().status()).isEqualTo("processing");
    }

    @Test
    void thePerNameCountTakesTheAccountsOrdersForExactlyThatName() {
        Account account = account(null);
        Account other = account(null);
        acme.createAccount(account);
        acme.createAccount(other);
        Instant hourAgo = Instant.now().minus(Duration.ofHours(1));
        newOrder(account, "pending", "ward.test");
        newOrder(account, "pending", "ward.test");
        newOrder(account, "pending", "www.ward.test");
        newOrder(account, "pending", "*.ward.test");
        newOrder(account, "pending", "ward.test.example");
        newOrder(other, "pending", "ward.test");
        Identifier ward = new Identifier("dns", "ward.test");
        assertThat(acme.ordersForIdentifierSince(account.id(), ward, hourAgo)).isEqualTo(2);
        assertThat(acme.ordersForIdentifierSince(account.id(), new Identifier("dns", "*.ward.test"), hourAgo))
                .as("a wildcard is a name of its own").isEqualTo(1);
        assertThat(acme.ordersForIdentifierSince(other.id(), ward, hourAgo)).as("another account's count").isEqualTo(1);
        assertThat(acme.ordersForIdentifierSince(account.id(), new Identifier("ip", "ward.test"), hourAgo)).isZero();
        assertThat(acme.ordersForIdentifierSince(account.id(), ward, Instant.now().plus(Duration.ofMinutes(5)))).isZero();
        assertThat(acme.ordersSince(account.id(), hourAgo)).isEqualTo(5);
    }

    @Test
    void housekeepingDeletesEndedOrdersAndTheAuthorizationsNoOrderNamesInBoundedBatches() {
        Account account = account(null);
        acme.createAccount(account);
        Instant now = Instant.now();
        Instant longAgo = now.minus(Duration.ofDays(40));
        Order expired = newOrder(account, "pending", "gone.ward.test", longAgo);
        Order certificateExpired = newOrder(account, "valid", "old.ward.test", longAgo);
        acme.orderIssued(certificateExpired.id(), "1a", "PEM", longAgo);
        Order certificateValid = newOrder(account, "valid", "kept.ward.test", longAgo);
        acme.orderIssued(certificateValid.id(), "1b", "PEM", now.plus(Duration.ofDays(40)));
        Order recent = newOrder(account, "pending", "recent.ward.test", now.minus(Duration.ofDays(1)));
        String expiredChallenge = acme.authorization(expired.authorizationIds().getFirst()).orElseThrow()
                .challenges().getFirst().id();

        Instant cutoff = now.minus(Duration.ofDays(30));
        AcmeRepository.Purged first = acme.purge(cutoff, 1);
        assertThat(first).as("one of each at most per batch").isEqualTo(new AcmeRepository.Purged(1, 1));
        AcmeRepository.Purged rest = acme.purge(cutoff, 1000);
        assertThat(rest).isEqualTo(new AcmeRepository.Purged(1, 1));
        assertThat(acme.purge(cutoff, 1000).any()).isFalse();

        assertThat(acme.order(expired.id())).isEmpty();
        assertThat(acme.order(certificateExpired.id())).isEmpty();
        assertThat(acme.authorization(expired.authorizationIds().getFirst())).isEmpty();
        assertThat(acme.challenge(expiredChallenge)).isEmpty();
        assertThat(acme.authorization(certificateExpired.authorizationIds().getFirst())).isEmpty();
        // A certificate still valid keeps its order, and the order its (long expired) authorization.
        assertThat(acme.order(certificateValid.id())).isPresent();
        assertThat(acme.orderBySerial("1b")).isPresent();
        assertThat(acme.authorization(certificateValid.authorizationIds().getFirst())).isPresent();
        assertThat(acme.order(recent.id())).as("ended less than purgeAfter ago").isPresent();
    }

    @Test
    void theValidationCountTakesTheAccountsStartedChallengesOnly() {
        Account account = account(null);
        Account other = account(null);
        acme.createAccount(account);
        acme.createAccount(other);
        Instant hourAgo = Instant.now().minus(Duration.ofHours(1));
        List<String> challenges = new ArrayList<>();
        for (String name : List.of("v1.ward.test", "v2.ward.test", "v3.ward.test")) {
            Order o = newOrder(account, "pending", name);
            challenges.add(acme.authorization(o.authorizationIds().getFirst()).orElseThrow().challenges().getFirst().id());
        }
        Order others = newOrder(other, "pending", "v4.ward.test");
        String othersChallenge = acme.authorization(others.authorizationIds().getFirst()).orElseThrow()
                .challenges().getFirst().id();
        assertThat(acme.validationsSince(account.id(), hourAgo)).isZero();

        assertThat(acme.startChallenge(challenges.get(0))).isTrue();
        assertThat(acme.startChallenge(challenges.get(1))).isTrue();
        assertThat(acme.startChallenge(challenges.get(1))).as("started once").isFalse();
        assertThat(acme.startChallenge(othersChallenge)).isTrue();

        assertThat(acme.validationsSince(account.id(), hourAgo)).isEqualTo(2);
        assertThat(acme.validationsSince(other.id(), hourAgo)).isEqualTo(1);
        assertThat(acme.validationsSince(account.id(), Instant.now().plus(Duration.ofMinutes(5)))).isZero();

        assertThat(acme.abandonedValidations(hourAgo)).extracting(Challenge::id).doesNotContain(challenges.get(0));
        assertThat(acme.abandonedValidations(Instant.now().plus(Duration.ofMinutes(5)))).extracting(Challenge::id)
                .contains(challenges.get(0), challenges.get(1)).doesNotContain(challenges.get(2));
    }

    @Test
    void theNewDnsChallengesAreStoredAndAnAuthorizationValidatedByDnsPersistIsNeverReused() {
        Account account = account(null);
        acme.createAccount(account);
        Instant now = Instant.now();
        for (String type : List.of("dns-account-01", "dns-persist-01")) {
            String name = type + ".reuse.ward.test";
            String authzId = AcmeIds.newId();
            Identifier id = new Identifier("dns", name);
            List<Challenge> challenges = List.of("dns-account-01", "dns-persist-01").stream()
                    .map(t -> new Challenge(AcmeIds.newId(), authzId, t, AcmeIds.newId(), "pending", null, null)).toList();
            acme.createOrder(new Order(AcmeIds.newId(), account.id(), "pending", List.of(id), "tls-server",
                    now.plus(Duration.ofDays(1)), null, null, null, null, null, null, List.of(authzId)),
                    List.of(new Authorization(authzId, account.id(), id, false, "pending", now.plus(Duration.ofDays(1)),
                            challenges)));
            Challenge solved = acme.authorization(authzId).orElseThrow().challenges().stream()
                    .filter(c -> c.type().equals(type)).findFirst().orElseThrow();
            assertThat(acme.startChallenge(solved.id())).isTrue();
            acme.finishChallenge(solved, true, null, now);

            var reused = acme.reusableAuthorization(account.id(), id, false, now.plusSeconds(60),
                    now.minus(Duration.ofDays(7)));
            if (type.equals("dns-persist-01")) {
                assertThat(reused).as("the standing record is read again for each order").isEmpty();
            } else {
                assertThat(reused).map(Authorization::id).contains(authzId);
            }
        }
    }

    /** An order for one name with a new authorization of {@code authzStatus} and its http-01 challenge. */
    private static Order newOrder(Account account, String authzStatus, String name) {
        return newOrder(account, authzStatus, name, Instant.now().plus(Duration.ofDays(1)));
    }

    /** The same, with the order and its authorization expiring at {@code expires}. */
    private static Order newOrder(Account account, String authzStatus, String name, Instant expires) {
        boolean wildcard = name.startsWith("*.");
        Identifier id = new Identifier("dns", name);
        String authzId = AcmeIds.newId();
        Authorization authz = new Authorization(authzId, account.id(),
                wildcard ? new Identifier("dns", name.substring(2)) : id, wildcard, authzStatus,
                expires, List.of(new Challenge(AcmeIds.newId(), authzId, wildcard ? "dns-01" : "http-01",
                AcmeIds.newId(), "pending", null, null)));
        Order order = new Order(AcmeIds.newId(), account.id(), "pending", List.of(id), "tls-server",
                expires, null, null, null, null, null, null, List.of(authzId));
        acme.createOrder(order, List.of(authz));
        return order;
    }
}
