package org.medpki.core.inventory;

import java.time.Instant;

/**
 * Filters for listing certificates; a null field does not filter. {@code expiringBefore} selects
 * issued certificates whose notAfter lies before that instant (and after now); {@code san} those
 * with exactly this subject alternative name among their names.
 */
public record CertificateQuery(String profile, CertificateStatus status, Instant expiringBefore, String san,
                               int limit) {
    public CertificateQuery {
        if (limit <= 0 || limit > 100_000) {
            throw new IllegalArgumentException("limit must be between 1 and 100000");
        }
    }

    /** Without a name filter. */
    public CertificateQuery(String profile, CertificateStatus status, Instant expiringBefore, int limit) {
        this(profile, status, expiringBefore, null, limit);
    }

    public static CertificateQuery all() {
        return new CertificateQuery(null, null, null, 1000);
    }
}
