package org.medpki.device;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counts of one enrollment front end, for its /metrics: enrollments, failed device
 * authentications (the "failed validations" KPI) by reason, refused requests by kind.
 */
public final class EnrollmentMetrics {
    private static final int MAX_REASONS = 64;
    private final Map<String, LongAdder> enrolled = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> failed = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> refused = new ConcurrentHashMap<>();

    void enrolled(DeviceEnrollment.Protocol protocol) {
        count(enrolled, protocol.wireName());
    }

    void failedValidation(DeviceEnrollment.Protocol protocol, String reason) {
        count(failed, protocol.wireName() + "|" + reason);
    }

    void refusedRequest(DeviceEnrollment.Protocol protocol, String kind) {
        count(refused, protocol.wireName() + "|" + kind);
    }

    private static void count(Map<String, LongAdder> m, String key) {
        // Reasons are the service's own fixed texts; the bound keeps a surprise from growing the map.
        String k = m.containsKey(key) || m.size() < MAX_REASONS ? key : key.substring(0, key.indexOf('|') + 1) + "other";
        m.computeIfAbsent(k, x -> new LongAdder()).increment();
    }

    /** The counts in Prometheus' text format. */
    public String prometheus() {
        StringBuilder b = new StringBuilder();
        b.append("# HELP medpki_device_enrollments_total Device certificates issued (or resumed) by protocol.\n")
                .append("# TYPE medpki_device_enrollments_total counter\n");
        enrolled.forEach((k, v) -> b.append("medpki_device_enrollments_total{protocol=\"").append(k).append("\"} ")
                .append(v.sum()).append('\n'));
        b.append("# HELP medpki_device_failed_validations_total Device authentications that failed, by protocol and reason.\n")
                .append("# TYPE medpki_device_failed_validations_total counter\n");
        labelled(b, "medpki_device_failed_validations_total", failed);
        b.append("# HELP medpki_device_refused_requests_total Enrollment requests refused by the CA's checks, by kind.\n")
                .append("# TYPE medpki_device_refused_requests_total counter\n");
        labelled(b, "medpki_device_refused_requests_total", refused);
        return b.toString();
    }

    private static void labelled(StringBuilder b, String name, Map<String, LongAdder> m) {
        m.forEach((k, v) -> {
            int bar = k.indexOf('|');
            b.append(name).append("{protocol=\"").append(k, 0, bar).append("\",reason=\"")
                    .append(k.substring(bar + 1).replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " "))
                    .append("\"} ").append(v.sum()).append('\n');
        });
    }
}
