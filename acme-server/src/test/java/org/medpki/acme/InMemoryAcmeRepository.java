package org.medpki.acme;

import com.nimbusds.jose.jwk.JWK;
import io.vertx.core.json.JsonArray;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

/**
 * {@link AcmeRepository} in memory, for fast tests of the handlers: the same state machine as
 * PgAcmeRepository's SQL (nonces spent once, EAB keys bound once, conditional status moves, the
 * orders re-derived from their authorizations) and the same failure kinds, the schema's
 * constraints included (a unique key is CONFLICT, a missing referenced row NOT_FOUND, a refused
 * status MALFORMED). Every method is synchronized: each is atomic, as a statement or transaction is.
 * {@code created_at}, which PostgreSQL sets, comes from the clock given here.
 */
final class InMemoryAcmeRepository implements AcmeRepository {
    private static final Set<String> ACCOUNT_STATUSES = Set.of("valid", "deactivated", "revoked");
    private static final Set<String> ORDER_STATUSES = Set.of("pending", "ready", "processing", "valid", "invalid");
    private static final Set<String> AUTHZ_STATUSES = Set.of("pending", "valid", "invalid", "deactivated", "expired",
            "revoked");
    private static final Set<String> CHALLENGE_STATUSES = Set.of("pending", "processing", "valid", "invalid");

    private record Stored<T>(T value, Instant createdAt, long seq) {
        Stored<T> with(T newValue) {
            return new Stored<>(newValue, createdAt, seq);
        }
    }

    private final Clock clock;
    private final byte[] nonceKey = new byte[32];
    private final Map<String, Instant> spentNonces = new HashMap<>();
    private final Map<String, EabKey> eabKeys = new HashMap<>();
    private final Map<String, Account> accounts = new HashMap<>();
    private final Map<String, Stored<Order>> orders = new LinkedHashMap<>();
    private final Map<String, Stored<Authorization>> authorizations = new HashMap<>();
    private final Map<String, Challenge> challenges = new HashMap<>();
    /** When each challenge was started (acme_challenge.started, which PostgreSQL sets). */
    private final Map<String, Instant> started = new HashMap<>();
    /** The notAfter of each issued order's certificate (acme_order.cert_not_after). */
    private final Map<String, Instant> certNotAfter = new HashMap<>();
    private long seq;
    private volatile boolean reachable = true;

    InMemoryAcmeRepository(Clock clock) {
        this.clock = clock;
        new java.security.SecureRandom().nextBytes(nonceKey);
    }

    /** Makes /health see the storage down (or up again). */
    void reachable(boolean up) {
        reachable = up;
    }

    /** How many spent nonces are stored (the only nonces that are). */
    synchronized int spentNonceCount() {
        return spentNonces.size();
    }

    @Override
    public boolean reachable() {
        return reachable;
    }

    // ---- nonces

    @Override
    public byte[] nonceKey() {
        return nonceKey.clone();
    }

    @Override
    public synchronized boolean spendNonce(String id, Instant expires) {
        return spentNonces.putIfAbsent(id, expires) == null;
    }

    @Override
    public synchronized int purgeSpentNonces(Instant now) {
        int before = spentNonces.size();
        spentNonces.values().removeIf(expires -> !expires.isAfter(now));
        return before - spentNonces.size();
    }

    // ---- EAB keys

    @Override
    public synchronized void createEabKey(EabKey key) {
        if (key.hmacKey().length < 32 || key.namePatterns().isEmpty()) {
            throw new PkiException(ErrorKind.MALFORMED, "storing EAB key " + key.kid() + " failed: the values are refused");
        }
        if (eabKeys.containsKey(key.kid())) {
            throw new PkiException(ErrorKind.CONFLICT, "storing EAB key " + key.kid() + " failed: the kid exists");
        }
        eabKeys.put(key.kid(), new EabKey(key.kid(), key.hmacKey(), key.profiles(), key.namePatterns(), null));
    }

    @Override
    public synchronized Optional<EabKey> eabKey(String kid) {
        return Optional.ofNullable(eabKeys.get(kid));
    }

    // ---- accounts

    @Override
    public synchronized void createAccount(Account account) {
        status(account.status(), ACCOUNT_STATUSES);
        EabKey key = account.eabKid() == null ? null : eabKeys.get(account.eabKid());
        if (account.eabKid() != null && (key == null || key.accountId() != null)) {
            throw new PkiException(ErrorKind.UNAUTHORIZED,
                    "the external account key " + account.eabKid() + " is already bound to an account");
        }
        if (accounts.containsKey(account.id())
                || accounts.values().stream().anyMatch(a -> a.thumbprint().equals(account.thumbprint()))) {
            throw new PkiException(ErrorKind.CONFLICT, "an account with this key exists already");
        }
        if (key != null) {
            eabKeys.put(key.kid(), new EabKey(key.kid(), key.hmacKey(), key.profiles(), key.namePatterns(), account.id()));
        }
        accounts.put(account.id(), copy(account));
    }

    @Override
    public synchronized Optional<Account> accountByThumbprint(String thumbprint) {
        return accounts.values().stream().filter(a -> a.thumbprint().equals(thumbprint)).findFirst()
                .map(InMemoryAcmeRepository::copy);
    }

    @Override
    public synchronized Optional<Account> account(String id) {
        return Optional.ofNullable(accounts.get(id)).map(InMemoryAcmeRepository::copy);
    }

    @Override
    public synchronized void updateAccount(String id, JsonArray contact, String status) {
        status(status, ACCOUNT_STATUSES);
        Account a = accounts.get(id);
        if (a != null) {
            accounts.put(id, new Account(id, a.thumbprint(), a.key(), contact, status, a.eabKid()));
        }
    }

    @Override
    public synchronized void changeKey(String id, String oldThumbprint, String thumbprint, JWK key) {
        Account a = accounts.get(id);
        if (a == null || !a.thumbprint().equals(oldThumbprint)) {
            throw new PkiException(ErrorKind.CONFLICT, "the account key changed concurrently");
        }
        if (accounts.values().stream().anyMatch(o -> !o.id().equals(id) && o.thumbprint().equals(thumbprint))) {
            throw new PkiException(ErrorKind.CONFLICT, "the new key is already used by another account");
        }
        accounts.put(id, new Account(id, thumbprint, key, a.contact(), a.status(), a.eabKid()));
    }

    /** The JSON contact array is mutable: hand out and keep copies, as a row read is a fresh object. */
    private static Account copy(Account a) {
        return new Account(a.id(), a.thumbprint(), a.key(), a.contact().copy(), a.status(), a.eabKid());
    }

    // ---- orders and authorizations

    @Override
    public synchronized void createOrder(Order order, List<Authorization> created) {
        // Every check before any write: the transaction stores all or nothing.
        status(order.status(), ORDER_STATUSES);
        requireAccount(order.accountId());
        Set<String> newIds = new HashSet<>();
        for (Authorization a : created) {
            status(a.status(), AUTHZ_STATUSES);
            requireAccount(a.accountId());
            if (authorizations.containsKey(a.id()) || !newIds.add(a.id())) {
                throw conflict("authorization " + a.id());
            }
            for (Challenge c : a.challenges()) {
                status(c.status(), CHALLENGE_STATUSES);
                if (challenges.containsKey(c.id()) || !newIds.add(c.id())) {
                    throw conflict("challenge " + c.id());
                }
            }
        }
        if (orders.containsKey(order.id())) {
            throw conflict("order " + order.id());
        }
        if (Set.copyOf(order.authorizationIds()).size() != order.authorizationIds().size()) {
            throw conflict("a link of order " + order.id());
        }
        for (String authz : order.authorizationIds()) {
            if (!authorizations.containsKey(authz) && created.stream().noneMatch(a -> a.id().equals(authz))) {
                throw new PkiException(ErrorKind.NOT_FOUND, "creating ACME order " + order.id()
                        + " failed: it refers to a row that does not exist (authorization " + authz + ")");
            }
        }
        Instant now = clock.instant();
        for (Authorization a : created) {
            for (Challenge c : a.challenges()) {
                challenges.put(c.id(), new Challenge(c.id(), a.id(), c.type(), c.token(), c.status(), null, null));
            }
            authorizations.put(a.id(), new Stored<>(new Authorization(a.id(), a.accountId(), a.identifier(),
                    a.wildcard(), a.status(), a.expires(), List.of()), now, seq++));
        }
        orders.put(order.id(), new Stored<>(new Order(order.id(), order.accountId(), order.status(),
                order.identifiers(), order.profile(), order.expires(), order.notBefore(), order.notAfter(), null, null,
                null, order.replaces(), order.authorizationIds()), now, seq++));
    }

    @Override
    public synchronized Optional<Order> order(String id) {
        Stored<Order> o = orders.get(id);
        if (o == null) {
            return Optional.empty();
        }
        // As the SQL reads them: by the authorizations' creation time, then id.
        List<String> authz = o.value().authorizationIds().stream().map(authorizations::get)
                .sorted(Comparator.comparing((Stored<Authorization> a) -> a.createdAt())
                        .thenComparing(a -> a.value().id()))
                .map(a -> a.value().id()).toList();
        Order v = o.value();
        return Optional.of(new Order(v.id(), v.accountId(), v.status(), v.identifiers(), v.profile(), v.expires(),
                v.notBefore(), v.notAfter(), v.errorJson(), v.certSerial(), v.certChain(), v.replaces(), authz));
    }

    @Override
    public synchronized Optional<Order> orderBySerial(String serialHex) {
        return orders.values().stream().filter(o -> serialHex.equals(o.value().certSerial())).findFirst()
                .flatMap(o -> order(o.value().id()));
    }

    @Override
    public synchronized List<String> orderIdsOf(String accountId) {
        return orders.values().stream()
                .filter(o -> o.value().accountId().equals(accountId)
                        && Set.of("pending", "ready", "processing", "valid").contains(o.value().status()))
                .sorted(Comparator.comparing((Stored<Order> o) -> o.createdAt()).thenComparing(Stored::seq))
                .limit(1000).map(o -> o.value().id()).toList();
    }

    @Override
    public synchronized long ordersSince(String accountId, Instant since) {
        return orders.values().stream()
                .filter(o -> o.value().accountId().equals(accountId) && o.createdAt().isAfter(since)).count();
    }

    @Override
    public synchronized long ordersForIdentifierSince(String accountId, Identifier identifier, Instant since) {
        return orders.values().stream().filter(o -> o.value().accountId().equals(accountId)
                && o.createdAt().isAfter(since) && o.value().identifiers().contains(identifier)).count();
    }

    @Override
    public synchronized Optional<Authorization> reusableAuthorization(String accountId, Identifier base,
                                                                      boolean wildcard, Instant validUntil,
                                                                      Instant createdAfter) {
        return authorizations.values().stream()
                .filter(s -> {
                    Authorization a = s.value();
                    return a.accountId().equals(accountId) && a.identifier().type().equals(base.type())
                            && a.identifier().value().equals(base.value()) && a.wildcard() == wildcard
                            && a.status().equals("valid") && a.expires().isAfter(validUntil)
                            && s.createdAt().isAfter(createdAfter)
                            && challenges.values().stream().noneMatch(c -> c.authzId().equals(a.id())
                                    && c.type().equals("dns-persist-01") && c.status().equals("valid"));
                })
                .max(Comparator.comparing(s -> s.value().expires()))
                .flatMap(s -> authorization(s.value().id()));
    }

    @Override
    public synchronized Optional<Authorization> authorization(String id) {
        Stored<Authorization> s = authorizations.get(id);
        if (s == null) {
            return Optional.empty();
        }
        Authorization a = s.value();
        List<Challenge> list = challenges.values().stream().filter(c -> c.authzId().equals(id))
                .sorted(Comparator.comparing(Challenge::type)).toList();
        return Optional.of(new Authorization(a.id(), a.accountId(), a.identifier(), a.wildcard(), a.status(),
                a.expires(), list));
    }

    @Override
    public synchronized Optional<Challenge> challenge(String id) {
        return Optional.ofNullable(challenges.get(id));
    }

    @Override
    public synchronized boolean startChallenge(String id) {
        Challenge c = challenges.get(id);
        if (c == null || !c.status().equals("pending")) {
            return false;
        }
        challenges.put(id, new Challenge(c.id(), c.authzId(), c.type(), c.token(), "processing", c.validated(),
                c.errorJson()));
        started.put(id, clock.instant());
        return true;
    }

    @Override
    public synchronized List<Challenge> abandonedValidations(Instant startedBefore) {
        return challenges.values().stream().filter(c -> c.status().equals("processing"))
                .filter(c -> started.get(c.id()) == null || started.get(c.id()).isBefore(startedBefore)).toList();
    }

    @Override
    public synchronized long validationsSince(String accountId, Instant since) {
        return started.entrySet().stream().filter(e -> e.getValue().isAfter(since)).filter(e -> {
            Stored<Authorization> a = authorizations.get(challenges.get(e.getKey()).authzId());
            return a != null && a.value().accountId().equals(accountId);
        }).count();
    }

    @Override
    public synchronized void finishChallenge(Challenge challenge, boolean valid, String errorJson, Instant now) {
        Challenge c = challenges.get(challenge.id());
        if (c != null) {
            challenges.put(c.id(), new Challenge(c.id(), c.authzId(), c.type(), c.token(), valid ? "valid" : "invalid",
                    valid ? now : null, errorJson));
        }
        Stored<Authorization> a = authorizations.get(challenge.authzId());
        if (a != null && a.value().status().equals("pending")) {
            setAuthzStatus(a, valid ? "valid" : "invalid");
        }
        refreshOrders(challenge.authzId());
    }

    @Override
    public synchronized void refreshOrdersOf(String authzId) {
        refreshOrders(authzId);
    }

    @Override
    public synchronized void setAuthorizationStatus(String authzId, String status) {
        status(status, AUTHZ_STATUSES);
        Stored<Authorization> a = authorizations.get(authzId);
        if (a != null) {
            setAuthzStatus(a, status);
        }
        refreshOrders(authzId);
    }

    /** The two UPDATEs of PgAcmeRepository.refreshOrders, in the same order. */
    private void refreshOrders(String authzId) {
        List<Stored<Order>> using = orders.values().stream()
                .filter(o -> o.value().authorizationIds().contains(authzId)).toList();
        for (Stored<Order> o : using) {
            if (Set.of("pending", "ready").contains(o.value().status())
                    && statuses(o).anyMatch(s -> !s.equals("pending") && !s.equals("valid"))) {
                setOrderStatus(o, "invalid");
            }
        }
        for (Stored<Order> o : using) {
            Stored<Order> now = orders.get(o.value().id());
            if (now.value().status().equals("pending") && statuses(now).allMatch(s -> s.equals("valid"))) {
                setOrderStatus(now, "ready");
            }
        }
    }

    private java.util.stream.Stream<String> statuses(Stored<Order> o) {
        return o.value().authorizationIds().stream().map(id -> authorizations.get(id).value().status());
    }

    @Override
    public synchronized boolean startProcessing(String orderId) {
        return move(orderId, "ready", "processing");
    }

    @Override
    public synchronized void backToReady(String orderId) {
        move(orderId, "processing", "ready");
    }

    @Override
    public synchronized void orderIssued(String orderId, String serialHex, String chainPem, Instant notAfter) {
        Stored<Order> s = orders.get(orderId);
        if (s != null) {
            certNotAfter.put(orderId, notAfter);
            Order o = s.value();
            orders.put(orderId, s.with(new Order(o.id(), o.accountId(), "valid", o.identifiers(), o.profile(),
                    o.expires(), o.notBefore(), o.notAfter(), o.errorJson(), serialHex, chainPem, o.replaces(),
                    o.authorizationIds())));
        }
    }

    @Override
    public synchronized boolean expireOrder(String orderId, Instant now) {
        Stored<Order> o = orders.get(orderId);
        if (o == null) {
            return false;
        }
        boolean gone = false;
        for (String id : o.value().authorizationIds()) {
            Stored<Authorization> a = authorizations.get(id);
            if (Set.of("pending", "valid").contains(a.value().status()) && !a.value().expires().isAfter(now)) {
                setAuthzStatus(a, "expired");
                gone = true;
            }
        }
        if (Set.of("pending", "ready").contains(o.value().status()) && (!o.value().expires().isAfter(now) || gone
                || statuses(o).anyMatch(s -> !s.equals("pending") && !s.equals("valid")))) {
            setOrderStatus(o, "invalid");
            return true;
        }
        return false;
    }

    @Override
    public synchronized void expireAuthorization(String authzId, Instant now) {
        Stored<Authorization> a = authorizations.get(authzId);
        if (a != null && Set.of("pending", "valid").contains(a.value().status()) && !a.value().expires().isAfter(now)) {
            setAuthzStatus(a, "expired");
            refreshOrders(authzId);
        }
    }

    @Override
    public synchronized void expire(Instant now) {
        for (Stored<Order> o : List.copyOf(orders.values())) {
            if (Set.of("pending", "ready").contains(o.value().status()) && !o.value().expires().isAfter(now)) {
                setOrderStatus(o, "invalid");
            }
        }
        for (Stored<Authorization> a : List.copyOf(authorizations.values())) {
            if (Set.of("pending", "valid").contains(a.value().status()) && !a.value().expires().isAfter(now)) {
                setAuthzStatus(a, "expired");
            }
        }
    }

    @Override
    public synchronized Purged purge(Instant endedBefore, int limit) {
        List<String> doomed = orders.values().stream().filter(o -> {
            Instant end = o.value().certSerial() != null ? certNotAfter.get(o.value().id()) : o.value().expires();
            return end != null && end.isBefore(endedBefore);
        }).limit(limit).map(o -> o.value().id()).toList();
        doomed.forEach(id -> {
            orders.remove(id);
            certNotAfter.remove(id);
        });
        Set<String> named = new HashSet<>();
        orders.values().forEach(o -> named.addAll(o.value().authorizationIds()));
        List<String> gone = authorizations.values().stream()
                .filter(a -> a.value().expires().isBefore(endedBefore) && !named.contains(a.value().id()))
                .limit(limit).map(a -> a.value().id()).toList();
        gone.forEach(id -> {
            authorizations.remove(id);
            challenges.values().removeIf(c -> c.authzId().equals(id));
        });
        return new Purged(doomed.size(), gone.size());
    }

    // ---- plumbing

    private boolean move(String orderId, String from, String to) {
        Stored<Order> o = orders.get(orderId);
        if (o == null || !o.value().status().equals(from)) {
            return false;
        }
        setOrderStatus(o, to);
        return true;
    }

    private void setOrderStatus(Stored<Order> stored, String status) {
        Order o = stored.value();
        orders.put(o.id(), stored.with(new Order(o.id(), o.accountId(), status, o.identifiers(), o.profile(),
                o.expires(), o.notBefore(), o.notAfter(), o.errorJson(), o.certSerial(), o.certChain(), o.replaces(),
                o.authorizationIds())));
    }

    private void setAuthzStatus(Stored<Authorization> stored, String status) {
        Authorization a = stored.value();
        authorizations.put(a.id(), stored.with(new Authorization(a.id(), a.accountId(), a.identifier(), a.wildcard(),
                status, a.expires(), a.challenges())));
    }

    private void requireAccount(String accountId) {
        if (!accounts.containsKey(accountId)) {
            throw new PkiException(ErrorKind.NOT_FOUND, "it refers to a row that does not exist (account "
                    + accountId + ")");
        }
    }

    private static PkiException conflict(String what) {
        return new PkiException(ErrorKind.CONFLICT, "storing " + what + " failed: the id exists");
    }

    /** The schema's CHECK constraints on status columns (a violation is MALFORMED, as PgErrors maps it). */
    private static void status(String status, Set<String> allowed) {
        if (!allowed.contains(status)) {
            throw new PkiException(ErrorKind.MALFORMED, "the database refused the values: status " + status);
        }
    }
}
