package org.medpki.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class AuditBudgetTest {

    /** A clock the test moves by hand. */
    private static final class HandClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void writesUpToTheBudgetThenCountsAndReportsTheCountOnTheNextEntry() {
        HandClock clock = new HandClock();
        AuditBudget budget = new AuditBudget(2, Duration.ofMinutes(1), clock);
        assertThat(budget.admit("badSignature")).isZero();
        assertThat(budget.admit("badSignature")).isZero();
        for (int i = 0; i < 5; i++) {
            assertThat(budget.admit("badSignature")).isEqualTo(AuditBudget.SKIP);
        }
        // Another key has its own budget.
        assertThat(budget.admit("badNonce")).isZero();
        clock.now = clock.now.plusSeconds(59);
        assertThat(budget.admit("badSignature")).isEqualTo(AuditBudget.SKIP);
        clock.now = clock.now.plusSeconds(1);
        assertThat(budget.admit("badSignature")).as("the next window's first entry carries the count").isEqualTo(6);
        assertThat(budget.admit("badSignature")).isZero();
    }

    @Test
    void refusesAnEmptyBudget() {
        assertThatThrownBy(() -> new AuditBudget(0, Duration.ofMinutes(1), Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
