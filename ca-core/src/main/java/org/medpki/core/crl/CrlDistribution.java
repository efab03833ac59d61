package org.medpki.core.crl;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * How one CA's CRLs are laid out: into how many shards its certificates are partitioned
 * ({@code 1} = not partitioned: every certificate names the CA's complete CRL) and whether delta
 * CRLs are published (then certificates and complete CRLs carry a Freshest CRL extension).
 * Whatever the shard count, the CA's complete CRL listing every revoked certificate is published
 * too. Changing the count affects only certificates issued afterwards: the shard is stored with
 * each certificate at issuance.
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

    /** Every scope to publish for a CA: its complete CRL first, then each shard. */
    public List<CrlScope> scopes(String caName) {
        List<CrlScope> out = new ArrayList<>();
        out.add(CrlScope.whole(caName));
        if (partitioned()) {
            for (int s = 1; s <= shards; s++) {
                out.add(new CrlScope(caName, s));
            }
        }
        return out;
    }
}
