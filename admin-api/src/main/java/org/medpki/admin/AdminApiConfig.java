package org.medpki.admin;

import java.util.Objects;
import org.medpki.listener.ListenerLimits;

/**
 * Where the admin API listens ({@code host}, {@code port}; {@code publicHost} is the name in its
 * URL and TLS certificate) and the bounds of its listener.
 */
public record AdminApiConfig(String host, int port, String publicHost, ListenerLimits listener) {
    public AdminApiConfig {
        Objects.requireNonNull(host, "admin.host");
        Objects.requireNonNull(publicHost, "admin.publicHost");
        Objects.requireNonNull(listener, "admin listener limits");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("admin.port must be between 0 and 65535");
        }
    }

    /** The API's base URL, as 'pki status' lists it. */
    public String baseUrl(int actualPort) {
        String h = publicHost.contains(":") ? "[" + publicHost + "]" : publicHost;
        return "https://" + h + ":" + actualPort + "/";
    }
}
