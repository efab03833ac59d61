package org.medpki.crl;

import java.util.Objects;

/**
 * Where the repository listens ({@code port} 0: any free port) and the base URL under which its
 * CRLs are reachable, as certificates name them (e.g. http://pki.example:8080/crl).
 */
public record CrlPublisherConfig(String host, int port, String crlBaseUrl, CrlSettings settings) {
    public CrlPublisherConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(crlBaseUrl, "crlBaseUrl");
        Objects.requireNonNull(settings, "settings");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535");
        }
    }
}
