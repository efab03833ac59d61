package org.medpki.hsm.bench;

import java.time.Duration;
import java.util.Objects;
import org.medpki.core.keys.KeyAlgorithm;
import org.medpki.core.keys.SignatureAlgorithm;

/** One benchmark measurement: how many signatures {@code threads} threads made in {@code elapsed}. */
public record SignRate(KeyAlgorithm key, SignatureAlgorithm signature, int threads, long signatures,
                       Duration elapsed) {
    public SignRate {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(signature, "signature");
        Objects.requireNonNull(elapsed, "elapsed");
        if (threads < 1 || signatures < 0 || elapsed.isNegative() || elapsed.isZero()) {
            throw new IllegalArgumentException("threads >= 1, signatures >= 0 and a positive duration");
        }
    }

    public double perSecond() {
        return signatures / (elapsed.toNanos() / 1e9);
    }
}
