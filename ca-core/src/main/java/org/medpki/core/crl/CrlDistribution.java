package org.medpki.core.crl;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * How one CA's CRLs are laid out: into how many shards its certificates are partitioned
 * ({@code 1} = not partitioned: every certificate names the CA's complete CRL) and whether delta
 * CRLs are published (then certificates and complete CRLs carry a Freshest CRL extension).
 * Whatever the shard count, the CA's complete CRL listing every revoked certificate is published
 * too. Changing the count affects only certificates issued afterwards: the shard is stored with
 * each certificate at issuance, and a shard that still holds certificates whose entries may be
 * listed is published whatever the count ({@link #scopes(String, Set)}).
 */
public record CrlDistribution(int shards, boolean deltas) {
    public static final CrlDistribution DEFAULT = new CrlDistribution(1, true);

    public CrlDistribution {
        if (shards < 1 || shards > CrlScope.MAX_SHARD) {
            throw new IllegalArgumentException("the CRL shard count must be between 1 and " + CrlScope.MAX_SHARD
                    + ", not " + shards);
        }
    }

    public boolean partitioned() {
        return shards > 1;
    }

    /**
     * The shard a certificate with this serial belongs to: 0 when not partitioned, else 1..shards.
     * Serials are random (64+ bits), so serial mod n spreads certificates evenly.
     */
    public int shardOf(BigInteger serial) {
        return partitioned() ? 1 + serial.mod(BigInteger.valueOf(shards)).intValue() : 0;
    }

    /** Every scope to publish for a CA as configured: its complete CRL first, then each shard. */
    public List<CrlScope> scopes(String caName) {
        return scopes(caName, Set.of());
    }

    /**
     * The configured scopes and, in shard order, each shard of {@code inUse} beyond them: shards
     * that still hold certificates issued under an earlier, larger count (their CDP names the
     * shard's CRL, so it is published until they are gone).
     */
    public List<CrlScope> scopes(String caName, Set<Integer> inUse) {
        SortedSet<Integer> shardNumbers = new TreeSet<>();
        if (partitioned()) {
            for (int s = 1; s <= shards; s++) {
                shardNumbers.add(s);
            }
        }
        for (int s : inUse) {
            if (s > 0) {
                shardNumbers.add(s);
            }
        }
        List<CrlScope> out = new ArrayList<>();
        out.add(CrlScope.whole(caName));
        shardNumbers.forEach(s -> out.add(new CrlScope(caName, s)));
        return out;
    }

    /**
     * Of {@link CrlStore#shardsInUse}, the shards whose certificates may still be listed: the last
     * one expires at or after {@code droppedIfExpiredBefore} (thisUpdate minus keepExpired, the
     * bound under which entries leave the CRL).
     */
    public static Set<Integer> live(Map<Integer, Instant> lastNotAfter, Instant droppedIfExpiredBefore) {
        Set<Integer> out = new TreeSet<>();
        lastNotAfter.forEach((shard, notAfter) -> {
            if (!notAfter.isBefore(droppedIfExpiredBefore)) {
                out.add(shard);
            }
        });
        return out;
    }
}
