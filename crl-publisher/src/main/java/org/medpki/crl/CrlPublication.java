package org.medpki.crl;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.medpki.core.crl.CrlDistribution;
import org.medpki.core.crl.CrlSigning;
import org.medpki.core.crl.CrlKind;
import org.medpki.core.crl.CrlScope;
import org.medpki.core.crl.CrlStore;
import org.medpki.core.crl.PublishedCrl;
import org.medpki.core.error.PkiException;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.store.ExclusiveLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The publishing loop, on a thread of its own (it blocks on the HSM and the database). Each
 * round (every second, or at once when a revocation is announced): probe the database; take or
 * keep the publisher lock; if this instance is the active one, publish what is due for every
 * issuing CA and scope: a complete CRL when there is none, it is {@code fullInterval} old, or a
 * revocation is owed on it (below); a delta CRL when there is none on the newest complete CRL, it
 * is {@code deltaInterval} old, or a revocation is owed on it; the root's CRL when there is none
 * or a quarter of its validity is left. A standby instance re-reads the stored CRLs every
 * {@link #STANDBY_REFRESH} to serve them.
 *
 * <p>A revocation notice ("caId:serialHex") owes, as {@code crl.onRevocation} says: a delta of the
 * CA's complete scope and of the certificate's shard at once; and the complete CRL at the
 * certificate's CDP (its shard's, as recorded at issuance; the CA's when not partitioned)
 * {@code revocationCoalesce} after the first notice of a burst, unless that CRL has more than
 * {@code fullOnRevocationMaxEntries} entries and deltas are on. The scopes of a CA are the
 * configured ones and every shard that still holds certificates (read every {@link #SHARDS_REFRESH}).
 */
final class CrlPublication implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(CrlPublication.class);
    static final Duration STANDBY_REFRESH = Duration.ofSeconds(10);
    /** How often the shards in use are read again (they only change when the shard count does). */
    static final Duration SHARDS_REFRESH = Duration.ofMinutes(10);
    /** Issuing CAs whose key was destroyed, as last read. */
    private volatile Set<Long> retired = Set.of();
    /** More serials of one CA than this in one round: every scope of the CA is owed, without a look-up. */
    static final int MAX_LOOKUP = 10_000;
    private static final long TICK_MS = 1000;

    /** Receives each CRL as published or loaded, with its scope. */
    interface Sink {
        void accept(CrlScope scope, PublishedCrl crl, Duration buildTime);
    }

    private record Key(long caId, int shard, CrlKind kind) {
    }

    private final CrlSigning issuer;
    private final CrlStore store;
    private final ExclusiveLock lock;
    private final BooleanSupplier databaseProbe;
    private volatile Hierarchy hierarchy;
    private final CrlSettings settings;
    private final Clock clock;
    private final Sink sink;
    private final Map<Key, PublishedCrl> newest = new ConcurrentHashMap<>();
    private final RevocationBacklog backlog = new RevocationBacklog();
    private final Map<Long, Map<Integer, Instant>> shardsInUse = new ConcurrentHashMap<>();
    private Instant shardsReadAt;
    private volatile boolean failed;
    private final Semaphore wake = new Semaphore(0);
    private volatile boolean running = true;
    private volatile boolean active;
    private volatile boolean databaseUp = true;
    private volatile boolean storedElsewhere;
    private final Map<Key, BigInteger> storedNotices = new ConcurrentHashMap<>();
    private boolean loaded;
    private Instant lastRefresh = Instant.EPOCH;
    private String lastFailure;
    private Instant lastFailureLogged = Instant.EPOCH;

    CrlPublication(CrlSigning issuer, CrlStore store, ExclusiveLock lock, BooleanSupplier databaseProbe,
                   Hierarchy hierarchy, CrlSettings settings, Clock clock, Sink sink) {
        this.issuer = issuer;
        this.store = store;
        this.lock = lock;
        this.databaseProbe = databaseProbe;
        this.hierarchy = hierarchy;
        this.settings = settings;
        this.clock = clock;
        this.sink = sink;
    }

    boolean active() {
        return active;
    }

    /** The hierarchy grew (an issuing CA's new generation): publish its CRLs from the next round on. */
    void hierarchy(Hierarchy fresh) {
        hierarchy = fresh;
        wake.release();
    }

    boolean databaseUp() {
        return databaseUp;
    }

    /** A revocation payload "caId:serialHex" from the NOTIFY channel. */
    void revoked(String payload) {
        if (settings.onRevocation() == CrlSettings.OnRevocation.NONE) {
            return;
        }
        int colon = payload.indexOf(':');
        long caId;
        try {
            caId = Long.parseLong(colon < 0 ? payload : payload.substring(0, colon));
        } catch (NumberFormatException e) {
            LOG.warn("ignoring a revocation notice that names no CA id: {}", payload);
            return;
        }
        BigInteger serial = null;
        try {
            serial = colon < 0 ? null : new BigInteger(payload.substring(colon + 1), 16);
        } catch (NumberFormatException e) {
            // A serial we cannot read: every scope of the CA is owed, as after a lost notice.
        }
        backlog.noticed(caId, serial, clock.instant());
        wake.release();
    }

    /** Stored CRLs may have been missed (the LISTEN connection came back): read every newest one again. */
    void stored() {
        storedElsewhere = true;
        wake.release();
    }

    /**
     * A CRL was stored (by this or another publisher, or 'pki crl publish'), payload
     * "caId:shard:kind:number": serve it at once. Only that CRL is read, and only when it is newer
     * than the one served (not for this instance's own), so a burst of publications does not read
     * every stored CRL, tens of megabytes each when large, once per publication.
     */
    void stored(String payload) {
        String[] f = payload.split(":");
        try {
            if (f.length == 4) {
                storedNotices.merge(new Key(Long.parseLong(f[0]), Integer.parseInt(f[1]), CrlKind.ofWireName(f[2])),
                        new BigInteger(f[3]), BigInteger::max);
                wake.release();
                return;
            }
        } catch (IllegalArgumentException e) {
            // read everything, below
        }
        stored();
    }

    /** After the LISTEN connection came back: notices may have been lost, so treat every CA as revoked in. */
    void reconnected() {
        if (settings.onRevocation() == CrlSettings.OnRevocation.NONE) {
            return;
        }
        Instant now = clock.instant();
        hierarchy.withRole(CaRole.ISSUING).forEach(ca -> backlog.noticed(ca.record().id(), null, now));
        wake.release();
    }

    void stop() {
        running = false;
        wake.release();
    }

    @Override
    public void run() {
        while (running) {
            try {
                round();
            } catch (RuntimeException e) {
                LOG.warn("CRL publication round failed: {}", e instanceof PkiException p ? p.publicDetail() : e.toString());
            }
            try {
                wake.tryAcquire(untilNextRound(), TimeUnit.MILLISECONDS);
                wake.drainPermits();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** At most a tick; less when an owed complete CRL falls due sooner. */
    long untilNextRound() {
        Duration due = backlog.untilFullDue(clock.instant(), settings.revocationCoalesce());
        // After a failure, what is still owed waits a tick: a CA that is away is not asked in a loop.
        return due == null || failed ? TICK_MS : Math.max(1, Math.min(TICK_MS, due.toMillis() + 1));
    }

    /** One round of the loop; package-private so that tests drive it without the thread. */
    void round() {
        failed = false;
        databaseUp = databaseProbe.getAsBoolean();
        if (!databaseUp) {
            active = false;
            return;
        }
        boolean reload = storedElsewhere;
        storedElsewhere = false;
        boolean nowActive = lock.tryAcquire();
        if (!nowActive) {
            active = false;
            loaded = false;
            shardsReadAt = null;
            backlog.clear();
            if (reload || Duration.between(lastRefresh, clock.instant()).compareTo(STANDBY_REFRESH) >= 0) {
                load();
            }
            loadNoticed();
            return;
        }
        if (!active || !loaded || reload) {
            // Just became active: what the previous holder published is the starting point. Or
            // stored CRLs may have been missed: serve the newest, and count from them.
            load();
            loaded = true;
        }
        // A CRL stored by another process ('pki crl publish', a CRL signed on the CA's own):
        // serve it, and count from it.
        loadNoticed();
        active = true;
        List<CaCertificate> issuing = withoutRetired(hierarchy.withRole(CaRole.ISSUING));
        readShardsInUse(issuing);
        Set<Long> ids = new HashSet<>();
        for (CaCertificate ca : issuing) {
            if (!running || !lock.held()) {
                return;
            }
            ids.add(ca.record().id());
            CrlDistribution distribution = settings.distributions().of(ca.name());
            List<CrlScope> scopes = resolve(ca, distribution, scopes(ca, distribution));
            for (CrlScope scope : scopes) {
                publishDue(ca, scope, distribution);
            }
        }
        backlog.retainCas(ids);
        CaCertificate root = hierarchy.root();
        PublishedCrl arl = newest.get(new Key(root.record().id(), 0, CrlKind.FULL));
        Instant now = clock.instant();
        if (arl == null || Duration.between(now, arl.nextUpdate())
                .compareTo(settings.policy().rootValidity().dividedBy(4)) < 0) {
            publish(CrlScope.whole(root.name()), root.record().id(), () -> issuer.publishRoot(root));
        }
    }

    /**
     * The issuing CAs but those whose key was destroyed (their final CRL stands); when the
     * database does not answer, what was read before stands.
     */
    private List<CaCertificate> withoutRetired(List<CaCertificate> issuing) {
        try {
            retired = store.retiredCas();
        } catch (PkiException e) {
            LOG.warn("cannot read which CA keys are retired: {}", e.publicDetail());
        }
        Set<Long> skip = retired;
        return issuing.stream().filter(c -> !skip.contains(c.record().id())).toList();
    }

    /**
     * The shards in use by each CA, read when this instance became active and every
     * {@link #SHARDS_REFRESH}; when the database does not answer, what was read before stands
     * and the next round tries again.
     */
    private void readShardsInUse(List<CaCertificate> issuing) {
        Instant now = clock.instant();
        if (shardsReadAt != null && Duration.between(shardsReadAt, now).compareTo(SHARDS_REFRESH) < 0) {
            return;
        }
        try {
            for (CaCertificate ca : issuing) {
                shardsInUse.put(ca.record().id(), store.shardsInUse(ca.record().id()));
            }
            shardsReadAt = now;
        } catch (PkiException e) {
            LOG.warn("cannot read which CRL shards are in use: {}", e.publicDetail());
            failed = true;
        }
    }

    /** The configured scopes and the shards beyond them that still hold certificates. */
    private List<CrlScope> scopes(CaCertificate ca, CrlDistribution distribution) {
        Map<Integer, Instant> inUse = shardsInUse.getOrDefault(ca.record().id(), Map.of());
        return distribution.scopes(ca.name(),
                CrlDistribution.live(inUse, clock.instant().minus(settings.policy().keepExpired())));
    }

    /**
     * Turns the CA's revocation notices into owed CRLs: a delta of the CA's complete scope and of
     * each certificate's shard, and (onRevocation full) the complete CRL of each certificate's
     * shard, the one its CDP names. The shard is the one recorded at issuance (a changed shard
     * count does not move certificates), read from the inventory; not needed when the CA has no
     * shard at all. Notices that cannot be resolved now stay for the next round. Returns the CA's
     * scopes, read again when a certificate names a shard that was not among them.
     */
    private List<CrlScope> resolve(CaCertificate ca, CrlDistribution distribution, List<CrlScope> scopes) {
        long id = ca.record().id();
        RevocationBacklog.Notices notices = backlog.take(id);
        if (notices.isEmpty()) {
            return scopes;
        }
        Set<Integer> shards = new HashSet<>();
        if (notices.everyScope() != null || notices.serials().size() > MAX_LOOKUP) {
            scopes.forEach(s -> shards.add(s.shard()));
        } else if (scopes.size() == 1 && shardsInUse.containsKey(id)) {
            shards.add(0);
        } else {
            try {
                shards.addAll(store.shardsOf(id, notices.serials().keySet()));
            } catch (PkiException e) {
                LOG.warn("cannot read the CRL shards of revoked certificates of {}: {}", ca.name(), e.publicDetail());
                backlog.giveBack(id, notices);
                failed = true;
                return scopes;
            }
        }
        Set<Integer> known = new HashSet<>();
        scopes.forEach(s -> known.add(s.shard()));
        if (!known.containsAll(shards)) {
            // A shard this instance did not know was in use (issued by a CA with a larger count
            // since the last read): read again, so that its CRLs are published from now on.
            try {
                shardsInUse.put(id, store.shardsInUse(id));
                scopes = scopes(ca, distribution);
                scopes.forEach(s -> known.add(s.shard()));
            } catch (PkiException e) {
                LOG.warn("cannot read which CRL shards are in use: {}", e.publicDetail());
            }
            shards.retainAll(known);
        }
        Instant first = notices.first();
        backlog.oweDelta(id, 0, first);
        for (int shard : shards) {
            backlog.oweDelta(id, shard, first);
            if (settings.onRevocation() == CrlSettings.OnRevocation.FULL) {
                backlog.oweFull(id, shard, first);
            }
        }
        return scopes;
    }

    /**
     * Publishes what is due of one scope; what a failed publication owed stays owed (with its
     * first notice), so the first round after the CA is back publishes it.
     */
    private void publishDue(CaCertificate ca, CrlScope scope, CrlDistribution distribution) {
        long id = ca.record().id();
        int shard = scope.shard();
        Instant now = clock.instant();
        PublishedCrl full = newest.get(new Key(id, shard, CrlKind.FULL));
        Instant fullOwed = backlog.fullOwedSince(id, shard);
        if (fullOwed != null && full != null && distribution.deltas()
                && full.entries() > settings.fullOnRevocationMaxEntries()) {
            // Too large to sign, store and have every relying party download again for each burst
            // of revocations: the delta lists the revocation at once, the complete CRL follows
            // its schedule.
            backlog.takeFull(id, shard);
            fullOwed = null;
        }
        boolean fullUrgent = fullOwed != null && !now.isBefore(fullOwed.plus(settings.revocationCoalesce()));
        Instant deltaOwed = backlog.takeDelta(id, shard);
        boolean fullDue = full == null || !now.isBefore(full.thisUpdate().plus(settings.policy().fullInterval()))
                || fullUrgent;
        if (fullDue) {
            Instant taken = backlog.takeFull(id, shard);
            full = publish(scope, id, () -> issuer.publish(ca, scope, CrlKind.FULL, distribution));
            if (full == null) {
                if (taken != null) {
                    backlog.oweFull(id, shard, taken);
                }
                if (deltaOwed != null) {
                    backlog.oweDelta(id, shard, deltaOwed);
                }
                return;
            }
        }
        if (!distribution.deltas()) {
            return;
        }
        PublishedCrl delta = newest.get(new Key(id, shard, CrlKind.DELTA));
        boolean deltaDue = delta == null || !delta.baseNumber().equals(full.number())
                || !now.isBefore(delta.thisUpdate().plus(settings.policy().deltaInterval()))
                || deltaOwed != null;
        if (deltaDue && publish(scope, id, () -> issuer.publish(ca, scope, CrlKind.DELTA, distribution)) == null
                && deltaOwed != null) {
            backlog.oweDelta(id, shard, deltaOwed);
        }
    }

    private PublishedCrl publish(CrlScope scope, long caId, java.util.function.Supplier<PublishedCrl> work) {
        long start = System.nanoTime();
        try {
            PublishedCrl crl = work.get();
            record(scope, crl, Duration.ofNanos(System.nanoTime() - start));
            lastFailure = null;
            LOG.info("published {} CRL {} #{} ({} entries, {} bytes)", crl.kind().wireName(), scope, crl.number(),
                    crl.entries(), crl.der().length);
            return crl;
        } catch (PkiException e) {
            // Once per kind of failure and minute: a CA that is away for an hour is one line a
            // minute, not one a second (each failure still counts in the metrics).
            String why = e.kind() + ": " + e.publicDetail();
            Instant now = clock.instant();
            if (!why.equals(lastFailure) || Duration.between(lastFailureLogged, now).toSeconds() >= 60) {
                LOG.warn("cannot publish a CRL of {}: {}", scope, e.publicDetail());
                lastFailure = why;
                lastFailureLogged = now;
            }
            sink.accept(scope, null, null);
            failed = true;
            return null;
        }
    }

    private void record(CrlScope scope, PublishedCrl crl, Duration buildTime) {
        newest.merge(new Key(crl.caId(), crl.shard(), crl.kind()), crl,
                (old, neu) -> neu.number().compareTo(old.number()) > 0 ? neu : old);
        sink.accept(scope, crl, buildTime);
    }

    /** Reads each CRL announced on the channel that is newer than the one served. */
    private void loadNoticed() {
        for (Key key : List.copyOf(storedNotices.keySet())) {
            BigInteger number = storedNotices.remove(key);
            PublishedCrl known = newest.get(key);
            CaCertificate ca = hierarchy.byId(key.caId()).orElse(null);
            if (number == null || ca == null || known != null && known.number().compareTo(number) >= 0) {
                continue;
            }
            try {
                store.latest(key.caId(), key.shard(), key.kind()).ifPresent(crl -> {
                    PublishedCrl now = newest.get(key);
                    if (now == null || crl.number().compareTo(now.number()) > 0) {
                        record(new CrlScope(ca.name(), crl.shard()), crl, null);
                    }
                });
            } catch (PkiException e) {
                storedNotices.merge(key, number, BigInteger::max);
                LOG.warn("cannot read a CRL just stored: {}", e.publicDetail());
                return;
            }
        }
    }

    private void load() {
        lastRefresh = clock.instant();
        for (PublishedCrl crl : store.latest()) {
            CaCertificate ca = hierarchy.byId(crl.caId()).orElse(null);
            if (ca != null) {
                PublishedCrl known = newest.get(new Key(crl.caId(), crl.shard(), crl.kind()));
                if (known == null || crl.number().compareTo(known.number()) > 0) {
                    record(new CrlScope(ca.name(), crl.shard()), crl, null);
                }
            }
        }
    }
}
