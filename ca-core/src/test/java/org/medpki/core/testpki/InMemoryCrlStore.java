package org.medpki.core.testpki;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.medpki.core.crl.CrlKind;
import org.medpki.core.crl.CrlStore;
import org.medpki.core.crl.PublishedCrl;
import org.medpki.core.crl.RevokedEntry;
import org.medpki.core.crl.SignedCrl;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

/**
 * The {@link CrlStore} port in memory, with PgCrlStore's rules: one number sequence per (CA,
 * shard) shared by complete and delta CRLs, taken only if the CRL is stored (a failure anywhere
 * leaves counter and store as they were), a delta based on the newest complete CRL of its scope,
 * the entries read from an {@link InMemoryInventory} as PgCrlStore selects them, and the
 * announcement on {@link #PUBLISHED_CHANNEL}. Publications are serialised, as the counter's row
 * lock serialises them in PostgreSQL.
 */
public final class InMemoryCrlStore implements CrlStore {
    private record Scope(long caId, int shard) {
    }

    private final InMemoryInventory inventory;
    private final Clock clock;
    private final Map<Scope, BigInteger> counters = new HashMap<>();
    private final List<PublishedCrl> stored = new ArrayList<>();

    public InMemoryCrlStore(InMemoryInventory inventory, Clock clock) {
        this.inventory = Objects.requireNonNull(inventory, "inventory");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public PublishedCrl publish(CrlRequest request, CrlProducer producer) {
        PublishedCrl crl;
        synchronized (this) {
            Scope scope = new Scope(request.caId(), request.shard());
            BigInteger number = counters.getOrDefault(scope, BigInteger.ZERO).add(BigInteger.ONE);
            PublishedCrl base = null;
            if (request.kind() == CrlKind.DELTA) {
                base = latest(request.caId(), request.shard(), CrlKind.FULL).orElseThrow(() -> new PkiException(
                        ErrorKind.NOT_FOUND, "no complete CRL of CA " + request.caId() + " shard " + request.shard()
                        + " to base a delta CRL on"));
            }
            Instant revokedAfter = base == null ? Instant.EPOCH : base.thisUpdate().minus(request.deltaOverlap());
            List<RevokedEntry> entries = inventory.revokedEntries(request.caId(), request.shard(), request.asOf(),
                    request.droppedIfExpiredBefore(), revokedAfter);
            SignedCrl signed = producer.produce(number, base, sink -> {
                entries.forEach(sink);
                return entries.size();
            });
            if (!signed.number().equals(number)) {
                throw new PkiException(ErrorKind.INTERNAL, "the CRL carries number " + signed.number()
                        + ", not the allocated " + number);
            }
            crl = new PublishedCrl(request.caId(), request.shard(), request.kind(), number,
                    base == null ? null : base.number(), signed.thisUpdate(), signed.nextUpdate(), signed.entries(),
                    signed.der(), clock.instant());
            stored.add(crl);
            counters.put(scope, number);
        }
        inventory.notifications().announce(PUBLISHED_CHANNEL, crl.caId() + ":" + crl.shard() + ":"
                + crl.kind().wireName() + ":" + crl.number());
        return crl;
    }

    @Override
    public synchronized List<PublishedCrl> latest() {
        Map<String, PublishedCrl> newest = new HashMap<>();
        for (PublishedCrl c : stored) {
            newest.merge(c.caId() + ":" + c.shard() + ":" + c.kind().wireName(), c,
                    (a, b) -> a.number().compareTo(b.number()) >= 0 ? a : b);
        }
        return newest.values().stream().sorted(Comparator.comparingLong(PublishedCrl::caId)
                .thenComparingInt(PublishedCrl::shard).thenComparing(c -> c.kind().wireName())).toList();
    }

    @Override
    public synchronized Optional<PublishedCrl> latest(long caId, int shard, CrlKind kind) {
        return stored.stream().filter(c -> c.caId() == caId && c.shard() == shard && c.kind() == kind)
                .max(Comparator.comparing(PublishedCrl::number));
    }

    @Override
    public Map<Integer, Instant> shardsInUse(long caId) {
        return inventory.shardsInUse(caId);
    }

    private final Set<Long> retired = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** The CA's key counts as destroyed (key retirement): {@link #retiredCas} names it. */
    public void retire(long caId) {
        retired.add(caId);
    }

    @Override
    public Set<Long> retiredCas() {
        return Set.copyOf(retired);
    }

    @Override
    public Set<Integer> shardsOf(long caId, Collection<BigInteger> serials) {
        return inventory.shardsOf(caId, serials);
    }

    /** Every stored CRL, in the order stored. */
    public synchronized List<PublishedCrl> all() {
        return List.copyOf(stored);
    }
}
