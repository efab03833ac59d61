package org.medpki.ocsp;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.core.revocation.RevocationReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The responder's logic, free of HTTP: answers from memory when it can ({@link #answerFromMemory},
 * safe on an event loop: no inventory, no HSM), otherwise {@link #resolve} (blocking) reads the
 * stored response or the certificate's status and signs. Revocations and issuances re-sign at
 * once ({@link #certificateChanged}); {@link #refreshDue} re-signs what is getting old or was
 * signed by a rotated-out signer. Signing of one certificate is serialised (striped locks), so a
 * response signed from an older status never replaces one signed from a newer status.
 */
public final class OcspResponder {
    private static final Logger LOG = LoggerFactory.getLogger(OcspResponder.class);
    private static final int STRIPES = 64;
    /**
     * Certificates taken per look-up of due responses. Each look-up reads every valid certificate
     * (about 0.8 s at 400,000 of them), so after a seed, a restore or a signer rotation, when most
     * are due, a small batch would repeat that read once per thousand responses.
     */
    private static final int REFRESH_BATCH = 20_000;
    private static final int REFRESH_THREADS = 8;
    /** How late a certificate's row may commit after its issued_at and still be found by the next pass. */
    private static final Duration LATE_COMMIT_MARGIN = Duration.ofMinutes(5);

    private final OcspConfig config;
    private final OcspRepository store;
    private final ResponseSigner signer;
    private final ResponseCache cache;
    private final OcspMetrics metrics;
    private final Clock clock;
    private final Supplier<Hierarchy> hierarchy;
    private final RequestParser parser;
    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];
    private volatile Issuers issuers = Issuers.of(List.of());
    /** When the refresher's last pass and last full pass began (refreshDue runs on one thread). */
    private Instant lastPass;
    private Instant lastFullPass;

    public OcspResponder(OcspConfig config, OcspRepository store, ResponseSigner signer, OcspMetrics metrics,
                         Clock clock, Supplier<Hierarchy> hierarchy) {
        this.config = Objects.requireNonNull(config, "config");
        this.store = Objects.requireNonNull(store, "store");
        this.signer = Objects.requireNonNull(signer, "signer");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.hierarchy = Objects.requireNonNull(hierarchy, "hierarchy");
        this.cache = new ResponseCache(config.cacheEntries());
        this.parser = new RequestParser(config.maxCertIds(), config.nonce());
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
        metrics.gauges(cache::size, this::oldestAgeSeconds);
    }

    /** Loads the issuing CAs and their newest OCSP signers, and warms the cache from the inventory table. */
    public void start() {
        reloadSigners();
        int loaded = 0;
        long now = clock.millis();
        for (OcspRepository.Stored s : store.current(clock.instant(), config.cacheEntries())) {
            Issuer issuer = issuers.byId(s.caId()).orElse(null);
            if (issuer != null && issuer.signerId() == s.signerId()) {
                SignedResponse r = fromStored(s);
                if (r != null && r.freshAt(now)) {
                    cache.put(new ResponseKey(s.caId(), s.serial(), CertIdHash.SHA1), r);
                    loaded++;
                }
            }
        }
        LOG.info("OCSP responder serves {} with {} stored responses loaded", issuers.names(), loaded);
    }

    public Issuers issuers() {
        return issuers;
    }

    public OcspMetrics metrics() {
        return metrics;
    }

    public OcspConfig config() {
        return config;
    }

    int cacheSize() {
        return cache.size();
    }

    /**
     * Reloads the hierarchy; when an OCSP signer was rotated, later signing uses the new one and
     * {@link #refreshDue} re-signs what the old one signed. Returns true when the signers changed.
     */
    public boolean reloadSigners() {
        Issuers fresh = Issuers.of(hierarchy.get());
        boolean changed = !fresh.sameSigners(issuers);
        if (changed) {
            issuers = fresh;
            LOG.info("OCSP signers: {}", fresh.all().stream().map(i -> i.name() + "=" + i.signer().name()).toList());
        }
        return changed;
    }

    // ---- answering ----

    /** From memory only (event-loop safe): a response, a rejection, or {@link Answer.Pending}. */
    public Answer answerFromMemory(byte[] der) {
        long now = clock.millis();
        ByteBuffer requestKey = ByteBuffer.wrap(der);
        SignedResponse seen = cache.forRequest(requestKey);
        if (seen != null && seen.freshAt(now) && current(seen)) {
            metrics.cacheHit();
            return new Answer.Cached(seen);
        }
        ParsedRequest request;
        try {
            request = parser.parse(der, issuers);
        } catch (OcspRejection e) {
            LOG.debug("OCSP request rejected ({}): {}", e.status(), e.getMessage());
            return new Answer.Rejected(e.status());
        }
        if (request.cacheable()) {
            ResponseKey key = request.keys().getFirst();
            SignedResponse r = cache.get(key);
            if (r != null && r.freshAt(now) && current(r)) {
                cache.remember(requestKey, key);
                metrics.cacheHit();
                return new Answer.Cached(r);
            }
            metrics.cacheMiss();
        }
        return new Answer.Pending(request, requestKey);
    }

    /** Finishes a pending answer: blocking (inventory, HSM); never call it on an event loop. */
    public Answer resolve(Answer.Pending pending) {
        ParsedRequest request = pending.request();
        if (request.cacheable()) {
            ResponseKey key = request.keys().getFirst();
            SignedResponse r = current(request.issuer(), key, false);
            cache.remember(pending.requestDer(), key);
            return new Answer.Cached(r);
        }
        List<ResponseSigner.Single> singles = new ArrayList<>(request.keys().size());
        for (int i = 0; i < request.keys().size(); i++) {
            ResponseKey key = request.keys().get(i);
            SignedResponse known = cache.get(key);
            CertState state = known != null && known.freshAt(clock.millis()) ? known.state()
                    : store.state(key.caId(), key.serial());
            singles.add(new ResponseSigner.Single(request.certIds().get(i), state));
        }
        return new Answer.OnDemand(signer.signOnDemand(request.issuer(), singles, request.nonce(), clock.instant()));
    }

    /** The full path for one request (tests, tools): memory first, then {@link #resolve}. */
    public Answer answer(byte[] der) {
        Answer a = answerFromMemory(der);
        return a instanceof Answer.Pending p ? resolve(p) : a;
    }

    // ---- keeping responses current ----

    /**
     * A certificate was revoked or issued (NOTIFY): re-sign its responses from the inventory's
     * status now, replacing what the cache and the table hold.
     */
    public void certificateChanged(long caId, BigInteger serial, boolean revocation) {
        Issuer issuer = issuers.byId(caId).orElse(null);
        if (issuer == null) {
            return; // not an issuing CA served here (or a signer not loaded yet: the refresher catches up)
        }
        for (CertIdHash hash : CertIdHash.values()) {
            ResponseKey key = new ResponseKey(caId, serial, hash);
            if (hash == CertIdHash.SHA1 || cache.get(key) != null) {
                current(issuer, key, true);
            }
        }
        if (revocation) {
            metrics.revocationApplied();
        }
    }

    /**
     * Re-signs stored responses older than the refresh age or signed by a replaced signer, signs
     * the missing ones, and drops from memory what is stale and not in the table. Returns how many
     * were signed.
     */
    public int refreshDue() {
        boolean rotated = reloadSigners();
        Issuers current = issuers;
        long[] cas = current.all().stream().mapToLong(Issuer::caId).toArray();
        long[] signers = current.all().stream().mapToLong(Issuer::signerId).toArray();
        if (cas.length == 0) {
            return 0;
        }
        Instant started = clock.instant();
        Instant signedBefore = started.minus(config.refreshAfter());
        // The full look-up reads every valid certificate; between its runs (at start, after a
        // signer rotation, every refreshAfter) a pass looks only at what can have become due since
        // the last one: certificates issued since then (less a margin for late commits) and
        // responses old enough to re-sign but still served.
        Instant previous = lastPass;
        boolean full = previous == null || rotated || lastFullPass == null
                || !started.isBefore(lastFullPass.plus(config.refreshAfter()));
        Instant issuedSince = previous == null ? null : previous.minus(LATE_COMMIT_MARGIN);
        Instant liveSince = started.minus(config.validity());
        int signed = 0;
        // Each response costs a status read and a durable commit: one at a time, the refresher
        // waits for a WAL flush per response (about 150 a second); several at once share flushes.
        try (ExecutorService pool = Executors.newFixedThreadPool(REFRESH_THREADS,
                Thread.ofPlatform().daemon().name("ocsp-refresh-", 0).factory())) {
            while (true) {
                List<OcspRepository.Due> due = full ? store.due(signedBefore, cas, signers, REFRESH_BATCH)
                        : store.dueSince(issuedSince, liveSince, signedBefore, cas, REFRESH_BATCH);
                if (due.isEmpty()) {
                    break;
                }
                List<Future<?>> work = new ArrayList<>(due.size());
                for (OcspRepository.Due d : due) {
                    Issuer issuer = current.byId(d.caId()).orElseThrow();
                    work.add(pool.submit(() -> current(issuer, new ResponseKey(d.caId(), d.serial(), CertIdHash.SHA1),
                            true)));
                }
                RuntimeException failed = null;
                for (Future<?> f : work) {
                    try {
                        f.get();
                        signed++;
                    } catch (ExecutionException e) {
                        if (failed == null) {
                            failed = e.getCause() instanceof RuntimeException r ? r
                                    : new IllegalStateException(e.getCause());
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while refreshing OCSP responses", e);
                    }
                }
                if (failed != null) {
                    throw failed;
                }
            }
        }
        lastPass = started;
        if (full) {
            lastFullPass = started;
        }
        long staleBefore = signedBefore.toEpochMilli();
        for (Map.Entry<ResponseKey, SignedResponse> e : cache.entries()) {
            SignedResponse r = e.getValue();
            if (r.thisUpdate().toEpochMilli() < staleBefore || !current(r)) {
                cache.remove(e.getKey());
            }
        }
        if (signed > 0) {
            LOG.info("OCSP refresher signed {} responses", signed);
        }
        return signed;
    }

    /** After a lost LISTEN connection: make sure every revoked certificate is answered as revoked. */
    public void recheckRevoked() {
        long[] cas = issuers.all().stream().mapToLong(Issuer::caId).toArray();
        for (OcspRepository.Due d : store.revoked(cas)) {
            SignedResponse r = cache.get(new ResponseKey(d.caId(), d.serial(), CertIdHash.SHA1));
            if (r == null || !(r.state() instanceof CertState.Revoked)) {
                certificateChanged(d.caId(), d.serial(), true);
            }
        }
    }

    /** Signed by a signer in use (a rotation makes older responses due). */
    private boolean current(SignedResponse r) {
        return issuers.isCurrentSigner(r.signerId());
    }

    /**
     * The response to serve for a key: from memory, else from the table (SHA-1 only) when fresh and
     * by the current signer, else signed now from the inventory's status (and stored, SHA-1).
     * {@code force} signs anew regardless.
     */
    private SignedResponse current(Issuer issuer, ResponseKey key, boolean force) {
        ReentrantLock lock = locks[Math.floorMod(key.serial().hashCode() * 31 + Long.hashCode(key.caId()), STRIPES)];
        lock.lock();
        try {
            Instant now = clock.instant();
            long refreshBefore = now.minus(config.refreshAfter()).toEpochMilli();
            if (!force) {
                SignedResponse r = cache.get(key);
                if (r != null && r.signerId() == issuer.signerId() && r.freshAt(now.toEpochMilli())) {
                    return r;
                }
                if (key.hash() == CertIdHash.SHA1) {
                    OcspRepository.Stored s = store.stored(key.caId(), key.serial()).orElse(null);
                    if (s != null && s.signerId() == issuer.signerId()
                            && s.thisUpdate().toEpochMilli() >= refreshBefore) {
                        SignedResponse fromTable = fromStored(s);
                        if (fromTable != null) {
                            cache.put(key, fromTable);
                            return fromTable;
                        }
                    }
                }
            }
            CertState state = store.state(key.caId(), key.serial());
            SignedResponse r = signer.sign(issuer, new ResponseSigner.Single(issuer.certId(key.hash(), key.serial()),
                    state), now);
            if (key.hash() == CertIdHash.SHA1 && !(state instanceof CertState.Unknown)) {
                store.save(key.caId(), key.serial(), r);
            }
            cache.put(key, r);
            return r;
        } finally {
            lock.unlock();
        }
    }

    /** A stored row back into a response; the status (with revocation time and reason) read from its DER. */
    private static SignedResponse fromStored(OcspRepository.Stored s) {
        try {
            BasicOCSPResp basic = (BasicOCSPResp) new OCSPResp(s.der()).getResponseObject();
            SingleResp single = basic.getResponses()[0];
            Object status = single.getCertStatus();
            CertState state;
            if (status == null) {
                state = CertState.GOOD;
            } else if (status instanceof RevokedStatus rs) {
                state = new CertState.Revoked(rs.getRevocationTime().toInstant(),
                        rs.hasRevocationReason() ? RevocationReason.ofCode(rs.getRevocationReason())
                                : RevocationReason.UNSPECIFIED);
            } else if (status instanceof UnknownStatus) {
                state = CertState.UNKNOWN;
            } else {
                return null;
            }
            return SignedResponse.of(s.der(), state, s.signerId(), s.thisUpdate(), s.nextUpdate());
        } catch (IOException | org.bouncycastle.cert.ocsp.OCSPException | RuntimeException e) {
            LOG.warn("ignoring an unreadable stored OCSP response of CA {} serial {}", s.caId(), s.serial().toString(16));
            return null;
        }
    }

    private long oldestAgeSeconds() {
        long now = clock.millis();
        long oldest = now;
        for (Map.Entry<ResponseKey, SignedResponse> e : cache.entries()) {
            oldest = Math.min(oldest, e.getValue().thisUpdate().toEpochMilli());
        }
        return (now - oldest) / 1000;
    }
}
