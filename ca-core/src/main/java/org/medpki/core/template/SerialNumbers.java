package org.medpki.core.template;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Objects;

/**
 * Certificate serial numbers: 159 bits from a CSPRNG, so every serial is positive, fits the 20
 * octets RFC 5280 4.1.2.2 allows, and carries far more than the 64 bits of entropy the CA/Browser
 * Forum asks for; values below 2^64 are drawn again so the DER is never shorter than 9 octets.
 * Uniqueness is the inventory's job (a unique index); the odds of a clash are negligible.
 */
public final class SerialNumbers {
    static final int BITS = 159;
    private final SecureRandom random;

    public SerialNumbers() {
        this(new SecureRandom());
    }

    public SerialNumbers(SecureRandom random) {
        this.random = Objects.requireNonNull(random, "random");
    }

    public BigInteger next() {
        BigInteger serial;
        do {
            serial = new BigInteger(BITS, random);
        } while (serial.bitLength() <= 64);
        return serial;
    }
}
