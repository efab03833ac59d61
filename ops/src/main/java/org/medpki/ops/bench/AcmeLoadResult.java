package org.medpki.ops.bench;

/**
 * The outcome of one ACME load run: certificates obtained, orders that failed (with the first
 * failure's message), wall time, and the latencies of newOrder (POST round trip), finalize (POST
 * round trip) and finalize-to-certificate (finalize sent until the certificate is downloaded).
 */
public record AcmeLoadResult(int certificates, int failures, String firstFailure, double seconds,
        LatencySummary newOrder, LatencySummary finalizeRoundTrip, LatencySummary finalizeToCertificate) {
    public AcmeLoadResult {
        if (certificates < 0 || failures < 0 || seconds < 0) {
            throw new IllegalArgumentException("negative count or time");
        }
    }

    public double certificatesPerSecond() {
        return seconds == 0 ? 0 : certificates / seconds;
    }
}
