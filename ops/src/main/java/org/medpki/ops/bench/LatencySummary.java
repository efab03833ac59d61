package org.medpki.ops.bench;

import java.util.Arrays;

/** Median and 99th percentile (nearest rank) of a set of durations, in milliseconds. */
public record LatencySummary(int count, double p50Millis, double p99Millis) {
    public LatencySummary {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative: " + count);
        }
    }

    public static LatencySummary ofNanos(long[] nanos) {
        if (nanos.length == 0) {
            return new LatencySummary(0, Double.NaN, Double.NaN);
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return new LatencySummary(sorted.length, rank(sorted, 0.50) / 1e6, rank(sorted, 0.99) / 1e6);
    }

    private static long rank(long[] sorted, double quantile) {
        int index = (int) Math.ceil(quantile * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
