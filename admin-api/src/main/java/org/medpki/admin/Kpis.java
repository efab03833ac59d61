package org.medpki.admin;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * The key performance indicators of the PKI and the expiry timeline, read from the inventory and
 * the audit log (blocking). Definitions (also in the README):
 *
 * <ul>
 * <li>A certificate's <em>replacement</em> is the one whose ACME order named it in {@code replaces}
 * (while the order is kept), else the next certificate issued after it under the same profile with
 * the same subject (which holds a device's serialNumber) and the same set of SANs.
 * <li>Its <em>renewal window start</em> is where ACME Renewal Information puts it: two thirds of
 * the lifetime after notBefore, half of it for a certificate of at most 10 days.
 * <li><em>Time to renew</em>: for each certificate whose replacement was issued in the period,
 * the replacement's issuance minus the window start (negative when renewed before the window).
 * <li><em>Revocation publication latency</em>: for each certificate revoked in the period, to the
 * thisUpdate of its stored (pre-signed) OCSP response once that says revoked, and to the
 * thisUpdate of its CA's first complete CRL published after the revocation.
 * </ul>
 */
public interface Kpis {
    /** Percentiles of durations in seconds; null percentiles when {@code count} is 0. */
    record Quantiles(long count, Long p50, Long p9x) {
    }

    /**
     * Revocation latencies: {@code revoked} in the period; per channel the published ones'
     * quantiles (p50, p99) and {@code notPublished}; {@code ocspNotStored}: revoked certificates
     * without a stored OCSP response (the responder answers them from the inventory at request time).
     */
    record RevocationLatency(long revoked, Quantiles ocsp, long ocspNotPublished, long ocspNotStored,
                             Quantiles crl, long crlNotPublished) {
    }

    /** A count on a UTC day for a source or reason. */
    record DayCount(LocalDate day, String key, long count) {
    }

    /** Certificates of a profile expiring on a UTC day, and how many of them have no replacement. */
    record Expiring(LocalDate day, String profile, long expiring, long withoutReplacement) {
    }

    /** Time to renew over certificates replaced in [from, to): p50 and p95. */
    Quantiles timeToRenew(Instant from, Instant to);

    /** Latencies over certificates revoked in [from, to): p50 and p99. */
    RevocationLatency revocationLatency(Instant from, Instant to);

    /**
     * Failed validations in [from, to) per UTC day: key {@code acme} (challenges that became
     * invalid) or {@code device-PROTOCOL} (device authentication failures).
     */
    List<DayCount> failedValidations(Instant from, Instant to);

    /** Refused issuance requests in [from, to) per UTC day and reason ({@code EVENT/KIND}). */
    List<DayCount> unauthorizedIssuanceAttempts(Instant from, Instant to);

    /** Issued certificates expiring in [from, to), per UTC day and profile. */
    List<Expiring> expiryTimeline(Instant from, Instant to);
}
