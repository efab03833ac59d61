package org.medpki.core.crl;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The scopes a CA publishes: the configured ones and the shards still in use beyond them. */
class CrlDistributionTest {
    private static final Instant CUTOFF = Instant.parse("2026-12-01T00:00:00Z");

    @Test
    void shardsInUseBeyondTheConfiguredCountAreAddedInShardOrder() {
        CrlDistribution two = new CrlDistribution(2, true);

        assertThat(two.scopes("server-ca", Set.of(5, 1, 3))).extracting(CrlScope::shard)
                .containsExactly(0, 1, 2, 3, 5);
        assertThat(two.scopes("server-ca")).extracting(CrlScope::shard).containsExactly(0, 1, 2);
        // Not partitioned any more: certificates issued into shards still name them.
        assertThat(CrlDistribution.DEFAULT.scopes("server-ca", Set.of(4))).extracting(CrlScope::shard)
                .containsExactly(0, 4);
    }

    @Test
    void aShardIsLiveWhileItsLastCertificateExpiredNoEarlierThanTheCutoff() {
        Map<Integer, Instant> lastNotAfter = Map.of(1, CUTOFF.minusSeconds(1), 2, CUTOFF, 3, CUTOFF.plusSeconds(86400));

        assertThat(CrlDistribution.live(lastNotAfter, CUTOFF)).containsExactly(2, 3);
    }
}
