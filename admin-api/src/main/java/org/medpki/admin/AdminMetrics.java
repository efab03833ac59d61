package org.medpki.admin;

import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.medpki.listener.ConnectionGuard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's Prometheus metrics, in the text format (version 0.0.4) written by hand as the
 * CA API and the OCSP responder write theirs: calls by method, route template and outcome (the
 * status code, 5xx together), refusals by reason, the listener's connections, and the requests
 * pending approval and running, and the KPIs of the last 30 days ({@link Kpis}). The request counts
 * and the KPIs come from the inventory at most once a
 * {@link #GAUGE_REFRESH} (on the first scrape after that), so that a scraper costs the database
 * one small query a minute whatever its interval. Every label's values are a bounded set: paths
 * outside the API are {@code other}, and reasons beyond {@link #MAX_REASONS} are {@code other}.
 */
public final class AdminMetrics {
    private static final Logger LOG = LoggerFactory.getLogger(AdminMetrics.class);
    /** How old the request counts may be before a scrape reads them again. */
    public static final Duration GAUGE_REFRESH = Duration.ofMinutes(1);
    /** Distinct refusal reasons counted by name; further ones are counted as {@code other}. */
    static final int MAX_REASONS = 32;
    /** The states whose requests are counted (the ones waiting for someone or something). */
    public static final List<String> GAUGE_STATES = List.of("pending-approval", "running");
    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "HEAD");
    /** The route templates, in the router's terms; the first that matches names the call. */
    private static final List<Map.Entry<Pattern, String>> ROUTES = List.of(
            route("/health"), route("/metrics"), route("/api/v1/openapi.json"), route("/api/v1/me"),
            route("/api/v1/certificates"), route("/api/v1/certificates/{serial}/owner"), route("/api/v1/audit"),
            route("/api/v1/revocations"), route("/api/v1/requests"), route("/api/v1/requests/{id}"),
            route("/api/v1/requests/{id}/approve"), route("/api/v1/requests/{id}/reject"), route("/api/v1/owners"),
            route("/api/v1/owners/{name}"), route("/api/v1/admins"), route("/api/v1/admins/{name}/roles"),
            route("/api/v1/ca-rollovers"), route("/api/v1/ca-rollovers/{id}"), route("/api/v1/devices"),
            route("/api/v1/devices/{serial}"), route("/api/v1/devices/{serial}/decommission"), route("/api/v1/kpis"),
            route("/api/v1/expiry-timeline"));
    /** The period of the KPI gauges, named in their names ({@code _last_30d}). */
    public static final Duration KPI_PERIOD = Duration.ofDays(30);

    /** One counter of calls. */
    private record Call(String method, String route, String outcome) {
    }

    /** The last attempt to count the requests, and the last counts read (null before the first success). */
    private record Gauges(Instant tried, Instant counted, Map<String, Long> counts) {
    }

    private final Supplier<Map<String, Long>> requestsByState;
    private final Clock clock;
    private final Map<Call, LongAdder> calls = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> refusals = new ConcurrentHashMap<>();
    private final LongAdder gaugeReadFailures = new LongAdder();
    private final Object refreshing = new Object();
    private volatile Gauges gauges;
    private volatile ConnectionGuard listener;
    private volatile Kpis kpis;
    private final Object kpiRefreshing = new Object();
    private final LongAdder kpiReadFailures = new LongAdder();
    private volatile KpiGauges kpiGauges;

    /** The last attempt to read the KPIs, and the last text made from them (null before the first success). */
    private record KpiGauges(Instant tried, String text) {
    }

    /** {@code requestsByState}: the number of requests in each state, from the inventory (blocking). */
    public AdminMetrics(Supplier<Map<String, Long>> requestsByState, Clock clock) {
        this.requestsByState = requestsByState;
        this.clock = clock;
    }

    private static Map.Entry<Pattern, String> route(String template) {
        String regex = Pattern.quote(template).replaceAll("\\{[a-z]+}", "\\\\E[^/]+\\\\Q");
        return Map.entry(Pattern.compile(regex), template);
    }

    /** The listener whose connections are reported. */
    public void listener(ConnectionGuard guard) {
        this.listener = guard;
    }

    /** The KPIs to report, over the last {@link #KPI_PERIOD}, read at most once a {@link #GAUGE_REFRESH}. */
    public void kpis(Kpis source) {
        this.kpis = source;
    }

    /** A router handler, mounted first: counts the call when its response has ended. */
    public void observe(RoutingContext ctx) {
        String method = ctx.request().method().name();
        String path = ctx.request().path();
        ctx.addEndHandler(r -> call(method, path, r.succeeded() ? ctx.response().getStatusCode() : -1));
        ctx.next();
    }

    /** Counts one call; {@code status} -1 when the connection closed before the answer was sent. */
    public void call(String method, String path, int status) {
        String outcome = status < 0 ? "closed" : status >= 500 ? "5xx" : Integer.toString(status);
        Call key = new Call(METHODS.contains(method) ? method : "other", template(path), outcome);
        calls.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    /** Counts one refusal (401 or 403) by its reason, whether or not the audit budget let it be recorded. */
    public void refused(String reason) {
        String r = reason == null ? "other" : reason;
        LongAdder counter = refusals.get(r);
        if (counter == null) {
            counter = refusals.size() < MAX_REASONS ? refusals.computeIfAbsent(r, k -> new LongAdder())
                    : refusals.computeIfAbsent("other", k -> new LongAdder());
        }
        counter.increment();
    }

    static String template(String path) {
        if (path != null) {
            for (Map.Entry<Pattern, String> e : ROUTES) {
                if (e.getKey().matcher(path).matches()) {
                    return e.getValue();
                }
            }
        }
        return "other";
    }

    /** The Prometheus text exposition; blocking (it may read the request counts). */
    public String scrape() {
        Gauges g = refreshedGauges();
        StringBuilder b = new StringBuilder(4096);
        b.append("# HELP medpki_admin_api_calls_total Admin API calls by method, route template and outcome"
                + " (status code; 5xx together, closed: no answer sent).\n# TYPE medpki_admin_api_calls_total counter\n");
        calls.entrySet().stream()
                .sorted(Comparator.comparing((Map.Entry<Call, LongAdder> e) -> e.getKey().route())
                        .thenComparing(e -> e.getKey().method()).thenComparing(e -> e.getKey().outcome()))
                .forEach(e -> b.append("medpki_admin_api_calls_total{method=\"").append(e.getKey().method())
                        .append("\",route=\"").append(e.getKey().route()).append("\",outcome=\"")
                        .append(e.getKey().outcome()).append("\"} ").append(e.getValue().sum()).append('\n'));
        b.append("# HELP medpki_admin_api_refusals_total Requests refused (401, 403) by reason.\n"
                + "# TYPE medpki_admin_api_refusals_total counter\n");
        refusals.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> b.append("medpki_admin_api_refusals_total{reason=\"").append(escape(e.getKey()))
                        .append("\"} ").append(e.getValue().sum()).append('\n'));
        if (g.counts() != null) {
            b.append("# HELP medpki_admin_requests Requests by state, as the inventory last counted them (once a minute"
                    + " at most).\n# TYPE medpki_admin_requests gauge\n");
            for (String state : GAUGE_STATES) {
                b.append("medpki_admin_requests{state=\"").append(state).append("\"} ")
                        .append(g.counts().getOrDefault(state, 0L)).append('\n');
            }
            b.append("# HELP medpki_admin_requests_counted_seconds When the requests were last counted (Unix time).\n"
                    + "# TYPE medpki_admin_requests_counted_seconds gauge\nmedpki_admin_requests_counted_seconds ")
                    .append(g.counted().getEpochSecond()).append('\n');
        }
        b.append("# HELP medpki_admin_requests_count_failures_total Times the requests could not be counted.\n"
                + "# TYPE medpki_admin_requests_count_failures_total counter\nmedpki_admin_requests_count_failures_total ")
                .append(gaugeReadFailures.sum()).append('\n');
        if (kpis != null) {
            KpiGauges k = refreshedKpis();
            if (k.text() != null) {
                b.append(k.text());
            }
            b.append("# HELP medpki_kpi_read_failures_total Times the KPIs could not be read.\n"
                    + "# TYPE medpki_kpi_read_failures_total counter\nmedpki_kpi_read_failures_total ")
                    .append(kpiReadFailures.sum()).append('\n');
        }
        ConnectionGuard guard = listener;
        if (guard != null) {
            b.append(guard.prometheus("admin"));
        }
        return b.toString();
    }

    /** The request counts, read again when the last attempt is {@link #GAUGE_REFRESH} old (one reader at a time). */
    private Gauges refreshedGauges() {
        Gauges g = gauges;
        if (g != null && clock.instant().isBefore(g.tried().plus(GAUGE_REFRESH))) {
            return g;
        }
        synchronized (refreshing) {
            g = gauges;
            Instant now = clock.instant();
            if (g != null && now.isBefore(g.tried().plus(GAUGE_REFRESH))) {
                return g;
            }
            try {
                g = new Gauges(now, now, Map.copyOf(requestsByState.get()));
            } catch (RuntimeException e) {
                // Counted and logged; the last counts stay (with their time), tried again a minute later.
                gaugeReadFailures.increment();
                LOG.warn("admin API metrics: cannot count the requests: {}", e.getClass().getSimpleName());
                g = g == null ? new Gauges(now, null, null) : new Gauges(now, g.counted(), g.counts());
            }
            gauges = g;
            return g;
        }
    }

    /** The KPI gauges, read again when the last attempt is {@link #GAUGE_REFRESH} old (one reader at a time). */
    private KpiGauges refreshedKpis() {
        KpiGauges k = kpiGauges;
        if (k != null && clock.instant().isBefore(k.tried().plus(GAUGE_REFRESH))) {
            return k;
        }
        synchronized (kpiRefreshing) {
            k = kpiGauges;
            Instant now = clock.instant();
            if (k != null && now.isBefore(k.tried().plus(GAUGE_REFRESH))) {
                return k;
            }
            try {
                k = new KpiGauges(now, kpiText(kpis, now.minus(KPI_PERIOD), now));
            } catch (RuntimeException e) {
                kpiReadFailures.increment();
                LOG.warn("admin API metrics: cannot read the KPIs: {}", e.getClass().getSimpleName());
                k = new KpiGauges(now, k == null ? null : k.text());
            }
            kpiGauges = k;
            return k;
        }
    }

    static String kpiText(Kpis kpis, Instant from, Instant to) {
        Kpis.Quantiles ttr = kpis.timeToRenew(from, to);
        Kpis.RevocationLatency rev = kpis.revocationLatency(from, to);
        StringBuilder b = new StringBuilder(2048);
        b.append("# HELP medpki_kpi_time_to_renew_seconds From the start of a certificate's renewal window to the"
                + " issuance of its replacement, over replacements of the last 30 days.\n"
                + "# TYPE medpki_kpi_time_to_renew_seconds gauge\n");
        quantile(b, "medpki_kpi_time_to_renew_seconds", "", "0.5", ttr.p50());
        quantile(b, "medpki_kpi_time_to_renew_seconds", "", "0.95", ttr.p9x());
        b.append("# HELP medpki_kpi_time_to_renew_count Replacements issued in the last 30 days.\n"
                + "# TYPE medpki_kpi_time_to_renew_count gauge\nmedpki_kpi_time_to_renew_count ")
                .append(ttr.count()).append('\n');
        b.append("# HELP medpki_kpi_revocation_latency_seconds From revocation to the stored OCSP response or the"
                + " complete CRL showing it, over revocations of the last 30 days.\n"
                + "# TYPE medpki_kpi_revocation_latency_seconds gauge\n");
        quantile(b, "medpki_kpi_revocation_latency_seconds", "channel=\"ocsp\",", "0.5", rev.ocsp().p50());
        quantile(b, "medpki_kpi_revocation_latency_seconds", "channel=\"ocsp\",", "0.99", rev.ocsp().p9x());
        quantile(b, "medpki_kpi_revocation_latency_seconds", "channel=\"crl\",", "0.5", rev.crl().p50());
        quantile(b, "medpki_kpi_revocation_latency_seconds", "channel=\"crl\",", "0.99", rev.crl().p9x());
        b.append("# HELP medpki_kpi_revocations_unpublished Revocations of the last 30 days not yet shown by the"
                + " channel (ocsp: a stored response still not revoked).\n"
                + "# TYPE medpki_kpi_revocations_unpublished gauge\n")
                .append("medpki_kpi_revocations_unpublished{channel=\"ocsp\"} ").append(rev.ocspNotPublished())
                .append("\nmedpki_kpi_revocations_unpublished{channel=\"crl\"} ").append(rev.crlNotPublished())
                .append('\n');
        b.append("# HELP medpki_kpi_revocations_last_30d Certificates revoked in the last 30 days.\n"
                + "# TYPE medpki_kpi_revocations_last_30d gauge\nmedpki_kpi_revocations_last_30d ")
                .append(rev.revoked()).append('\n');
        b.append("# HELP medpki_kpi_failed_validations_last_30d Failed validations in the last 30 days by source"
                + " (acme: challenges; device-PROTOCOL: device authentication).\n"
                + "# TYPE medpki_kpi_failed_validations_last_30d gauge\n");
        totals(b, "medpki_kpi_failed_validations_last_30d", "source", kpis.failedValidations(from, to));
        b.append("# HELP medpki_kpi_unauthorized_issuance_attempts_last_30d Refused issuance requests in the last"
                + " 30 days by reason (audit event/kind).\n"
                + "# TYPE medpki_kpi_unauthorized_issuance_attempts_last_30d gauge\n");
        totals(b, "medpki_kpi_unauthorized_issuance_attempts_last_30d", "reason",
                kpis.unauthorizedIssuanceAttempts(from, to));
        b.append("# HELP medpki_kpi_counted_seconds When the KPIs were last read (Unix time).\n"
                + "# TYPE medpki_kpi_counted_seconds gauge\nmedpki_kpi_counted_seconds ")
                .append(to.getEpochSecond()).append('\n');
        return b.toString();
    }

    /** NaN for a quantile of nothing, as Prometheus summaries report it. */
    private static void quantile(StringBuilder b, String name, String labels, String q, Long value) {
        b.append(name).append('{').append(labels).append("quantile=\"").append(q).append("\"} ")
                .append(value == null ? "NaN" : value.toString()).append('\n');
    }

    /** Per key over the days; beyond {@link #MAX_REASONS} keys the rest are {@code other}. */
    private static void totals(StringBuilder b, String name, String label, List<Kpis.DayCount> counts) {
        Map<String, Long> totals = new java.util.TreeMap<>();
        for (Kpis.DayCount c : counts) {
            String key = totals.containsKey(c.key()) || totals.size() < MAX_REASONS ? c.key() : "other";
            totals.merge(key, c.count(), Long::sum);
        }
        totals.forEach((k, v) -> b.append(name).append('{').append(label).append("=\"").append(escape(k))
                .append("\"} ").append(v).append('\n'));
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
