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
 *
 * <p>Validation: {@code validationTimeout} is the whole of one validation (CAA, every address
 * tried, every redirect); {@code maxConcurrentValidations} bounds the validations this process
 * runs at once (a challenge response beyond it waits briefly for a slot, then is refused with
 * rateLimited and Retry-After, the challenge left pending); {@code validationsPerAccountPerHour}
 * bounds the validations one account starts in an hour, across instances.
 *
 * <p>Orders: an account makes at most {@code ordersPerAccountPerHour} orders an hour, and at most
 * {@code ordersPerNamePerHour} of them for one exact name (a client renewing in a loop). Both are
 * counted per account, so that no account can use up a name's budget for the others; accounts
 * bound to an external account key have their own pair ({@code eabOrders...}), as the key's issuer
 * vouched for them. Ended orders and authorizations are deleted {@code purgeAfter} after their end
 * (an order with a certificate ends when the certificate expires). The validator never
 * connects to an address in {@code deniedRanges}, nor to this host on one of {@code ownPorts}
 * (the ports its services listen on, the ACME port included). {@code allowLoopback} lets it
 * connect to loopback (127.0.0.0/8, ::1) although the ranges deny it: for tests and labs, whose
 * validation targets run on this host.
 *
 * <p>{@code caaRecheckAfter}: finalize looks CAA up again for each DNS identifier whose
 * authorization was validated this long ago or longer (zero: at every finalize), so that a reused
 * authorization never carries an old CAA answer into issuance; at most
 * {@link #MAX_CAA_RECHECK_AFTER}, how long the CA/Browser Forum Baseline Requirements (3.2.2.8)
 * let a CAA answer stand.
 *
 * <p>{@code renewalExplanation}: an http(s) URL, or null; ACME Renewal Information (RFC 9773) names
 * it as {@code explanationURL} when it asks a client to renew at once because the certificate was
 * revoked (a page saying why, e.g. the notice of a mass revocation).
 *
 * <p>{@code profiles}: the certificate profiles ACME offers (draft-ietf-acme-profiles: listed in the
 * directory's {@code meta.profiles}, named by newOrder's {@code profile}); {@code profile} is the
 * one an order gets when it names none, and is one of them.
 */
public record AcmeConfig(String listenHost, int port, String publicHost, String profile,
                         int http01Port, int tlsAlpn01Port, InetSocketAddress dnsServer, Path hostsFile,
                         boolean eabRequired, List<AddressRange> deniedRanges, List<String> caaIdentities,
                         String termsOfService, String website,
                         Duration orderLifetime, Duration authorizationLifetime, Duration authorizationReuse,
                         Duration validationTimeout, int maxPayloadBytes,
                         int ordersPerAccountPerHour, int ordersPerNamePerHour,
                         int eabOrdersPerAccountPerHour, int eabOrdersPerNamePerHour,
                         int maxConcurrentValidations, int validationsPerAccountPerHour, boolean allowLoopback,
                         Duration purgeAfter, List<Integer> ownPorts, ListenerLimits listener,
                         Duration caaRecheckAfter, String renewalExplanation, List<String> profiles) {
    /** The longest a CAA answer may stand before issuance (Baseline Requirements 3.2.2.8), and the default. */
    public static final Duration MAX_CAA_RECHECK_AFTER = Duration.ofHours(8);

    public AcmeConfig {
        Objects.requireNonNull(listener, "acme listener limits");
        Objects.requireNonNull(listenHost, "acme.host");
        Objects.requireNonNull(publicHost, "acme.publicHost");
        Objects.requireNonNull(profile, "acme.profile");
        profiles = List.copyOf(new java.util.LinkedHashSet<>(Objects.requireNonNull(profiles, "acme.profiles")));
        if (!profiles.contains(profile)) {
            throw new IllegalArgumentException("acme.profile '" + profile + "' must be one of acme.profiles " + profiles);
        }
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
        atLeastOne(ordersPerAccountPerHour, "acme.ordersPerAccountPerHour");
        atLeastOne(ordersPerNamePerHour, "acme.ordersPerNamePerHour");
        atLeastOne(eabOrdersPerAccountPerHour, "acme.eabOrdersPerAccountPerHour");
        atLeastOne(eabOrdersPerNamePerHour, "acme.eabOrdersPerNamePerHour");
        if (Objects.requireNonNull(purgeAfter, "acme.purgeAfter").isNegative()) {
            throw new IllegalArgumentException("acme.purgeAfter must not be negative");
        }
        if (maxConcurrentValidations < 1 || maxConcurrentValidations > 10_000) {
            throw new IllegalArgumentException("acme.maxConcurrentValidations must be between 1 and 10000");
        }
        if (validationsPerAccountPerHour < 1) {
            throw new IllegalArgumentException("acme.validationsPerAccountPerHour must be at least 1");
        }
        ownPorts = List.copyOf(ownPorts);
        ownPorts.forEach(p -> port(p, "acme.ownPorts"));
        if (Objects.requireNonNull(caaRecheckAfter, "acme.caaRecheckAfter").isNegative()
                || caaRecheckAfter.compareTo(MAX_CAA_RECHECK_AFTER) > 0) {
            throw new IllegalArgumentException("acme.caaRecheckAfter must be between 0s (re-check at every finalize) "
                    + "and 8h (the Baseline Requirements' limit), not " + caaRecheckAfter);
        }
        if (renewalExplanation != null && !renewalExplanation.matches("https?://[^\\s]+")) {
            throw new IllegalArgumentException("acme.renewalExplanation must be an http or https URL, not '"
                    + renewalExplanation + "'");
        }
    }

    /** Without a renewal explanation URL. */
    public AcmeConfig(String listenHost, int port, String publicHost, String profile,
                      int http01Port, int tlsAlpn01Port, InetSocketAddress dnsServer, Path hostsFile,
                      boolean eabRequired, List<AddressRange> deniedRanges, List<String> caaIdentities,
                      String termsOfService, String website,
                      Duration orderLifetime, Duration authorizationLifetime, Duration authorizationReuse,
                      Duration validationTimeout, int maxPayloadBytes,
                      int ordersPerAccountPerHour, int ordersPerNamePerHour,
                      int eabOrdersPerAccountPerHour, int eabOrdersPerNamePerHour,
                      int maxConcurrentValidations, int validationsPerAccountPerHour, boolean allowLoopback,
                      Duration purgeAfter, List<Integer> ownPorts, ListenerLimits listener,
                      Duration caaRecheckAfter) {
        this(listenHost, port, publicHost, profile, http01Port, tlsAlpn01Port, dnsServer, hostsFile, eabRequired,
                deniedRanges, caaIdentities, termsOfService, website, orderLifetime, authorizationLifetime,
                authorizationReuse, validationTimeout, maxPayloadBytes, ordersPerAccountPerHour, ordersPerNamePerHour,
                eabOrdersPerAccountPerHour, eabOrdersPerNamePerHour, maxConcurrentValidations,
                validationsPerAccountPerHour, allowLoopback, purgeAfter, ownPorts, listener, caaRecheckAfter, null,
                List.of(profile));
    }

    /** With the default CAA re-check age ({@link #MAX_CAA_RECHECK_AFTER}). */
    public AcmeConfig(String listenHost, int port, String publicHost, String profile,
                      int http01Port, int tlsAlpn01Port, InetSocketAddress dnsServer, Path hostsFile,
                      boolean eabRequired, List<AddressRange> deniedRanges, List<String> caaIdentities,
                      String termsOfService, String website,
                      Duration orderLifetime, Duration authorizationLifetime, Duration authorizationReuse,
                      Duration validationTimeout, int maxPayloadBytes,
                      int ordersPerAccountPerHour, int ordersPerNamePerHour,
                      int eabOrdersPerAccountPerHour, int eabOrdersPerNamePerHour,
                      int maxConcurrentValidations, int validationsPerAccountPerHour, boolean allowLoopback,
                      Duration purgeAfter, List<Integer> ownPorts, ListenerLimits listener) {
        this(listenHost, port, publicHost, profile, http01Port, tlsAlpn01Port, dnsServer, hostsFile, eabRequired,
                deniedRanges, caaIdentities, termsOfService, website, orderLifetime, authorizationLifetime,
                authorizationReuse, validationTimeout, maxPayloadBytes, ordersPerAccountPerHour, ordersPerNamePerHour,
                eabOrdersPerAccountPerHour, eabOrdersPerNamePerHour, maxConcurrentValidations,
                validationsPerAccountPerHour, allowLoopback, purgeAfter, ownPorts, listener, MAX_CAA_RECHECK_AFTER);
    }

    /** With the default listener limits ({@link ListenerLimits#DEFAULTS}). */
    public AcmeConfig(String listenHost, int port, String publicHost, String profile,
                      int http01Port, int tlsAlpn01Port, InetSocketAddress dnsServer, Path hostsFile,
                      boolean eabRequired, List<AddressRange> deniedRanges, List<String> caaIdentities,
                      String termsOfService, String website,
                      Duration orderLifetime, Duration authorizationLifetime, Duration authorizationReuse,
                      Duration validationTimeout, int maxPayloadBytes,
                      int ordersPerAccountPerHour, int ordersPerNamePerHour,
                      int maxConcurrentValidations, int validationsPerAccountPerHour, boolean allowLoopback,
                      List<Integer> ownPorts) {
        this(listenHost, port, publicHost, profile, http01Port, tlsAlpn01Port, dnsServer, hostsFile, eabRequired,
                deniedRanges, caaIdentities, termsOfService, website, orderLifetime, authorizationLifetime,
                authorizationReuse, validationTimeout, maxPayloadBytes, ordersPerAccountPerHour, ordersPerNamePerHour,
                ordersPerAccountPerHour, ordersPerNamePerHour, maxConcurrentValidations, validationsPerAccountPerHour,
                allowLoopback, DEFAULT_PURGE_AFTER, ownPorts, ListenerLimits.DEFAULTS);
    }

    /** The same settings on another port (a second instance on one host); the directory URL follows it. */
    public AcmeConfig withPort(int newPort) {
        return new AcmeConfig(listenHost, newPort, publicHost, profile, http01Port, tlsAlpn01Port, dnsServer, hostsFile,
                eabRequired, deniedRanges, caaIdentities, termsOfService, website, orderLifetime,
                authorizationLifetime, authorizationReuse, validationTimeout, maxPayloadBytes, ordersPerAccountPerHour,
                ordersPerNamePerHour, eabOrdersPerAccountPerHour, eabOrdersPerNamePerHour, maxConcurrentValidations,
                validationsPerAccountPerHour, allowLoopback, purgeAfter, ownPorts, listener, caaRecheckAfter,
                renewalExplanation, profiles);
    }

    /** The same settings with another CAA re-check age. */
    public AcmeConfig withCaaRecheckAfter(Duration age) {
        return new AcmeConfig(listenHost, port, publicHost, profile, http01Port, tlsAlpn01Port, dnsServer, hostsFile,
                eabRequired, deniedRanges, caaIdentities, termsOfService, website, orderLifetime,
                authorizationLifetime, authorizationReuse, validationTimeout, maxPayloadBytes, ordersPerAccountPerHour,
                ordersPerNamePerHour, eabOrdersPerAccountPerHour, eabOrdersPerNamePerHour, maxConcurrentValidations,
                validationsPerAccountPerHour, allowLoopback, purgeAfter, ownPorts, listener, age, renewalExplanation,
                profiles);
    }

    /** The same settings with another renewal explanation URL (null: none). */
    public AcmeConfig withRenewalExplanation(String url) {
        return new AcmeConfig(listenHost, port, publicHost, profile, http01Port, tlsAlpn01Port, dnsServer, hostsFile,
                eabRequired, deniedRanges, caaIdentities, termsOfService, website, orderLifetime,
                authorizationLifetime, authorizationReuse, validationTimeout, maxPayloadBytes, ordersPerAccountPerHour,
                ordersPerNamePerHour, eabOrdersPerAccountPerHour, eabOrdersPerNamePerHour, maxConcurrentValidations,
                validationsPerAccountPerHour, allowLoopback, purgeAfter, ownPorts, listener, caaRecheckAfter, url,
                profiles);
    }

    /** The same settings with these ACME profiles, the first the default (an order that names none gets it). */
    public AcmeConfig withProfiles(List<String> names) {
        return new AcmeConfig(listenHost, port, publicHost, names.contains(profile) ? profile : names.getFirst(), http01Port, tlsAlpn01Port, dnsServer,
                hostsFile, eabRequired, deniedRanges, caaIdentities, termsOfService, website, orderLifetime,
                authorizationLifetime, authorizationReuse, validationTimeout, maxPayloadBytes, ordersPerAccountPerHour,
                ordersPerNamePerHour, eabOrdersPerAccountPerHour, eabOrdersPerNamePerHour, maxConcurrentValidations,
                validationsPerAccountPerHour, allowLoopback, purgeAfter, ownPorts, listener, caaRecheckAfter,
                renewalExplanation, names);
    }

    /**
     * Never a legitimate validation target: loopback, unspecified and "this network", link-local,
     * multicast and broadcast, cloud metadata addresses.
     */
    public static final List<String> DEFAULT_DENIED = List.of("127.0.0.0/8", "::1/128", "::/128", "0.0.0.0/8",
            "169.254.0.0/16", "fe80::/10", "224.0.0.0/4", "ff00::/8", "255.255.255.255/32",
            "100.100.100.200/32", "fd00:ec2::254/128");

    /** The loopback addresses that {@code allowLoopback} lets through although a denied range holds them. */
    public static final List<AddressRange> LOOPBACK = List.of(AddressRange.parse("127.0.0.0/8"),
            AddressRange.parse("::1/128"));

    /** The ports of this host the validator never connects to: {@code ownPorts} and the ACME port. */
    public List<Integer> deniedPorts() {
        java.util.List<Integer> all = new java.util.ArrayList<>(ownPorts);
        all.add(port);
        return List.copyOf(all);
    }

    public static AcmeConfig defaults(String listenHost, int port, String publicHost) {
        return new AcmeConfig(listenHost, port, publicHost, "tls-server", 80, 443, null, null, false,
                DEFAULT_DENIED.stream().map(AddressRange::parse).toList(), List.of(), null, null,
                Duration.ofDays(7), Duration.ofDays(7), Duration.ofDays(7), Duration.ofSeconds(30), 64 * 1024,
                300, 30, 3000, 300, 64, 300, false, DEFAULT_PURGE_AFTER, List.of(), ListenerLimits.DEFAULTS);
    }

    /** How long ended orders and authorizations are kept before housekeeping deletes them. */
    public static final Duration DEFAULT_PURGE_AFTER = Duration.ofDays(30);

    /** The hourly order limits of an account: those of EAB-bound accounts when it is bound to a key. */
    public int ordersPerHour(boolean eabBound) {
        return eabBound ? eabOrdersPerAccountPerHour : ordersPerAccountPerHour;
    }

    /** The hourly limit of orders one account makes for one exact name. */
    public int ordersPerNamePerHour(boolean eabBound) {
        return eabBound ? eabOrdersPerNamePerHour : ordersPerNamePerHour;
    }

    private static void atLeastOne(int limit, String name) {
        if (limit < 1) {
            throw new IllegalArgumentException(name + " must be at least 1");
        }
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
