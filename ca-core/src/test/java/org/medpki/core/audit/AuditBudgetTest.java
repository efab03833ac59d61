package org.medpki.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.medpki.core.testpki.HandClock;

class AuditBudgetTest {

    @Test
    void writesUpToTheBudgetThenCountsAndReportsTheCountOnTheNextEntry() {
        HandClock clock = new HandClock(Instant.parse("2026-01-01T00:00:00Z"));
        AuditBudget budget = new AuditBudget(2, Duration.ofMinutes(1), clock);
        assertThat(budget.admit("badSignature")).isZero();
        assertThat(budget.admit("badSignature")).isZero();
        for (int i = 0; i < 5; i++) {
            assertThat(budget.admit("badSignature")).isEqualTo(AuditBudget.SKIP);
        }
        // Another key has its own budget.
        assertThat(budget.admit("badNonce")).isZero();
        clock.advance(Duration.ofSeconds(59));
        assertThat(budget.admit("badSignature")).isEqualTo(AuditBudget.SKIP);
        clock.advance(Duration.ofSeconds(1));
        assertThat(budget.admit("badSignature")).as("the next window's first entry carries the count").isEqualTo(6);
        assertThat(budget.admit("badSignature")).isZero();
    }

    @Test
    void refusesAnEmptyBudget() {
        assertThatThrownBy(() -> new AuditBudget(0, Duration.ofMinutes(1), Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
