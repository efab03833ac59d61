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
 * searched: their orders name the serials).
 */
public record CertificateQuery(String profile, CertificateStatus status, Instant expiringBefore, String san,
                               int limit, Long caId, String owner, String tag, Instant issuedAfter,
                               Instant issuedBefore, byte[] spkiSha256, List<BigInteger> serials) {
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
        this(profile, status, expiringBefore, san, limit, null, null, null, null, null, null, null);
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
                issuedBefore, spkiSha256, serials);
    }

    public CertificateQuery withOwner(String name, String tagged) {
        return new CertificateQuery(profile, status, expiringBefore, san, limit, caId, name, tagged, issuedAfter,
                issuedBefore, spkiSha256, serials);
    }

    public CertificateQuery withIssued(Instant after, Instant before) {
        return new CertificateQuery(profile, status, expiringBefore, san, limit, caId, owner, tag, after, before,
                spkiSha256, serials);
    }

    public CertificateQuery withKey(byte[] sha256) {
        return new CertificateQuery(profile, status, expiringBefore, san, limit, caId, owner, tag, issuedAfter,
                issuedBefore, sha256, serials);
    }

    public CertificateQuery withSerials(List<BigInteger> among) {
        return new CertificateQuery(profile, status, expiringBefore, san, limit, caId, owner, tag, issuedAfter,
                issuedBefore, spkiSha256, among);
    }
}
