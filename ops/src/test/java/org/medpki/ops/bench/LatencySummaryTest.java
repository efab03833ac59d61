package org.medpki.ops.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class LatencySummaryTest {
    @Test
    void nearestRankPercentilesInMilliseconds() {
        long[] nanos = LongStream.rangeClosed(1, 100).map(i -> (101 - i) * 1_000_000L).toArray();

        LatencySummary s = LatencySummary.ofNanos(nanos);

        assertThat(s.count()).isEqualTo(100);
        assertThat(s.p50Millis()).isEqualTo(50.0);
        assertThat(s.p99Millis()).isEqualTo(99.0);
        assertThat(nanos[0]).as("input left unsorted").isEqualTo(100_000_000L);
    }

    @Test
    void oneSampleIsEveryPercentileAndNoSampleIsNaN() {
        assertThat(LatencySummary.ofNanos(new long[] {7_000_000L}).p99Millis()).isEqualTo(7.0);
        assertThat(LatencySummary.ofNanos(new long[0]).p50Millis()).isNaN();
    }
}
