package org.medpki.acme;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.medpki.listener.ListenerLimits;

/**
 * The ACME server's settings. {@code publicHost} is the name in the directory URLs and in the
 * server's TLS certificate (it must be a name the tls-server profile allows); {@code listenHost}
 * and {@code port} are where it listens. {@code dnsServer} null means the system's resolver
 * (first nameserver of /etc/resolv.conf); {@code hostsFile} null means none. {@code listener}: the
 * deadlines and the connection cap of the HTTPS listener.
 */
public record AcmeConfig(String listenHost, int port, String publicHost, String profile,
                         int http01Port, int tlsAlpn01Port, InetSocketAddress dnsServer, Path hostsFile,
                         boolean eabRequired, List<AddressRange> deniedRanges, List<String> caaIdentities,
                         String termsOfService, String website,
                         Duration orderLifetime, Duration authorizationLifetime, Duration authorizationReuse,
                         Duration validationTimeout, int maxPayloadBytes,
                         int ordersPerAccountPerHour, int ordersPerDomainPerHour, ListenerLimits listener) {
    public AcmeConfig {
        Objects.requireNonNull(listener, "acme listener limits");
        Objects.requireNonNull(listenHost, "acme.host");
        Objects.requireNonNull(publicHost, "acme.publicHost");
        Objects.requireNonNull(profile, "acme.profile");
        port(port, "acme.port");
        port(http01Port, "acme.http01Port (PKI_ACME_HTTP01_PORT)");
        port(tlsAlpn01Port, "acme.tlsAlpn01Port (PKI_ACME_TLSALPN01_PORT)");
        deniedRanges = List.copyOf(deniedRanges);
        caaIdentities = List.copyOf(caaIdentities);
        if (maxPayloadBytes < 1024 || maxPayloadBytes > 1024 * 1024) {
            throw new IllegalArgumentException("acme.maxPayloadBytes must be between 1024 and 1048576");
        }
        // Seconds are allowed (labs and tests use them); zero or negative would make every order
        // or authorization born expired.
        positive(orderLifetime, "acme.orderLifetime");
        positive(authorizationLifetime, "acme.authorizationLifetime");
        positive(validationTimeout, "acme.validationTimeout");
        if (Objects.requireNonNull(authorizationReuse, "acme.authorizationReuse").isNegative()) {
            throw new IllegalArgumentException("acme.authorizationReuse must not be negative (PT0S turns reuse off)");
        }
        if (ordersPerAccountPerHour < 1 || ordersPerDomainPerHour < 1) {
            throw new IllegalArgumentException("acme rate limits must be at least 1");
        }
    }

    /** With the default listener limits ({@link ListenerLimits#DEFAULTS}). */
    public AcmeConfig(String listenHost, int port, String publicHost, String profile,
                      int http01Port, int tlsAlpn01Port, InetSocketAddress dnsServer, Path hostsFile,
                      boolean eabRequired, List<AddressRange> deniedRanges, List<String> caaIdentities,
                      String termsOfService, String website,
                      Duration orderLifetime, Duration authorizationLifetime, Duration authorizationReuse,
                      Duration validationTimeout, int maxPayloadBytes,
                      int ordersPerAccountPerHour, int ordersPerDomainPerHour) {
        this(listenHost, port, publicHost, profile, http01Port, tlsAlpn01Port, dnsServer, hostsFile, eabRequired,
                deniedRanges, caaIdentities, termsOfService, website, orderLifetime, authorizationLifetime,
                authorizationReuse, validationTimeout, maxPayloadBytes, ordersPerAccountPerHour, ordersPerDomainPerHour,
                ListenerLimits.DEFAULTS);
    }

    /** The same settings on another port (a second instance on one host); the directory URL follows it. */
    public AcmeConfig withPort(int newPort) {
        return new AcmeConfig(listenHost, newPort, publicHost, profile, http01Port, tlsAlpn01Port, dnsServer, hostsFile,
                eabRequired, deniedRanges, caaIdentities, termsOfService, website, orderLifetime,
                authorizationLifetime, authorizationReuse, validationTimeout, maxPayloadBytes, ordersPerAccountPerHour,
                ordersPerDomainPerHour, listener);
    }

    /** Link-local and cloud metadata ranges: never a legitimate validation target. */
    public static final List<String> DEFAULT_DENIED = List.of("169.254.0.0/16", "fe80::/10", "0.0.0.0/8",
            "100.100.100.200/32", "fd00:ec2::254/128");

    public static AcmeConfig defaults(String listenHost, int port, String publicHost) {
        return new AcmeConfig(listenHost, port, publicHost, "tls-server", 80, 443, null, null, false,
                DEFAULT_DENIED.stream().map(AddressRange::parse).toList(), List.of(), null, null,
                Duration.ofDays(7), Duration.ofDays(7), Duration.ofDays(7), Duration.ofSeconds(10), 64 * 1024,
                300, 300);
    }

    public String baseUrl() {
        return "https://" + publicHost + ":" + port + "/acme";
    }

    public String directoryUrl() {
        return baseUrl() + "/directory";
    }

    private static void positive(Duration d, String key) {
        if (Objects.requireNonNull(d, key).isNegative() || d.isZero()) {
            throw new IllegalArgumentException(key + " must be a positive duration, not " + d);
        }
    }

    private static void port(int p, String key) {
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException(key + " must be between 1 and 65535, not " + p);
        }
    }
}
