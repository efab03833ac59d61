package org.medpki.ocsp;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.medpki.core.inventory.CertificateQuery;
import org.medpki.core.inventory.CertificateRecord;
import org.medpki.core.inventory.CertificateStatus;
import org.medpki.core.inventory.Inventory;

/**
 * The {@link OcspRepository} port in memory, with PgOcspRepository's rules: statuses read from
 * the inventory (here the {@link Inventory} port, e.g. ca-core's InMemoryInventory), pending or
 * absent is unknown, a stored 'good' never replaces a 'revoked', and the same selection of due
 * and revoked certificates. Counts its reads, so a test can tell a cache hit from a lookup.
 */
final class InMemoryOcspRepository implements OcspRepository {
    private record Key(long caId, BigInteger serial) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = Long.compare(caId, o.caId);
            return c != 0 ? c : serial.compareTo(o.serial);
        }
    }

    private final Inventory inventory;
    private final Clock clock;
    private final Map<Key, Stored> responses = new TreeMap<>();
    private final AtomicInteger reads = new AtomicInteger();
    private final AtomicInteger fullLookups = new AtomicInteger();
    private final AtomicInteger recentLookups = new AtomicInteger();

    InMemoryOcspRepository(Inventory inventory, Clock clock) {
        this.inventory = Objects.requireNonNull(inventory, "inventory");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** How many times {@link #due} (every valid certificate) and {@link #dueSince} were asked. */
    int fullLookups() {
        return fullLookups.get();
    }

    int recentLookups() {
        return recentLookups.get();
    }

    /** How many statuses and stored responses were read. */
    int reads() {
        return reads.get();
    }

    @Override
    public CertState state(long caId, BigInteger serial) {
        reads.incrementAndGet();
        return inventory.certificate(caId, serial).map(r -> switch (r.status()) {
            case ISSUED -> CertState.GOOD;
            case REVOKED -> (CertState) new CertState.Revoked(r.revokedAt(), r.reason());
            case PENDING -> CertState.UNKNOWN;
        }).orElse(CertState.UNKNOWN);
    }

    @Override
    public synchronized Optional<Stored> stored(long caId, BigInteger serial) {
        reads.incrementAndGet();
        return Optional.ofNullable(responses.get(new Key(caId, serial)));
    }

    @Override
    public synchronized void save(long caId, BigInteger serial, SignedResponse r) {
        Key key = new Key(caId, serial);
        Stored old = responses.get(key);
        if (old != null && old.status().equals("revoked") && !(r.state() instanceof CertState.Revoked)) {
            return;
        }
        responses.put(key, new Stored(caId, serial, r.state().wireName(), r.signerId(), r.thisUpdate(),
                r.nextUpdate(), r.der()));
    }

    @Override
    public synchronized List<Stored> current(Instant now, int limit) {
        return responses.values().stream().filter(s -> s.nextUpdate().isAfter(now))
                .sorted(Comparator.comparing(Stored::thisUpdate).reversed()).limit(limit).toList();
    }

    @Override
    public synchronized List<Stored> all(Instant now) {
        return responses.values().stream().filter(s -> s.nextUpdate().isAfter(now)).toList();
    }

    @Override
    public synchronized List<Due> due(Instant signedBefore, long[] servedCas, long[] currentSigners, int limit) {
        fullLookups.incrementAndGet();
        Instant now = clock.instant();
        return certificates().stream()
                .filter(c -> c.status() != CertificateStatus.PENDING && c.notAfter().isAfter(now))
                .filter(c -> contains(servedCas, c.caId()))
                .map(c -> Map.entry(c, Optional.ofNullable(responses.get(new Key(c.caId(), c.serial())))))
                .filter(e -> e.getValue().map(s -> s.thisUpdate().isBefore(signedBefore)
                        || !contains(currentSigners, s.signerId())).orElse(true))
                .sorted(Comparator.comparing(e -> e.getValue().map(Stored::thisUpdate).orElse(Instant.MIN)))
                .limit(limit)
                .map(e -> new Due(e.getKey().caId(), e.getKey().serial()))
                .toList();
    }

    @Override
    public synchronized List<Due> dueSince(Instant issuedSince, Instant liveSince, Instant signedBefore,
                                           long[] servedCas, int limit) {
        recentLookups.incrementAndGet();
        Instant now = clock.instant();
        return certificates().stream()
                .filter(c -> c.status() != CertificateStatus.PENDING && c.notAfter().isAfter(now))
                .filter(c -> contains(servedCas, c.caId()))
                .map(c -> Map.entry(c, Optional.ofNullable(responses.get(new Key(c.caId(), c.serial())))))
                .filter(e -> e.getValue().map(s -> !s.thisUpdate().isBefore(liveSince)
                                && s.thisUpdate().isBefore(signedBefore))
                        .orElse(!e.getKey().createdAt().isBefore(issuedSince)))
                .sorted(Comparator.comparing(e -> e.getValue().map(Stored::thisUpdate).orElse(Instant.MIN)))
                .limit(limit)
                .map(e -> new Due(e.getKey().caId(), e.getKey().serial()))
                .toList();
    }

    @Override
    public List<Due> revoked(long[] servedCas) {
        return certificates().stream()
                .filter(c -> c.status() == CertificateStatus.REVOKED && contains(servedCas, c.caId()))
                .map(c -> new Due(c.caId(), c.serial())).toList();
    }

    private List<CertificateRecord> certificates() {
        return inventory.list(new CertificateQuery(null, null, null, 100_000));
    }

    private static boolean contains(long[] values, long value) {
        return Arrays.stream(values).anyMatch(v -> v == value);
    }
}
