package org.medpki.core.crl;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Port: where CRLs and their numbers live. CRL numbers are per (CA, shard), shared by complete
 * and delta CRLs of that scope (RFC 5280 5.2.3), strictly increasing and never reused: the number
 * is taken in the same transaction that stores the CRL, so a CRL that was never stored never
 * used its number, and two publishers serialise on the scope's counter. Calls block.
 */
public interface CrlStore {

    /**
     * Announced (PostgreSQL NOTIFY, payload "caId:shard:kind:number") in the transaction that stores a CRL,
     * so that every CRL server serves it at once, whoever published it.
     */
    String PUBLISHED_CHANNEL = "pki_crl";

    /**
     * Takes the next CRL number of the scope, has {@code producer} build and sign the CRL while
     * the entries stream from the database, and stores it; all in one transaction. For a delta,
     * the base is the newest stored complete CRL of the scope (NOT_FOUND when there is none).
     */
    PublishedCrl publish(CrlRequest request, CrlProducer producer);

    /** The newest stored CRL of each (CA, shard, kind), for serving after a restart. */
    List<PublishedCrl> latest();

    Optional<PublishedCrl> latest(long caId, int shard, CrlKind kind);

    /**
     * The partitions (shard 1 and up) that hold certificates of the CA, each with the notAfter of
     * its last-expiring certificate, whatever the shard count configured now: a certificate keeps
     * the shard (and so the CDP) it was issued with, so a shard outlives a smaller count.
     */
    Map<Integer, Instant> shardsInUse(long caId);

    /** The shards recorded with these certificates of the CA at issuance (serials not found are left out). */
    Set<Integer> shardsOf(long caId, Collection<BigInteger> serials);

    /**
     * The issuing CAs (CA rows) whose key was destroyed (key retirement): their final CRLs stand,
     * and nothing is published for them any more.
     */
    default Set<Long> retiredCas() {
        return Set.of();
    }

    /**
     * What to publish: a scope of a CA and which kind. Entries are those revoked before
     * {@code asOf} (exclusive; the end of the CRL's thisUpdate second), leaving out certificates that expired before
     * {@code droppedIfExpiredBefore}; a delta lists those revoked after its base's thisUpdate
     * minus {@code deltaOverlap}.
     */
    record CrlRequest(long caId, int shard, CrlKind kind, Instant asOf, Instant droppedIfExpiredBefore,
                      java.time.Duration deltaOverlap) {
        public CrlRequest {
            java.util.Objects.requireNonNull(kind, "kind");
            java.util.Objects.requireNonNull(asOf, "asOf");
            java.util.Objects.requireNonNull(droppedIfExpiredBefore, "droppedIfExpiredBefore");
            java.util.Objects.requireNonNull(deltaOverlap, "deltaOverlap");
            if (shard < 0 || shard > CrlScope.MAX_SHARD) {
                throw new IllegalArgumentException("shard out of range: " + shard);
            }
        }
    }

    /** Builds and signs one CRL given its number, its base (deltas) and the entries. */
    @FunctionalInterface
    interface CrlProducer {
        SignedCrl produce(BigInteger number, PublishedCrl base, RevokedEntries entries);
    }

    /** The revoked certificates of a scope in ascending serial order, streamed once. */
    @FunctionalInterface
    interface RevokedEntries {
        /** Feeds every entry to {@code sink}; returns how many. */
        long forEach(Consumer<RevokedEntry> sink);
    }
}
