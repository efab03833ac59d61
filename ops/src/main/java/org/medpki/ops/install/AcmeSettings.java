package org.medpki.ops.install;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import org.medpki.acme.AcmeConfig;
import org.medpki.acme.AddressRange;
import org.medpki.core.settings.Durations;

/**
 * The {@code acme} section of the settings, every key optional: port (default the repository
 * port + 363, 8443 for the default 8080), host (listen address), publicHost (the name clients use:
 * 127.0.0.1 when listening on loopback, else acme.DOMAIN), profile, http01Port, tlsAlpn01Port,
 * dnsServer (host:port), hostsFile, profiles (the profiles ACME offers, listed in the directory's
 * meta.profiles; default: those of {@link #DEFAULT_PROFILES} that the CA grants ACME, and profile), eabRequired, deniedRanges, caaIdentities, termsOfService,
 * website, orderLifetime, authorizationLifetime, authorizationReuse, validationTimeout,
 * maxPayloadBytes, ordersPerAccountPerHour, ordersPerNamePerHour, eabOrdersPerAccountPerHour,
 * eabOrdersPerNamePerHour, maxConcurrentValidations, validationsPerAccountPerHour, purgeAfter,
 * allowLoopback (false: the validator never connects to 127.0.0.0/8 or
 * ::1; tests and labs whose validation targets run on this host set it true), and the listener's
 * bounds ({@link ServiceListeners}): idleTimeout, requestHeadTimeout, requestBodyTimeout,
 * maxConnections; caaRecheckAfter (default 8h, 0s to 8h: finalize looks CAA up again for
 * authorizations validated this long ago or longer); renewalExplanation (an http(s) URL that ACME
 * Renewal Information names as explanationURL for revoked certificates). The validator never connects to this host on
 * the ACME, repository, OCSP or CA API port. {@code ordersPerDomainPerHour} (a limit shared by every
 * account ordering under one domain, which let any account block the others) is accepted so that
 * older files still load, and has no effect: the per-name limits replace it.
 */
public final class AcmeSettings {
    private AcmeSettings() {
    }

    /** The section as written; every key optional. */
    public record File(@JsonProperty("port") Integer port,
                       @JsonProperty("host") String host,
                       @JsonProperty("publicHost") String publicHost,
                       @JsonProperty("profile") String profile,
                       @JsonProperty("http01Port") Integer http01Port,
                       @JsonProperty("tlsAlpn01Port") Integer tlsAlpn01Port,
                       @JsonProperty("dnsServer") String dnsServer,
                       @JsonProperty("hostsFile") String hostsFile,
                       @JsonProperty("eabRequired") Boolean eabRequired,
                       @JsonProperty("deniedRanges") List<String> deniedRanges,
                       @JsonProperty("caaIdentities") List<String> caaIdentities,
                       @JsonProperty("termsOfService") String termsOfService,
                       @JsonProperty("website") String website,
                       @JsonProperty("orderLifetime") String orderLifetime,
                       @JsonProperty("authorizationLifetime") String authorizationLifetime,
                       @JsonProperty("authorizationReuse") String authorizationReuse,
                       @JsonProperty("validationTimeout") String validationTimeout,
                       @JsonProperty("maxPayloadBytes") Integer maxPayloadBytes,
                       @JsonProperty("ordersPerAccountPerHour") Integer ordersPerAccountPerHour,
                       @JsonProperty("ordersPerNamePerHour") Integer ordersPerNamePerHour,
                       @JsonProperty("eabOrdersPerAccountPerHour") Integer eabOrdersPerAccountPerHour,
                       @JsonProperty("eabOrdersPerNamePerHour") Integer eabOrdersPerNamePerHour,
                       @JsonProperty("ordersPerDomainPerHour") Integer ordersPerDomainPerHour,
                       @JsonProperty("maxConcurrentValidations") Integer maxConcurrentValidations,
                       @JsonProperty("validationsPerAccountPerHour") Integer validationsPerAccountPerHour,
                       @JsonProperty("allowLoopback") Boolean allowLoopback,
                       @JsonProperty("purgeAfter") String purgeAfter,
                       @JsonProperty("idleTimeout") String idleTimeout,
                       @JsonProperty("requestHeadTimeout") String requestHeadTimeout,
                       @JsonProperty("requestBodyTimeout") String requestBodyTimeout,
                       @JsonProperty("maxConnections") Integer maxConnections,
                       @JsonProperty("caaRecheckAfter") String caaRecheckAfter,
                       @JsonProperty("renewalExplanation") String renewalExplanation,
                       @JsonProperty("profiles") List<String> profiles) {
        public static final File EMPTY = new File(null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null);
    }

    /**
     * The profiles ACME offers by default, when the profile files and the CA's grant have them:
     * TLS servers, mutual-TLS clients, short-lived servers, IHE ATNA nodes and SDC participants.
     */
    public static final List<String> DEFAULT_PROFILES = List.of("tls-server", "tls-client", "shortlived",
            "atna-node", "sdc-participant");

    /** The profiles ACME offers, before the installation exists ('pki init' grants them to ACME). */
    public static List<String> profiles(PkiHome home) {
        return wanted(SettingsFiles.acmeBeforeInstallation(home, System.getenv()));
    }

    /** acme.profiles as written, else the defaults; acme.profile (default tls-server) first. */
    private static List<String> wanted(File f) {
        String first = f.profile() != null ? f.profile() : "tls-server";
        var out = new java.util.LinkedHashSet<String>();
        out.add(first);
        out.addAll(f.profiles() != null ? f.profiles() : DEFAULT_PROFILES);
        return List.copyOf(out);
    }

    /**
     * The profiles ACME offers: acme.profiles as written, each of which the CA must grant ACME
     * (caApi.callers.acme.issue); by default those of the defaults that it grants.
     */
    static List<String> profiles(File f, InstallationConfig installation) {
        var acme = installation.caApiOrDefault().callers().get("acme");
        List<String> granted = acme == null ? null : acme.issue();
        List<String> wanted = wanted(f);
        if (granted == null) {
            return wanted;
        }
        if (f.profiles() == null) {
            List<String> offered = wanted.stream().filter(granted::contains).toList();
            return offered.isEmpty() ? List.of(wanted.getFirst()) : offered;
        }
        List<String> refused = wanted.stream().filter(p -> !granted.contains(p)).toList();
        if (!refused.isEmpty()) {
            throw new IllegalArgumentException("acme.profiles names " + refused + ", which the CA does not let ACME "
                    + "issue (caApi.callers.acme.issue: " + granted + "): grant them on the CA host or remove them");
        }
        return wanted;
    }

    public static AcmeConfig config(Settings settings) {
        try {
            return config(settings.acme(), settings.installation());
        } catch (IllegalArgumentException e) {
            throw settings.invalid(e);
        }
    }

    static AcmeConfig config(File f, InstallationConfig installation) {
        int repositoryPort = installation.repository().port();
        int port = f.port() != null ? f.port() : repositoryPort + 363 <= 65535 ? repositoryPort + 363 : 8443;
        String listen = f.host() != null ? f.host() : installation.repository().host();
        // A lab that listens on loopback is reached at 127.0.0.1, a name that resolves everywhere;
        // a deployment names its public host (publicHost), by default acme.<domain>.
        String publicHost = f.publicHost() != null ? f.publicHost()
                : loopback(listen) ? "127.0.0.1" : "acme." + installation.domain();
        String dns = f.dnsServer();
        String hosts = f.hostsFile();
        AcmeConfig d = AcmeConfig.defaults(listen, port, publicHost);
        return new AcmeConfig(listen, port, publicHost, f.profile() != null ? f.profile() : d.profile(),
                f.http01Port() != null ? f.http01Port() : 80,
                f.tlsAlpn01Port() != null ? f.tlsAlpn01Port() : 443,
                dns == null || dns.isBlank() ? null : hostPort(dns.trim()),
                hosts == null || hosts.isBlank() ? null : Path.of(hosts.trim()),
                Boolean.TRUE.equals(f.eabRequired()),
                f.deniedRanges() == null ? d.deniedRanges() : deniedRanges(f.deniedRanges()),
                f.caaIdentities() == null ? List.of(f.publicHost() != null ? publicHost : "acme." + installation.domain())
                        : f.caaIdentities(),
                f.termsOfService(), f.website(),
                Durations.parse("acme.orderLifetime", f.orderLifetime(), d.orderLifetime()),
                Durations.parse("acme.authorizationLifetime", f.authorizationLifetime(), d.authorizationLifetime()),
                Durations.parse("acme.authorizationReuse", f.authorizationReuse(), d.authorizationReuse()),
                Durations.parse("acme.validationTimeout", f.validationTimeout(), d.validationTimeout()),
                f.maxPayloadBytes() != null ? f.maxPayloadBytes() : d.maxPayloadBytes(),
                f.ordersPerAccountPerHour() != null ? f.ordersPerAccountPerHour() : d.ordersPerAccountPerHour(),
                f.ordersPerNamePerHour() != null ? f.ordersPerNamePerHour() : d.ordersPerNamePerHour(),
                f.eabOrdersPerAccountPerHour() != null ? f.eabOrdersPerAccountPerHour()
                        : d.eabOrdersPerAccountPerHour(),
                f.eabOrdersPerNamePerHour() != null ? f.eabOrdersPerNamePerHour() : d.eabOrdersPerNamePerHour(),
                f.maxConcurrentValidations() != null ? f.maxConcurrentValidations() : d.maxConcurrentValidations(),
                f.validationsPerAccountPerHour() != null ? f.validationsPerAccountPerHour()
                        : d.validationsPerAccountPerHour(),
                Boolean.TRUE.equals(f.allowLoopback()),
                Durations.parse("acme.purgeAfter", f.purgeAfter(), d.purgeAfter()),
                List.of(repositoryPort, OcspSettings.port(installation), installation.caApiOrDefault().port()),
                ServiceListeners.limits("acme", f.idleTimeout(), f.requestHeadTimeout(), f.requestBodyTimeout(),
                        f.maxConnections()),
                Durations.parse("acme.caaRecheckAfter", f.caaRecheckAfter(), AcmeConfig.MAX_CAA_RECHECK_AFTER),
                f.renewalExplanation() == null || f.renewalExplanation().isBlank() ? null
                        : f.renewalExplanation().trim(), profiles(f, installation));
    }

    private static List<AddressRange> deniedRanges(List<String> ranges) {
        try {
            return ranges.stream().map(AddressRange::parse).toList();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("acme.deniedRanges: " + e.getMessage());
        }
    }

    private static boolean loopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }

    private static InetSocketAddress hostPort(String value) {
        int colon = value.lastIndexOf(':');
        try {
            String host = colon > 0 ? value.substring(0, colon) : value;
            int port = colon > 0 ? Integer.parseInt(value.substring(colon + 1)) : 53;
            return new InetSocketAddress(InetAddress.getByName(host.replace("[", "").replace("]", "")), port);
        } catch (NumberFormatException | UnknownHostException e) {
            throw new IllegalArgumentException("acme.dnsServer must be host:port, not '" + value + "'");
        }
    }
}
