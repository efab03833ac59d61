package org.medpki.acme.validation;

import java.time.Duration;

/**
 * The one deadline of a validation: CAA, every address tried and every redirect share it. Each
 * network step takes its timeout from {@link #remaining()}, so no step, however slowly a server
 * trickles, outlives the validation.
 */
record Deadline(long endNanos) {

    static Deadline in(Duration budget) {
        return new Deadline(System.nanoTime() + budget.toNanos());
    }

    Duration remaining() {
        long left = endNanos - System.nanoTime();
        return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }

    boolean passed() {
        return endNanos - System.nanoTime() <= 0;
    }

    /** What is left in milliseconds, at least 1 (a socket timeout of 0 would mean forever). */
    int millisLeft() {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, remaining().toMillis()));
    }

    /** What is left, but at most {@code cap}: one step's share. */
    Duration atMost(Duration cap) {
        Duration left = remaining();
        return left.compareTo(cap) < 0 ? left : cap;
    }
}
