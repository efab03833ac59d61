package org.medpki.crl;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
 * issuing CA and scope: a complete CRL when there is none or it is {@code fullInterval} old; a
 * delta CRL when there is none on the newest complete CRL, it is {@code deltaInterval} old, or
 * the CA had a revocation; the root's CRL when there is none or a quarter of its validity is
 * left. A standby instance re-reads the stored CRLs every {@link #STANDBY_REFRESH} to serve them.
 */
final class CrlPublication implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(CrlPublication.class);
    static final Duration STANDBY_REFRESH = Duration.ofSeconds(10);
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
    private final Hierarchy hierarchy;
    private final CrlSettings settings;
    private final Clock clock;
    private final Sink sink;
    private final Map<Key, PublishedCrl> newest = new ConcurrentHashMap<>();
    private final Set<Long> revokedIn = ConcurrentHashMap.newKeySet();
    private final Semaphore wake = new Semaphore(0);
    private volatile boolean running = true;
    private volatile boolean active;
    private volatile boolean databaseUp = true;
    private volatile boolean storedElsewhere;
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

    boolean databaseUp() {
        return databaseUp;
    }

    /** A revocation payload "caId:serialHex" from the NOTIFY channel. */
    void revoked(String payload) {
        int colon = payload.indexOf(':');
        try {
            revokedIn.add(Long.parseLong(colon < 0 ? payload : payload.substring(0, colon)));
        } catch (NumberFormatException e) {
            LOG.warn("ignoring a revocation notice that names no CA id: {}", payload);
            return;
        }
        wake.release();
    }

    /** A CRL was stored (by this or another publisher, or 'pki crl publish'): serve the newest at once. */
    void stored() {
        storedElsewhere = true;
        wake.release();
    }

    /** After the LISTEN connection came back: notices may have been lost, so treat every CA as revoked in. */
    void reconnected() {
        hierarchy.withRole(CaRole.ISSUING).forEach(ca -> revokedIn.add(ca.record().id()));
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
                wake.tryAcquire(TICK_MS, TimeUnit.MILLISECONDS);
                wake.drainPermits();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One round of the loop; package-private so that tests drive it without the thread. */
    void round() {
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
            revokedIn.clear();
            if (reload || Duration.between(lastRefresh, clock.instant()).compareTo(STANDBY_REFRESH) >= 0) {
                load();
            }
            return;
        }
        if (!active || !loaded || reload) {
            // Just became active: what the previous holder published is the starting point. Or a
            // CRL was stored by another process ('pki crl publish'): serve it, and count from it.
            load();
            loaded = true;
        }
        active = true;
        for (CaCertificate ca : hierarchy.withRole(CaRole.ISSUING)) {
            if (!running || !lock.held()) {
                return;
            }
            boolean urgent = revokedIn.remove(ca.record().id());
            CrlDistribution distribution = settings.distributions().of(ca.name());
            boolean published = true;
            for (CrlScope scope : distribution.scopes(ca.name())) {
                published &= publishDue(ca, scope, distribution, urgent);
            }
            if (urgent && !published) {
                // The CA is away: the revocation stays urgent, so the round after it comes back
                // publishes at once rather than at the next scheduled delta.
                revokedIn.add(ca.record().id());
            }
        }
        CaCertificate root = hierarchy.root();
        PublishedCrl arl = newest.get(new Key(root.record().id(), 0, CrlKind.FULL));
        Instant now = clock.instant();
        if (arl == null || Duration.between(now, arl.nextUpdate())
                .compareTo(settings.policy().rootValidity().dividedBy(4)) < 0) {
            publish(CrlScope.whole(root.name()), root.record().id(), () -> issuer.publishRoot(root));
        }
    }

    /** Publishes what is due of one scope; false when a publication failed. */
    private boolean publishDue(CaCertificate ca, CrlScope scope, CrlDistribution distribution, boolean urgent) {
        long id = ca.record().id();
        Instant now = clock.instant();
        PublishedCrl full = newest.get(new Key(id, scope.shard(), CrlKind.FULL));
        boolean fullDue = full == null || !now.isBefore(full.thisUpdate().plus(settings.policy().fullInterval()))
                || urgent && settings.onRevocation() == CrlSettings.OnRevocation.FULL;
        if (fullDue) {
            full = publish(scope, id, () -> issuer.publish(ca, scope, CrlKind.FULL, distribution));
            if (full == null) {
                return false;
            }
        }
        if (!distribution.deltas()) {
            return true;
        }
        PublishedCrl delta = newest.get(new Key(id, scope.shard(), CrlKind.DELTA));
        boolean deltaDue = delta == null || !delta.baseNumber().equals(full.number())
                || !now.isBefore(delta.thisUpdate().plus(settings.policy().deltaInterval()))
                || urgent && settings.onRevocation() != CrlSettings.OnRevocation.NONE;
        if (deltaDue) {
            return publish(scope, id, () -> issuer.publish(ca, scope, CrlKind.DELTA, distribution)) != null;
        }
        return true;
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
            return null;
        }
    }

    private void record(CrlScope scope, PublishedCrl crl, Duration buildTime) {
        newest.merge(new Key(crl.caId(), crl.shard(), crl.kind()), crl,
                (old, neu) -> neu.number().compareTo(old.number()) > 0 ? neu : old);
        sink.accept(scope, crl, buildTime);
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
