package org.medpki.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The KPI and timeline parameters: defaults, limits, and a 422 naming the parameter for bad input. */
class KpiDeskTest {
    private static final Instant NOW = Instant.parse("2026-12-06T12:30:00Z");
    private final List<Instant[]> asked = new ArrayList<>();
    private final KpiDesk desk = new KpiDesk(new AdminMetricsTest.FixedKpis() {
        @Override
        public List<Expiring> expiryTimeline(Instant from, Instant to) {
            asked.add(new Instant[] {from, to});
            return List.of(new Expiring(java.time.LocalDate.of(2026, 12, 7), "tls-server", 3, 1));
        }
    }, Clock.fixed(NOW, ZoneOffset.UTC));

    private static MultiMap params(String... nameValue) {
        MultiMap m = MultiMap.caseInsensitiveMultiMap();
        for (int i = 0; i < nameValue.length; i += 2) {
            m.add(nameValue[i], nameValue[i + 1]);
        }
        return m;
    }

    @Test
    void kpisDefaultToTheLast30Days() {
        JsonObject j = desk.kpis(params());
        assertThat(j.getString("to")).isEqualTo("2026-12-06T12:30:00Z");
        assertThat(j.getString("from")).isEqualTo("2026-11-06T12:30:00Z");
        assertThat(j.getJsonObject("timeToRenew").getLong("p50Seconds")).isEqualTo(3600L);
        assertThat(j.getJsonObject("revocationPublicationLatency").getJsonObject("crl").getValue("p50Seconds")).isNull();
        assertThat(j.getJsonObject("failedValidations").getJsonObject("totals").getLong("acme")).isEqualTo(3L);
        assertThat(j.getJsonObject("failedValidations").getJsonArray("days")).hasSize(3);
        assertThat(j.getJsonObject("unauthorizedIssuanceAttempts").getJsonObject("totals")
                .getLong("certificate.refused/UNAUTHORIZED")).isEqualTo(3L);
        JsonObject p = desk.kpis(params("from", "2026-01-01T00:00:00+01:00", "to", "2027-01-01T00:00:00+01:00"));
        assertThat(p.getString("from")).isEqualTo("2025-12-31T23:00:00Z");
    }

    @Test
    void badKpiParametersAre422NamingThem() {
        bad(() -> desk.kpis(params("from", "yesterday")), "from");
        bad(() -> desk.kpis(params("to", "2026-13-01T00:00:00Z")), "to");
        bad(() -> desk.kpis(params("from", "2026-12-01T00:00:00Z", "to", "2026-12-01T00:00:00Z")), "from");
        bad(() -> desk.kpis(params("from", "2025-01-01T00:00:00Z", "to", "2026-12-01T00:00:00Z")), "from");
        bad(() -> desk.kpis(params("since", "2026-12-01T00:00:00Z")), "since");
        bad(() -> desk.kpis(params("to", "2026-12-01T00:00:00Z", "to", "2026-12-02T00:00:00Z")), "to");
        bad(() -> desk.kpis(params("from", "2026-12-01")), "from");
    }

    @Test
    void theTimelineStartsTodayForUpTo366Days() {
        JsonObject j = desk.timeline(params());
        assertThat(j.getInteger("days")).isEqualTo(90);
        assertThat(j.getString("from")).isEqualTo("2026-12-06");
        assertThat(asked.getFirst()).containsExactly(Instant.parse("2026-12-06T00:00:00Z"),
                Instant.parse("2027-03-06T00:00:00Z"));
        assertThat(j.getJsonArray("items").getJsonObject(0).getLong("withoutReplacement")).isEqualTo(1L);
        assertThat(desk.timeline(params("days", "366")).getInteger("days")).isEqualTo(366);
        assertThat(desk.timeline(params("days", "1")).getInteger("days")).isEqualTo(1);
        for (String d : new String[] {"0", "367", "-1", "abc", "1e2", "", "99999999999", "+5"}) {
            bad(() -> desk.timeline(params("days", d)), "days");
        }
        bad(() -> desk.timeline(params("day", "5")), "day");
    }

    private static void bad(Runnable call, String field) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(Problem.class, p -> {
            assertThat(p.status()).isEqualTo(422);
            assertThat(p.json().getString("field")).isEqualTo(field);
        });
    }
}
