package org.medpki.core.crl;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Objects;

/** A CRL as signed: its DER and the facts stored and served with it. */
public record SignedCrl(byte[] der, BigInteger number, Instant thisUpdate, Instant nextUpdate, long entries) {
    public SignedCrl {
        Objects.requireNonNull(der, "der");
        Objects.requireNonNull(number, "number");
        Objects.requireNonNull(thisUpdate, "thisUpdate");
        Objects.requireNonNull(nextUpdate, "nextUpdate");
    }
}
