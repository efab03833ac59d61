package org.medpki.acme;

import com.nimbusds.jose.jwk.JWK;
import io.vertx.core.json.JsonArray;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The ACME state as the handlers need it: nonces, EAB keys, accounts, orders, authorizations and
 * challenges. The ACME front end owns this port; the storage is an adapter elsewhere (PostgreSQL
 * in inventory-pg). Several instances of the server share one repository, so every "once" below
 * holds across instances: the implementation decides races, not the caller. Methods block; call
 * them from a virtual thread or a worker, never an event loop. Failures are {@code PkiException}s
 * (DATABASE_UNAVAILABLE, INTERNAL, and the kinds named below).
 */
public interface AcmeRepository {

    /** Whether the storage answers now (within a couple of seconds); for /health. Never throws. */
    boolean reachable();

    // ---- nonces (stateless: see {@link Nonces}; only spent ones are stored)

    /**
     * The installation's nonce key (HMAC-SHA256, at least 32 bytes): the same for every instance
     * sharing this repository, so that each accepts the nonces of the others. Read once at start.
     */
    byte[] nonceKey();

    /**
     * Records a nonce (its random part, {@code id}) as spent until {@code expires}: true the first
     * time, false when it was spent already, here or on another instance (even concurrently, even
     * before a restart). One durable write per spent nonce.
     */
    boolean spendNonce(String id, Instant expires);

    /** Forgets the spent nonces expired at {@code now} (they fail the expiry check anyway); returns how many. */
    int purgeSpentNonces(Instant now);

    // ---- EAB keys

    /** Stores a new, unbound EAB key; CONFLICT if the kid exists. */
    void createEabKey(EabKey key);

    /** The EAB key with this kid, with the account it is bound to, if any. */
    Optional<EabKey> eabKey(String kid);

    // ---- accounts

    /**
     * Creates the account and, when it names an EAB key, binds that key to it, atomically: the key
     * binds one account only, so a second account with the same (or an unknown) key is refused
     * with UNAUTHORIZED and nothing is stored. CONFLICT when an account with this key exists.
     */
    void createAccount(Account account);

    /** The account with this key thumbprint (RFC 7638). */
    Optional<Account> accountByThumbprint(String thumbprint);

    Optional<Account> account(String id);

    /** Replaces the account's contacts and status. */
    void updateAccount(String id, JsonArray contact, String status);

    /**
     * Key rollover: the account's key becomes {@code key} only if it is still {@code oldThumbprint}.
     * CONFLICT when it changed concurrently or when another account holds the new key.
     */
    void changeKey(String id, String oldThumbprint, String thumbprint, JWK key);

    // ---- orders and authorizations

    /**
     * Stores a new order with its new authorizations and their challenges, and links it to
     * {@code order.authorizationIds()} (the new ones and reused ones), atomically.
     */
    void createOrder(Order order, List<Authorization> created);

    /** The order as stored, its authorizations oldest first. */
    Optional<Order> order(String id);

    /** The order as it stands at {@code now}: settled first ({@link #expireOrder}) if its time, or an authorization's, is up. */
    default Optional<Order> order(String id, Instant now) {
        Optional<Order> o = order(id);
        if (o.isPresent() && (o.get().status().equals("pending") || o.get().status().equals("ready"))
                && expireOrder(id, now)) {
            return order(id);
        }
        return o;
    }

    /** The order whose certificate has this serial (lower-case hex). */
    Optional<Order> orderBySerial(String serialHex);

    /** The ids of the account's pending, ready, processing and valid orders, oldest first, at most 1000. */
    List<String> orderIdsOf(String accountId);

    /** How many orders the account made after {@code since}: for the per-account rate limit. */
    long ordersSince(String accountId, Instant since);

    /**
     * How many orders the account made after {@code since} that name exactly this identifier (a
     * wildcard is its own identifier): for the per-name rate limit.
     */
    long ordersForIdentifierSince(String accountId, Identifier identifier, Instant since);

    /**
     * A valid authorization of this account for the identifier ({@code base} with {@code wildcard}),
     * still valid at {@code validUntil} and created after {@code createdAfter}, to reuse; the one
     * expiring last. Never one validated by dns-persist-01: its standing record is read again for
     * each order, so that a removed record, a passed persistUntil or a TTL shorter than the reuse
     * window (draft-ietf-acme-dns-persist-01 section 7.8) takes effect at the next order.
     */
    Optional<Authorization> reusableAuthorization(String accountId, Identifier base, boolean wildcard,
                                                  Instant validUntil, Instant createdAfter);

    /** The authorization as stored, with its challenges. */
    Optional<Authorization> authorization(String id);

    /** The authorization as it stands at {@code now}: expired (with its orders settled) once its time is up. */
    default Optional<Authorization> authorization(String id, Instant now) {
        Optional<Authorization> a = authorization(id);
        if (a.isPresent() && (a.get().status().equals("pending") || a.get().status().equals("valid"))
                && !a.get().expires().isAfter(now)) {
            expireAuthorization(id, now);
            return authorization(id);
        }
        return a;
    }

    Optional<Challenge> challenge(String id);

    /**
     * Moves a pending challenge to processing, noting when: true exactly once; false when it was
     * not pending (a second response to the same challenge, here or on another instance, does not
     * validate twice).
     */
    boolean startChallenge(String id);

    /** How many validations (challenges started) of the account's authorizations began after {@code since}. */
    long validationsSince(String accountId, Instant since);

    /**
     * Challenges still processing that started before {@code startedBefore} (or before the start
     * was noted): validations whose process went away. Housekeeping ends them invalid.
     */
    List<Challenge> abandonedValidations(Instant startedBefore);

    /**
     * Records a validation's outcome, atomically: the challenge (valid with {@code now}, or invalid
     * with {@code errorJson}), its authorization if still pending, and every pending or ready order
     * using that authorization (ready once all its authorizations are valid, invalid once one ended
     * otherwise).
     */
    void finishChallenge(Challenge challenge, boolean valid, String errorJson, Instant now);

    /** Re-derives the status of the pending and ready orders using this authorization (after reuse). */
    void refreshOrdersOf(String authzId);

    /** Sets the authorization's status (deactivation) and re-derives its orders', atomically. */
    void setAuthorizationStatus(String authzId, String status);

    /** ready to processing: true exactly once; false if the order was not ready (finalize raced or came early). */
    boolean startProcessing(String orderId);

    /** processing back to ready (the CSR was refused or the CA failed: the client may finalize again); else a no-op. */
    void backToReady(String orderId);

    /**
     * The order is valid with its certificate's serial (lower-case hex) and PEM chain; it is kept
     * until the certificate's {@code notAfter} (revokeCert and ARI read it until then).
     */
    void orderIssued(String orderId, String serialHex, String chainPem, Instant notAfter);

    /**
     * Settles one order whose time may be up: its pending or valid authorizations past expiry
     * become expired, and a pending or ready order becomes invalid when it expired or when one of
     * its authorizations ended other than valid (RFC 8555 7.1.6). Atomic; true if the order changed.
     */
    boolean expireOrder(String orderId, Instant now);

    /** A pending or valid authorization past its expiry becomes expired, with its orders re-derived, atomically. */
    void expireAuthorization(String authzId, Instant now);

    /**
     * Housekeeping: pending or ready orders past their expiry become invalid, pending or valid
     * authorizations past theirs expired (the orders using them settle when next read).
     */
    void expire(Instant now);

    /**
     * Housekeeping: deletes at most {@code limit} orders that ended before {@code endedBefore}
     * (expired without a certificate, or their certificate expired), then at most {@code limit}
     * authorizations (with their challenges) that expired before it and that no remaining order
     * names. Each batch is atomic; returns what went.
     */
    Purged purge(Instant endedBefore, int limit);

    /** What one {@link #purge} call deleted. */
    record Purged(int orders, int authorizations) {
        public boolean any() {
            return orders > 0 || authorizations > 0;
        }
    }
}
