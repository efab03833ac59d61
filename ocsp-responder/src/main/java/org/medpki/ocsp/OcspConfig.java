package org.medpki.ocsp;

import java.time.Duration;
import java.util.Objects;
import org.medpki.listener.ListenerLimits;

/**
 * The responder's settings. {@code validity} is nextUpdate - thisUpdate of every response;
 * responses are re-signed once {@code refreshAfter} of it has passed (less than half, as RFC 5019
 * clients and stapling servers cache until nextUpdate). {@code nonce} true signs requests that
 * carry an RFC 8954 nonce on demand and echoes it; false ignores nonces (RFC 5019 2.2.1).
 * {@code onDemandConcurrency} bounds the requests waiting for or in on-demand work (beyond it:
 * tryLater); {@code onDemandThreads} do that work in arrival order. {@code listener}: the HTTP
 * listener's deadlines and connection cap.
 */
public record OcspConfig(String host, int port, int instances, Duration validity, Duration refreshAfter,
                         Duration refreshInterval, int cacheEntries, int maxRequestBytes, int maxCertIds,
                         boolean nonce, int onDemandConcurrency, int onDemandThreads, ListenerLimits listener) {

    public static final Duration DEFAULT_VALIDITY = Duration.ofHours(24);

    /** The same settings on another port (a second instance on one host). */
    public OcspConfig withPort(int newPort) {
        return new OcspConfig(host, newPort, instances, validity, refreshAfter, refreshInterval, cacheEntries,
                maxRequestBytes, maxCertIds, nonce, onDemandConcurrency, onDemandThreads, listener);
    }

    /** With the default listener limits ({@link ListenerLimits#DEFAULTS}). */
    public OcspConfig(String host, int port, int instances, Duration validity, Duration refreshAfter,
                      Duration refreshInterval, int cacheEntries, int maxRequestBytes, int maxCertIds,
                      boolean nonce, int onDemandConcurrency, int onDemandThreads) {
        this(host, port, instances, validity, refreshAfter, refreshInterval, cacheEntries, maxRequestBytes, maxCertIds,
                nonce, onDemandConcurrency, onDemandThreads, ListenerLimits.DEFAULTS);
    }

    public OcspConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(listener, "ocsp listener limits");
        require(port >= 0 && port <= 65535, "ocsp.port must be between 0 and 65535");
        require(instances >= 1 && instances <= 64, "ocsp.instances must be between 1 and 64");
        Objects.requireNonNull(validity, "validity");
        Objects.requireNonNull(refreshAfter, "refreshAfter");
        Objects.requireNonNull(refreshInterval, "refreshInterval");
        require(validity.compareTo(Duration.ofMinutes(2)) >= 0 && validity.compareTo(Duration.ofDays(7)) <= 0,
                "ocsp.validity must be between 2 minutes and 7 days");
        require(!refreshAfter.isNegative() && refreshAfter.compareTo(validity.dividedBy(2)) < 0,
                "ocsp.refreshAfter must be less than half of ocsp.validity");
        require(refreshInterval.compareTo(Duration.ofSeconds(1)) >= 0,
                "ocsp.refreshInterval must be at least one second");
        require(cacheEntries >= 16, "ocsp.cacheEntries must be at least 16");
        require(maxRequestBytes >= 256 && maxRequestBytes <= 65_536, "ocsp.maxRequestBytes must be between 256 and 65536");
        require(maxCertIds >= 1 && maxCertIds <= 100, "ocsp.maxCertIds must be between 1 and 100");
        require(onDemandConcurrency >= 1 && onDemandConcurrency <= 4096,
                "ocsp.onDemandConcurrency must be between 1 and 4096");
        require(onDemandThreads >= 1 && onDemandThreads <= 256, "ocsp.onDemandThreads must be between 1 and 256");
    }

    /**
     * Defaults: one HTTP verticle per core, responses valid 24 h and re-signed after 10 h (so a
     * client never holds one older than 10 h plus a refresh interval), nonces honoured, two
     * on-demand threads per core (as many as the token's default session pool).
     */
    public static OcspConfig defaults(String host, int port) {
        return new OcspConfig(host, port, Runtime.getRuntime().availableProcessors(), DEFAULT_VALIDITY,
                Duration.ofHours(10), Duration.ofSeconds(60), 1_000_000, 8_192, 10, true, 256,
                2 * Runtime.getRuntime().availableProcessors(), ListenerLimits.DEFAULTS);
    }

    public OcspConfig withNonce(boolean on) {
        return new OcspConfig(host, port, instances, validity, refreshAfter, refreshInterval, cacheEntries,
                maxRequestBytes, maxCertIds, on, onDemandConcurrency, onDemandThreads, listener);
    }

    public OcspConfig withValidity(Duration validity, Duration refreshAfter) {
        return new OcspConfig(host, port, instances, validity, refreshAfter, refreshInterval, cacheEntries,
                maxRequestBytes, maxCertIds, nonce, onDemandConcurrency, onDemandThreads, listener);
    }

    /** The same settings with these listener bounds (deadlines, connection cap). */
    public OcspConfig withListener(ListenerLimits limits) {
        return new OcspConfig(host, port, instances, validity, refreshAfter, refreshInterval, cacheEntries,
                maxRequestBytes, maxCertIds, nonce, onDemandConcurrency, onDemandThreads, limits);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
