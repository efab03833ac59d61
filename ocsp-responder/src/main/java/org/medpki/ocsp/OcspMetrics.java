package org.medpki.ocsp;

import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Counters for Prometheus, written in its text format (version 0.0.4) by hand: a few LongAdders
 * cost the hot path nothing measurable, where a metrics library instrumenting every request would.
 */
public final class OcspMetrics {

    /** How a request ended. */
    public enum Outcome { CACHED, SIGNED, NOT_MODIFIED, MALFORMED, UNAUTHORIZED, INTERNAL_ERROR, TRY_LATER, HTTP_ERROR }

    /** The HTTP method, as a label. */
    public enum Method { GET, POST }

    private static final double[] BUCKETS = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0};

    private final LongAdder[][] requests = new LongAdder[Method.values().length][Outcome.values().length];
    private final LongAdder cacheHits = new LongAdder();
    private final LongAdder cacheMisses = new LongAdder();
    private final LongAdder signatures = new LongAdder();
    private final LongAdder signingNanos = new LongAdder();
    private final LongAdder[] signingBuckets = new LongAdder[BUCKETS.length];
    private final LongAdder revocationsApplied = new LongAdder();
    private volatile LongSupplier cacheEntries = () -> 0;
    private volatile LongSupplier oldestResponseAgeSeconds = () -> 0;

    public OcspMetrics() {
        for (LongAdder[] row : requests) {
            for (int i = 0; i < row.length; i++) {
                row[i] = new LongAdder();
            }
        }
        for (int i = 0; i < signingBuckets.length; i++) {
            signingBuckets[i] = new LongAdder();
        }
    }

    public void request(Method method, Outcome outcome) {
        requests[method.ordinal()][outcome.ordinal()].increment();
    }

    public void cacheHit() {
        cacheHits.increment();
    }

    public void cacheMiss() {
        cacheMisses.increment();
    }

    public void signed(long nanos) {
        signatures.increment();
        signingNanos.add(nanos);
        double seconds = nanos / 1e9;
        for (int i = 0; i < BUCKETS.length; i++) {
            if (seconds <= BUCKETS[i]) {
                signingBuckets[i].increment();
            }
        }
    }

    public void revocationApplied() {
        revocationsApplied.increment();
    }

    public long requests(Method method, Outcome outcome) {
        return requests[method.ordinal()][outcome.ordinal()].sum();
    }

    public long cacheHits() {
        return cacheHits.sum();
    }

    public long signatures() {
        return signatures.sum();
    }

    void gauges(LongSupplier entries, LongSupplier oldestAgeSeconds) {
        this.cacheEntries = entries;
        this.oldestResponseAgeSeconds = oldestAgeSeconds;
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        StringBuilder b = new StringBuilder(2048);
        b.append("# HELP ocsp_requests_total OCSP requests by HTTP method and outcome.\n# TYPE ocsp_requests_total counter\n");
        for (Method m : Method.values()) {
            for (Outcome o : Outcome.values()) {
                b.append("ocsp_requests_total{method=\"").append(m.name()).append("\",outcome=\"")
                        .append(o.name().toLowerCase(Locale.ROOT)).append("\"} ").append(requests(m, o)).append('\n');
            }
        }
        counter(b, "ocsp_cache_hits_total", "Requests answered from the pre-signed cache.", cacheHits.sum());
        counter(b, "ocsp_cache_misses_total", "Single-CertID requests not in the cache.", cacheMisses.sum());
        counter(b, "ocsp_revocations_applied_total", "Revocation notifications turned into new responses.",
                revocationsApplied.sum());
        b.append("# HELP ocsp_signing_seconds Time to build and sign one OCSP response in the HSM.\n")
                .append("# TYPE ocsp_signing_seconds histogram\n");
        for (int i = 0; i < BUCKETS.length; i++) {
            b.append("ocsp_signing_seconds_bucket{le=\"").append(BUCKETS[i]).append("\"} ")
                    .append(signingBuckets[i].sum()).append('\n');
        }
        long count = signatures.sum();
        b.append("ocsp_signing_seconds_bucket{le=\"+Inf\"} ").append(count).append('\n');
        b.append("ocsp_signing_seconds_sum ").append(signingNanos.sum() / 1e9).append('\n');
        b.append("ocsp_signing_seconds_count ").append(count).append('\n');
        gauge(b, "ocsp_cache_entries", "Pre-signed responses held in memory.", cacheEntries.getAsLong());
        gauge(b, "ocsp_response_age_seconds", "Age (now - thisUpdate) of the oldest response in memory.",
                oldestResponseAgeSeconds.getAsLong());
        return b.toString();
    }

    private static void counter(StringBuilder b, String name, String help, long value) {
        b.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name)
                .append(" counter\n").append(name).append(' ').append(value).append('\n');
    }

    private static void gauge(StringBuilder b, String name, String help, long value) {
        b.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name)
                .append(" gauge\n").append(name).append(' ').append(value).append('\n');
    }
}
