package org.medpki.crl;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.medpki.core.crl.PublishedCrl;

/** Prometheus text exposition (version 0.0.4) of the publisher's state: simple gauges and counters. */
final class CrlMetrics {
    private record Built(PublishedCrl crl, double buildSeconds) {
    }

    private final Map<String, Built> built = new ConcurrentHashMap<>();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    void published(String stem, PublishedCrl crl, Duration buildTime) {
        built.put(stem, new Built(crl, buildTime.toNanos() / 1e9));
        published.incrementAndGet();
    }

    void loaded(String stem, PublishedCrl crl) {
        built.putIfAbsent(stem, new Built(crl, Double.NaN));
    }

    void failed() {
        failures.incrementAndGet();
    }

    String render(Instant now, boolean active, boolean databaseUp) {
        StringBuilder b = new StringBuilder(2048);
        b.append("# HELP medpki_crl_publisher_active 1 if this instance holds the publisher lock\n");
        b.append("# TYPE medpki_crl_publisher_active gauge\n");
        b.append("medpki_crl_publisher_active ").append(active ? 1 : 0).append('\n');
        b.append("# HELP medpki_crl_database_up 1 if the inventory database answered the last probe\n");
        b.append("# TYPE medpki_crl_database_up gauge\n");
        b.append("medpki_crl_database_up ").append(databaseUp ? 1 : 0).append('\n');
        b.append("# TYPE medpki_crl_published_total counter\nmedpki_crl_published_total ").append(published.get())
                .append('\n');
        b.append("# TYPE medpki_crl_publish_failures_total counter\nmedpki_crl_publish_failures_total ")
                .append(failures.get()).append('\n');
        gauge(b, "medpki_crl_age_seconds", "seconds since thisUpdate of the newest CRL", now, Kind.AGE);
        gauge(b, "medpki_crl_next_update_seconds", "seconds until nextUpdate of the newest CRL", now, Kind.NEXT);
        gauge(b, "medpki_crl_size_bytes", "size of the newest CRL in DER", now, Kind.SIZE);
        gauge(b, "medpki_crl_entries", "revoked certificates listed", now, Kind.ENTRIES);
        gauge(b, "medpki_crl_number", "CRL number of the newest CRL", now, Kind.NUMBER);
        gauge(b, "medpki_crl_build_seconds", "time to build, lint, sign and store the newest CRL", now, Kind.BUILD);
        return b.toString();
    }

    private enum Kind { AGE, NEXT, SIZE, ENTRIES, NUMBER, BUILD }

    private void gauge(StringBuilder b, String name, String help, Instant now, Kind kind) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(" gauge\n");
        built.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            PublishedCrl c = e.getValue().crl();
            double v = switch (kind) {
                case AGE -> Duration.between(c.thisUpdate(), now).toSeconds();
                case NEXT -> Duration.between(now, c.nextUpdate()).toSeconds();
                case SIZE -> c.der().length;
                case ENTRIES -> c.entries();
                case NUMBER -> c.number().doubleValue();
                case BUILD -> e.getValue().buildSeconds();
            };
            if (!Double.isNaN(v)) {
                b.append(name).append("{crl=\"").append(e.getKey()).append("\"} ").append(v).append('\n');
            }
        });
    }
}
