package org.medpki.core.crl;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Objects;

/** A CRL stored in the inventory: what the publisher serves. {@code baseNumber} is set on deltas only. */
public record PublishedCrl(long caId, int shard, CrlKind kind, BigInteger number, BigInteger baseNumber,
                           Instant thisUpdate, Instant nextUpdate, long entries, byte[] der, Instant publishedAt) {
    public PublishedCrl {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(number, "number");
        Objects.requireNonNull(thisUpdate, "thisUpdate");
        Objects.requireNonNull(nextUpdate, "nextUpdate");
        Objects.requireNonNull(der, "der");
        Objects.requireNonNull(publishedAt, "publishedAt");
        if ((kind == CrlKind.DELTA) != (baseNumber != null)) {
            throw new IllegalArgumentException("a delta CRL, and only a delta CRL, has a base CRL number");
        }
    }
}
