package org.medpki.ops.install;

import java.time.Duration;
import org.medpki.core.settings.Durations;
import org.medpki.crl.CrlSettings;
import org.medpki.listener.ListenerLimits;

/**
 * The bounds of a service's public HTTP listener, from its settings section (the same four keys
 * in acme, ocsp and crl, the repository's): idleTimeout (default 30s), requestHeadTimeout (10s),
 * requestBodyTimeout (30s), maxConnections (1024). Errors name the failing key.
 */
public final class ServiceListeners {
    private ServiceListeners() {
    }

    /** The repository/CRL listener's bounds: the {@code crl} section's keys. */
    public static ListenerLimits repository(Settings settings) {
        CrlSettings.Document d = settings.crl();
        try {
            return limits("crl", d.idleTimeout(), d.requestHeadTimeout(), d.requestBodyTimeout(), d.maxConnections());
        } catch (IllegalArgumentException e) {
            throw settings.invalid(e);
        }
    }

    static ListenerLimits limits(String section, String idle, String head, String body, Integer maxConnections) {
        ListenerLimits d = ListenerLimits.DEFAULTS;
        Duration i = Durations.parse(section + ".idleTimeout", idle, d.idleTimeout());
        Duration h = Durations.parse(section + ".requestHeadTimeout", head, d.headTimeout());
        Duration b = Durations.parse(section + ".requestBodyTimeout", body, d.bodyTimeout());
        try {
            return new ListenerLimits(i, h, b, maxConnections != null ? maxConnections : d.maxConnections());
        } catch (IllegalArgumentException e) {
            // The message starts with the record's name of the value; name the setting instead.
            String m = e.getMessage();
            String key = m.startsWith("headTimeout") ? "requestHeadTimeout" + m.substring("headTimeout".length())
                    : m.startsWith("bodyTimeout") ? "requestBodyTimeout" + m.substring("bodyTimeout".length()) : m;
            throw new IllegalArgumentException(section + "." + key);
        }
    }
}
