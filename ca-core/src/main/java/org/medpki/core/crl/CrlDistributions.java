package org.medpki.core.crl;

import java.util.Map;
import java.util.Objects;

/** The CRL layout of every issuing CA: one per CA name, else the default. */
public record CrlDistributions(Map<String, CrlDistribution> byCa, CrlDistribution defaults) {
    /** Not partitioned, deltas on: what a CA gets unless configured otherwise. */
    public static final CrlDistributions DEFAULT = new CrlDistributions(Map.of(), CrlDistribution.DEFAULT);

    public CrlDistributions {
        byCa = Map.copyOf(Objects.requireNonNull(byCa, "byCa"));
        Objects.requireNonNull(defaults, "defaults");
    }

    public CrlDistribution of(String caName) {
        return byCa.getOrDefault(caName, defaults);
    }
}
