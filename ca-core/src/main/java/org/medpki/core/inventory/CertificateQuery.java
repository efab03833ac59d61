package org.medpki.core.inventory;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;

/**
 * Filters for listing certificates; a null field does not filter. {@code expiringBefore} selects
 * issued certificates whose notAfter lies before that instant (and after now); {@code san} those
 * with exactly this subject alternative name among their names; {@code caId} those of one CA;
 * {@code owner} and {@code tag} those whose recorded owner is that one or whose tags include that
 * one; {@code issuedAfter}/{@code issuedBefore} bound the issuance time; {@code spkiSha256} those of
 * one public key; {@code serials} those among the given serials (how ACME accounts and EAB keys are
 * searched: their orders name the serials). {@code order}, when set, sorts and pages by a key
 * (keyset paging: the rows after a cursor); when null the listing is newest first, or soonest to
 * expire first with {@code expiringBefore}.
 */
public record CertificateQuery(String profile, CertificateStatus status, Instant expiringBefore, String san,
                               int limit, Long caId, String owner, String tag, Instant issuedAfter,
                               Instant issuedBefore, byte[] spkiSha256, List<BigInteger> serials,
                               Order order) {
    public CertificateQuery {
        if (limit <= 0 || limit > 100_000) {
            throw new IllegalArgumentException("limit must be between 1 and 100000");
        }
        if (spkiSha256 != null && spkiSha256.length != 32) {
            throw new IllegalArgumentException("spkiSha256 must be 32 bytes");
        }
        spkiSha256 = spkiSha256 == null ? null : spkiSha256.clone();
        serials = serials == null ? null : List.copyOf(serials);
    }

    public CertificateQuery(String profile, CertificateStatus status, Instant expiringBefore, String san, int limit) {
        this(profile, status, expiringBefore, san, limit, null, null, null, null, null, null, null, null);
    }

    /** Without a name filter. */
    public CertificateQuery(String profile, CertificateStatus status, Instant expiringBefore, int limit) {
        this(profile, status, expiringBefore, null, limit);
    }

    public static CertificateQuery all() {
        return new CertificateQuery(null, null, null, 1000);
    }

    /** Whether a filter beyond profile, status, expiry and name is set (those need the owner and key columns). */
    public boolean usesExtendedFilters() {
        return caId != null || owner != null || tag != null || issuedAfter != null || issuedBefore != null
                || spkiSha256 != null || serials != null;
    }

    public CertificateQuery withCa(Long id) {
        return new CertificateQuery(profile, status, expiringBefore, san, limit, id, owner, tag, issuedAfter,
                issuedBefore, spkiSha256, serials, order);
    }

    public CertificateQuery withOwner(String name, String tagged) {
        return new CertificateQuery(profile, status, expiringBefore, san, limit, caId, name, tagged, issuedAfter,
                issuedBefore, spkiSha256, serials, order);
    }

    public CertificateQuery withIssued(Instant after, Instant before) {
        return new CertificateQuery(profile, status, expiringBefore, san, limit, caId, owner, tag, after, before,
                spkiSha256, serials, order);
    }

    public CertificateQuery withKey(byte[] sha256) {
        return new CertificateQuery(profile, status, expiringBefore, san, limit, caId, owner, tag, issuedAfter,
                issuedBefore, sha256, serials, order);
    }

    public CertificateQuery withSerials(List<BigInteger> among) {
        return new CertificateQuery(profile, status, expiringBefore, san, limit, caId, owner, tag, issuedAfter,
                issuedBefore, spkiSha256, among, order);
    }

    public CertificateQuery withOrder(Order by) {
        return new CertificateQuery(profile, status, expiringBefore, san, limit, caId, owner, tag, issuedAfter,
                issuedBefore, spkiSha256, serials, by);
    }

    /** The sort keys: notAfter, the time the inventory recorded the certificate, the serial. */
    public enum SortKey { NOT_AFTER, CREATED_AT, SERIAL }

    /**
     * Sorted by {@code key} (then CA and serial, so that the order is total), ascending or not;
     * with {@code after}, only the rows after that one in this order.
     */
    public record Order(SortKey key, boolean descending, Cursor after) {
        public Order {
            java.util.Objects.requireNonNull(key, "key");
        }
    }

    /** The last row of a page: its sort value (an Instant for times, null for SERIAL), CA and serial. */
    public record Cursor(Instant time, long caId, BigInteger serial) {
        public Cursor {
            java.util.Objects.requireNonNull(serial, "serial");
        }
    }
}
