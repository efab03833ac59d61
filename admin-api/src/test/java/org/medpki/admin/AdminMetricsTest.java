package org.medpki.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The admin API's metrics: bounded labels, and the request counts read at most once a minute. */
class AdminMetricsTest {
    /** A clock the test moves. */
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-12-06T12:00:00Z");

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
    void callsAreCountedByRouteTemplateAndOutcome() {
        AdminMetrics m = new AdminMetrics(Map::of, new TestClock());
        m.call("GET", "/api/v1/requests/0f3a", 200);
        m.call("GET", "/api/v1/requests/77", 200);
        m.call("POST", "/api/v1/requests/77/approve", 409);
        m.call("GET", "/api/v1/me", 401);
        m.call("PUT", "/api/v1/certificates/01ab/owner", 422);
        m.call("GET", "/api/v1/audit", 503);
        m.call("GET", "/api/v1/audit", 500);
        m.call("DELETE", "/etc/passwd", 404);
        m.call("GET", "/api/v1/me", -1);
        String text = m.scrape();
        assertThat(text).contains(
                "medpki_admin_api_calls_total{method=\"GET\",route=\"/api/v1/requests/{id}\",outcome=\"200\"} 2\n",
                "medpki_admin_api_calls_total{method=\"POST\",route=\"/api/v1/requests/{id}/approve\",outcome=\"409\"} 1\n",
                "medpki_admin_api_calls_total{method=\"GET\",route=\"/api/v1/me\",outcome=\"401\"} 1\n",
                "medpki_admin_api_calls_total{method=\"PUT\",route=\"/api/v1/certificates/{serial}/owner\",outcome=\"422\"} 1\n",
                "medpki_admin_api_calls_total{method=\"GET\",route=\"/api/v1/audit\",outcome=\"5xx\"} 2\n",
                "medpki_admin_api_calls_total{method=\"other\",route=\"other\",outcome=\"404\"} 1\n",
                "medpki_admin_api_calls_total{method=\"GET\",route=\"/api/v1/me\",outcome=\"closed\"} 1\n",
                "# TYPE medpki_admin_api_calls_total counter\n");
        assertThat(text).doesNotContain("0f3a", "passwd");
        assertThat(AdminMetrics.template("/api/v1/requests/a/b/approve")).isEqualTo("other");
        assertThat(AdminMetrics.template("/api/v1/openapi.json")).isEqualTo("/api/v1/openapi.json");
        assertThat(AdminMetrics.template("/api/v1/openapiXjson")).isEqualTo("other");
    }

    @Test
    void refusalReasonsAreBoundedAndEscaped() {
        AdminMetrics m = new AdminMetrics(Map::of, new TestClock());
        m.refused("no client certificate");
        m.refused("no client certificate");
        m.refused("role not allowed");
        m.refused("a \"quoted\" reason");
        for (int i = 0; i < AdminMetrics.MAX_REASONS * 2; i++) {
            m.refused("reason " + i);
        }
        String text = m.scrape();
        assertThat(text).contains("medpki_admin_api_refusals_total{reason=\"no client certificate\"} 2\n",
                "medpki_admin_api_refusals_total{reason=\"role not allowed\"} 1\n",
                "medpki_admin_api_refusals_total{reason=\"a \\\"quoted\\\" reason\"} 1\n");
        long lines = text.lines().filter(l -> l.startsWith("medpki_admin_api_refusals_total{")).count();
        assertThat(lines).isEqualTo(AdminMetrics.MAX_REASONS + 1);
        long total = text.lines().filter(l -> l.startsWith("medpki_admin_api_refusals_total{"))
                .mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).sum();
        assertThat(total).isEqualTo(4 + AdminMetrics.MAX_REASONS * 2);
    }

    @Test
    void requestCountsAreReadAtMostOnceAMinute() {
        TestClock clock = new TestClock();
        AtomicInteger reads = new AtomicInteger();
        AtomicReference<Supplier<Map<String, Long>>> source = new AtomicReference<>(
                () -> Map.of("pending-approval", 3L));
        AdminMetrics m = new AdminMetrics(() -> {
            reads.incrementAndGet();
            return source.get().get();
        }, clock);
        String first = m.scrape();
        assertThat(first).contains("medpki_admin_requests{state=\"pending-approval\"} 3\n",
                "medpki_admin_requests{state=\"running\"} 0\n", "# TYPE medpki_admin_requests gauge\n");
        source.set(() -> Map.of("pending-approval", 1L, "running", 2L));
        clock.now = clock.now.plusSeconds(59);
        assertThat(m.scrape()).contains("medpki_admin_requests{state=\"pending-approval\"} 3\n");
        assertThat(reads).hasValue(1);
        clock.now = clock.now.plusSeconds(1);
        assertThat(m.scrape()).contains("medpki_admin_requests{state=\"pending-approval\"} 1\n",
                "medpki_admin_requests{state=\"running\"} 2\n");
        assertThat(reads).hasValue(2);

        // The inventory away: the last counts stay, with their time; one attempt a minute, counted.
        Instant counted = clock.now;
        source.set(() -> {
            throw new IllegalStateException("database down");
        });
        clock.now = clock.now.plus(Duration.ofMinutes(1));
        String failed = m.scrape();
        assertThat(failed).contains("medpki_admin_requests{state=\"running\"} 2\n",
                "medpki_admin_requests_counted_seconds " + counted.getEpochSecond() + "\n",
                "medpki_admin_requests_count_failures_total 1\n");
        m.scrape();
        assertThat(reads).hasValue(3);
    }

    @Test
    void withoutAnyCountTheGaugesAreLeftOut() {
        AdminMetrics m = new AdminMetrics(() -> {
            throw new IllegalStateException("database down");
        }, new TestClock());
        String text = m.scrape();
        assertThat(text).doesNotContain("medpki_admin_requests{").contains("medpki_admin_requests_count_failures_total 1\n");
    }

    /** A fixed answer, counting how often it is asked. */
    static class FixedKpis implements Kpis {
        final AtomicInteger reads = new AtomicInteger();

        @Override
        public Quantiles timeToRenew(Instant from, Instant to) {
            reads.incrementAndGet();
            return new Quantiles(5, 3600L, 86_400L);
        }

        @Override
        public RevocationLatency revocationLatency(Instant from, Instant to) {
            return new RevocationLatency(4, new Quantiles(2, 5L, 7L), 1, 1, new Quantiles(0, null, null), 4);
        }

        @Override
        public java.util.List<DayCount> failedValidations(Instant from, Instant to) {
            java.time.LocalDate d = java.time.LocalDate.of(2026, 12, 1);
            return java.util.List.of(new DayCount(d, "acme", 2), new DayCount(d, "device-est", 5),
                    new DayCount(d.plusDays(1), "acme", 1));
        }

        @Override
        public java.util.List<DayCount> unauthorizedIssuanceAttempts(Instant from, Instant to) {
            return java.util.List.of(new DayCount(java.time.LocalDate.of(2026, 12, 1),
                    "certificate.refused/UNAUTHORIZED", 3));
        }

        @Override
        public java.util.List<Expiring> expiryTimeline(Instant from, Instant to) {
            return java.util.List.of();
        }
    }

    @Test
    void kpisAreGaugesOfTheLast30DaysReadAtMostOnceAMinute() {
        TestClock clock = new TestClock();
        AdminMetrics m = new AdminMetrics(Map::of, clock);
        FixedKpis kpis = new FixedKpis();
        m.kpis(kpis);
        String text = m.scrape();
        assertThat(text).contains("medpki_kpi_time_to_renew_seconds{quantile=\"0.5\"} 3600\n",
                "medpki_kpi_time_to_renew_seconds{quantile=\"0.95\"} 86400\n",
                "medpki_kpi_time_to_renew_count 5\n",
                "medpki_kpi_revocation_latency_seconds{channel=\"ocsp\",quantile=\"0.5\"} 5\n",
                "medpki_kpi_revocation_latency_seconds{channel=\"ocsp\",quantile=\"0.99\"} 7\n",
                "medpki_kpi_revocation_latency_seconds{channel=\"crl\",quantile=\"0.5\"} NaN\n",
                "medpki_kpi_revocations_unpublished{channel=\"crl\"} 4\n",
                "medpki_kpi_failed_validations_last_30d{source=\"acme\"} 3\n",
                "medpki_kpi_failed_validations_last_30d{source=\"device-est\"} 5\n",
                "medpki_kpi_unauthorized_issuance_attempts_last_30d{reason=\"certificate.refused/UNAUTHORIZED\"} 3\n",
                "# TYPE medpki_kpi_time_to_renew_seconds gauge\n");
        m.scrape();
        clock.now = clock.now.plusSeconds(59);
        m.scrape();
        assertThat(kpis.reads).hasValue(1);
        clock.now = clock.now.plusSeconds(1);
        m.scrape();
        assertThat(kpis.reads).hasValue(2);
    }
}
