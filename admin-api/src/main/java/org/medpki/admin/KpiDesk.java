package org.medpki.admin;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code GET /api/v1/kpis} and {@code GET /api/v1/expiry-timeline}: the parameters checked
 * strictly (an unknown one or a bad value is a 422 naming it), the numbers from {@link Kpis}.
 * Blocking.
 */
public final class KpiDesk {
    static final Duration DEFAULT_PERIOD = Duration.ofDays(30);
    static final Duration MAX_PERIOD = Duration.ofDays(366);
    static final int DEFAULT_DAYS = 90;
    static final int MAX_DAYS = 366;

    private final Kpis kpis;
    private final Clock clock;

    public KpiDesk(Kpis kpis, Clock clock) {
        this.kpis = kpis;
        this.clock = clock;
    }

    Kpis kpis() {
        return kpis;
    }

    /** {@code GET /api/v1/kpis?from=&to=}: the four indicators over [from, to). */
    public JsonObject kpis(MultiMap params) {
        only(params, Set.of("from", "to"));
        Instant now = clock.instant();
        Instant to = time(params, "to", now);
        Instant from = time(params, "from", to.minus(DEFAULT_PERIOD));
        if (!from.isBefore(to)) {
            throw Problem.badInput("from", "from must be before to");
        }
        if (Duration.between(from, to).compareTo(MAX_PERIOD) > 0) {
            throw Problem.badInput("from", "the period is at most " + MAX_PERIOD.toDays() + " days");
        }
        return report(from, to);
    }

    JsonObject report(Instant from, Instant to) {
        Kpis.Quantiles ttr = kpis.timeToRenew(from, to);
        Kpis.RevocationLatency rev = kpis.revocationLatency(from, to);
        return new JsonObject().put("from", from.toString()).put("to", to.toString())
                .put("timeToRenew", new JsonObject().put("count", ttr.count()).put("p50Seconds", ttr.p50())
                        .put("p95Seconds", ttr.p9x()))
                .put("revocationPublicationLatency", new JsonObject().put("revoked", rev.revoked())
                        .put("ocsp", new JsonObject().put("count", rev.ocsp().count())
                                .put("p50Seconds", rev.ocsp().p50()).put("p99Seconds", rev.ocsp().p9x())
                                .put("notPublished", rev.ocspNotPublished()).put("notStored", rev.ocspNotStored()))
                        .put("crl", new JsonObject().put("count", rev.crl().count())
                                .put("p50Seconds", rev.crl().p50()).put("p99Seconds", rev.crl().p9x())
                                .put("notPublished", rev.crlNotPublished())))
                .put("failedValidations", perDay(kpis.failedValidations(from, to), "source"))
                .put("unauthorizedIssuanceAttempts", perDay(kpis.unauthorizedIssuanceAttempts(from, to), "reason"));
    }

    /** {@code GET /api/v1/expiry-timeline?days=}: per UTC day from today, per profile. */
    public JsonObject timeline(MultiMap params) {
        only(params, Set.of("days"));
        int days = DEFAULT_DAYS;
        String text = single(params, "days");
        if (text != null) {
            try {
                days = Integer.parseInt(text);
            } catch (NumberFormatException e) {
                days = 0;
            }
            if (days < 1 || days > MAX_DAYS || !text.matches("[0-9]{1,3}")) {
                throw Problem.badInput("days", "days must be a whole number from 1 to " + MAX_DAYS);
            }
        }
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        Instant from = today.atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant to = from.plus(days, ChronoUnit.DAYS);
        JsonArray items = new JsonArray();
        for (Kpis.Expiring e : kpis.expiryTimeline(from, to)) {
            items.add(new JsonObject().put("day", e.day().toString()).put("profile", e.profile())
                    .put("expiring", e.expiring()).put("withoutReplacement", e.withoutReplacement()));
        }
        return new JsonObject().put("from", today.toString()).put("days", days).put("items", items);
    }

    /** {"totals": {key: n}, "days": [{"day", KEY: key, "count"}]}, days in order. */
    private static JsonObject perDay(List<Kpis.DayCount> counts, String keyName) {
        Map<String, Long> totals = new TreeMap<>();
        JsonArray days = new JsonArray();
        for (Kpis.DayCount c : counts) {
            totals.merge(c.key(), c.count(), Long::sum);
            days.add(new JsonObject().put("day", c.day().toString()).put(keyName, c.key()).put("count", c.count()));
        }
        JsonObject t = new JsonObject();
        totals.forEach(t::put);
        return new JsonObject().put("totals", t).put("days", days);
    }

    private static Instant time(MultiMap params, String name, Instant otherwise) {
        String text = single(params, name);
        if (text == null) {
            return otherwise;
        }
        try {
            return java.time.OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw Problem.badInput(name, name + " must be an RFC 3339 time, e.g. 2026-12-01T00:00:00Z");
        }
    }

    private static String single(MultiMap params, String name) {
        List<String> all = params.getAll(name);
        if (all.size() > 1) {
            throw Problem.badInput(name, name + " is given more than once");
        }
        return all.isEmpty() ? null : all.getFirst();
    }

    private static void only(MultiMap params, Set<String> allowed) {
        for (String name : params.names()) {
            if (!allowed.contains(name)) {
                throw Problem.badInput(name.length() <= 40 ? name : name.substring(0, 40),
                        "unknown parameter; allowed: " + String.join(", ", new java.util.TreeSet<>(allowed)));
            }
        }
    }
}
