package org.medpki.crl;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Revocations announced and not yet on the CRLs that must list them promptly. A notice (from the
 * listener's thread) leaves its serial here; the publishing round turns the serials of a CA into
 * owed scopes once it knows their shards: a delta CRL owed at once, and a complete CRL owed from
 * the first notice of a burst (due {@code revocationCoalesce} later, so a burst is one CRL). What
 * a failed publication did not deliver is owed again, with its first notice kept, so it is due on
 * the first round that can publish. Thread-safe.
 */
final class RevocationBacklog {
    private record ScopeKey(long caId, int shard) {
    }

    /** The serials of one CA taken for resolution, with the first notice among them; every scope when {@code everyScope} is set. */
    record Notices(Map<BigInteger, Instant> serials, Instant everyScope) {
        boolean isEmpty() {
            return serials.isEmpty() && everyScope == null;
        }

        /** When the first of these notices arrived. */
        Instant first() {
            Instant first = everyScope;
            for (Instant at : serials.values()) {
                if (first == null || at.isBefore(first)) {
                    first = at;
                }
            }
            return first;
        }
    }

    private final Map<Long, Map<BigInteger, Instant>> unresolved = new HashMap<>();
    private final Map<Long, Instant> everyScope = new HashMap<>();
    private final Map<ScopeKey, Instant> deltaOwed = new HashMap<>();
    private final Map<ScopeKey, Instant> fullOwed = new HashMap<>();

    /** A notice of a revoked certificate of the CA ({@code serial} null: unknown, so every scope of the CA). */
    synchronized void noticed(long caId, BigInteger serial, Instant at) {
        if (serial == null) {
            everyScope.merge(caId, at, RevocationBacklog::earlier);
        } else {
            unresolved.computeIfAbsent(caId, k -> new HashMap<>()).merge(serial, at, RevocationBacklog::earlier);
        }
    }

    /** Takes the notices of a CA for the round to resolve into scopes. */
    synchronized Notices take(long caId) {
        Map<BigInteger, Instant> serials = unresolved.remove(caId);
        return new Notices(serials == null ? Map.of() : serials, everyScope.remove(caId));
    }

    /** Gives back notices the round could not resolve (the inventory did not answer). */
    synchronized void giveBack(long caId, Notices notices) {
        notices.serials().forEach((serial, at) -> noticed(caId, serial, at));
        if (notices.everyScope() != null) {
            noticed(caId, null, notices.everyScope());
        }
    }

    /** A delta CRL of the scope is owed at once. */
    synchronized void oweDelta(long caId, int shard, Instant since) {
        deltaOwed.merge(new ScopeKey(caId, shard), since, RevocationBacklog::earlier);
    }

    /** A complete CRL of the scope is owed, counting the coalescing window from {@code since}. */
    synchronized void oweFull(long caId, int shard, Instant since) {
        fullOwed.merge(new ScopeKey(caId, shard), since, RevocationBacklog::earlier);
    }

    /** Takes the owed delta of the scope: when it was first owed, or null. */
    synchronized Instant takeDelta(long caId, int shard) {
        return deltaOwed.remove(new ScopeKey(caId, shard));
    }

    /** When the complete CRL of the scope was first owed, or null; left in place. */
    synchronized Instant fullOwedSince(long caId, int shard) {
        return fullOwed.get(new ScopeKey(caId, shard));
    }

    /** Takes the owed complete CRL of the scope (published, or left to its schedule). */
    synchronized Instant takeFull(long caId, int shard) {
        return fullOwed.remove(new ScopeKey(caId, shard));
    }

    /** How long until the first owed complete CRL is due (zero if one is), or null when none is owed. */
    synchronized Duration untilFullDue(Instant now, Duration coalesce) {
        Duration least = null;
        for (Instant since : fullOwed.values()) {
            Duration d = Duration.between(now, since.plus(coalesce));
            if (d.isNegative()) {
                d = Duration.ZERO;
            }
            if (least == null || d.compareTo(least) < 0) {
                least = d;
            }
        }
        return least;
    }

    /** Forgets what is owed by CAs other than these (not issuing CAs of this hierarchy). */
    synchronized void retainCas(Set<Long> caIds) {
        unresolved.keySet().retainAll(caIds);
        everyScope.keySet().retainAll(caIds);
        deltaOwed.keySet().removeIf(k -> !caIds.contains(k.caId()));
        fullOwed.keySet().removeIf(k -> !caIds.contains(k.caId()));
    }

    /** Forgets everything (this instance is a standby: the active one publishes). */
    synchronized void clear() {
        unresolved.clear();
        everyScope.clear();
        deltaOwed.clear();
        fullOwed.clear();
    }

    private static Instant earlier(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
