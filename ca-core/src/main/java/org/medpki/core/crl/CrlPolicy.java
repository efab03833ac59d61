package org.medpki.core.crl;

import java.time.Duration;
import java.util.Objects;

/**
 * When CRLs are made and how long they are valid (CP/CPS 4.9.7):
 * <ul>
 * <li>a complete CRL every {@code fullInterval}, valid (nextUpdate) for {@code fullInterval +
 * fullNextUpdateMargin}, so a publisher outage shorter than the margin leaves no relying party
 * without a current CRL;</li>
 * <li>a delta CRL every {@code deltaInterval}, valid for {@code deltaInterval + deltaNextUpdateMargin};
 * it lists revocations from {@code deltaOverlap} before its base's thisUpdate on, so a revocation
 * committed while the base was being built is never missed;</li>
 * <li>the root's CRL (ARL) valid for {@code rootValidity}: the root key is used rarely;</li>
 * <li>an entry is dropped once its certificate expired more than {@code keepExpired} before
 * thisUpdate. RFC 5280 3.3 asks that an entry stay until it has appeared on one regularly
 * scheduled CRL issued after the certificate expired; keepExpired must therefore be at least
 * fullInterval (checked here), so every entry is on at least one complete CRL made after expiry.</li>
 * </ul>
 */
public record CrlPolicy(Duration fullInterval, Duration fullNextUpdateMargin, Duration deltaInterval,
                        Duration deltaNextUpdateMargin, Duration deltaOverlap, Duration keepExpired,
                        Duration rootValidity) {
    public static final CrlPolicy DEFAULT = new CrlPolicy(Duration.ofHours(6), Duration.ofHours(18),
            Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(10), Duration.ofDays(7),
            Duration.ofDays(365));

    public CrlPolicy {
        positive(fullInterval, "fullInterval");
        positive(fullNextUpdateMargin, "fullNextUpdateMargin");
        positive(deltaInterval, "deltaInterval");
        positive(deltaNextUpdateMargin, "deltaNextUpdateMargin");
        positive(deltaOverlap, "deltaOverlap");
        positive(keepExpired, "keepExpired");
        positive(rootValidity, "rootValidity");
        if (deltaInterval.compareTo(fullInterval) > 0) {
            throw new IllegalArgumentException("deltaInterval (" + deltaInterval + ") must not exceed fullInterval ("
                    + fullInterval + ")");
        }
        if (keepExpired.compareTo(fullInterval) < 0) {
            throw new IllegalArgumentException("keepExpired (" + keepExpired + ") must be at least fullInterval ("
                    + fullInterval + "): an expired certificate's entry must reach one scheduled CRL after expiry");
        }
    }

    public Duration validity(CrlKind kind) {
        return kind == CrlKind.FULL ? fullInterval.plus(fullNextUpdateMargin) : deltaInterval.plus(deltaNextUpdateMargin);
    }

    private static void positive(Duration d, String key) {
        Objects.requireNonNull(d, key);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(key + " must be positive");
        }
    }
}
