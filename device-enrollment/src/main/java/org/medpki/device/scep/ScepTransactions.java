package org.medpki.device.scep;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The certificates issued recently, by transaction: a retransmitted PKCSReq or RenewalReq (its
 * answer was lost) and a CertPoll get the same certificate (RFC 8894 3.3.3) without spending an
 * enrollment code twice. An entry is found only by the transactionID together with the key that
 * signed the request, so one requester can neither read nor shadow another's transaction, and a
 * renewal is not answered with the certificate its PKCSReq got.
 * Bounded in size (the oldest goes first) and in time.
 */
final class ScepTransactions {
    private record Kept(X509Certificate certificate, Instant expires) {
    }

    private final Duration ttl;
    private final int max;
    private final Clock clock;
    private final Map<String, Kept> entries;

    ScepTransactions(Duration ttl, int max, Clock clock) {
        this.ttl = ttl;
        this.max = max;
        this.clock = clock;
        this.entries = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Kept> eldest) {
                return size() > ScepTransactions.this.max;
            }
        };
    }

    /** {@code key}: the transactionID and the signer's certificate, as {@link ScepResponder} forms it. */
    synchronized Optional<X509Certificate> find(String key) {
        Kept e = entries.get(key);
        if (e == null) {
            return Optional.empty();
        }
        if (!clock.instant().isBefore(e.expires())) {
            entries.remove(key);
            return Optional.empty();
        }
        return Optional.of(e.certificate());
    }

    synchronized void put(String key, X509Certificate certificate) {
        entries.remove(key); // re-inserted last: the insertion order is the expiry order
        entries.put(key, new Kept(certificate, clock.instant().plus(ttl)));
        // Expired entries at the head go now, not only when the map is full.
        var it = entries.values().iterator();
        Instant now = clock.instant();
        while (it.hasNext() && !now.isBefore(it.next().expires())) {
            it.remove();
        }
    }

    synchronized int size() {
        return entries.size();
    }
}
