package org.medpki.crl;

import java.util.Objects;
import org.medpki.listener.ListenerLimits;

/**
 * Where the repository listens ({@code port} 0: any free port) and the base URL under which its
 * CRLs are reachable, as certificates name them (e.g. http://pki.example:8080/crl), and the
 * bounds of its public listener.
 */
public record CrlPublisherConfig(String host, int port, String crlBaseUrl, CrlSettings settings,
                                 ListenerLimits listener) {
    public CrlPublisherConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(crlBaseUrl, "crlBaseUrl");
        Objects.requireNonNull(settings, "settings");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535");
        }
    }

    /** With the default listener limits ({@link ListenerLimits#DEFAULTS}). */
    public CrlPublisherConfig(String host, int port, String crlBaseUrl, CrlSettings settings) {
        this(host, port, crlBaseUrl, settings, ListenerLimits.DEFAULTS);
    }
}
