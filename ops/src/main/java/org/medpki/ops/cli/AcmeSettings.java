package org.medpki.ops.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.medpki.acme.AcmeConfig;
import org.medpki.acme.AddressRange;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.ops.install.InstallationConfig;
import org.medpki.ops.install.PkiHome;

/**
 * The ACME service's configuration for 'pki up': defaults, then PKI_HOME/acme.yaml (optional,
 * strict: unknown keys are refused), then the environment (PKI_ACME_PORT, PKI_ACME_HTTP01_PORT,
 * PKI_ACME_TLSALPN01_PORT, PKI_ACME_DNS_SERVER, PKI_ACME_HOSTS_FILE, PKI_ACME_EAB_REQUIRED).
 * The port defaults to the repository port + 363 (8443 for the default 8080); the public name to
 * acme.DOMAIN, which the tls-server profile allows.
 */
public final class AcmeSettings {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private AcmeSettings() {
    }

    /** PKI_HOME/acme.yaml; every key optional. */
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
                       @JsonProperty("ordersPerDomainPerHour") Integer ordersPerDomainPerHour) {
        static final File EMPTY = new File(null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null);
    }

    public static Path file(PkiHome home) {
        return home.dir().resolve("acme.yaml");
    }

    /** The profile ACME issues under: acme.yaml's, else tls-server. */
    public static String profile(PkiHome home) {
        File f = read(file(home));
        return f.profile() != null ? f.profile() : "tls-server";
    }

    public static AcmeConfig config(PkiHome home, InstallationConfig installation) {
        return config(read(file(home)), installation, System.getenv());
    }

    static File read(Path path) {
        if (!Files.exists(path)) {
            return File.EMPTY;
        }
        try {
            File f = YAML.readValue(path.toFile(), File.class);
            return f == null ? File.EMPTY : f;
        } catch (JsonMappingException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, path + ": " + e.getOriginalMessage().split("\n")[0]);
        } catch (IOException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, path + " cannot be read: " + e.getMessage());
        }
    }

    static AcmeConfig config(File f, InstallationConfig installation, Map<String, String> env) {
        int repositoryPort = installation.repository().port();
        int port = intOf(env, "PKI_ACME_PORT", f.port() != null ? f.port()
                : repositoryPort + 363 <= 65535 ? repositoryPort + 363 : 8443);
        String listen = f.host() != null ? f.host() : installation.repository().host();
        // A lab that listens on loopback is reached at 127.0.0.1, a name that resolves everywhere;
        // a deployment names its public host (publicHost), by default acme.<domain>.
        String publicHost = f.publicHost() != null ? f.publicHost()
                : loopback(listen) ? "127.0.0.1" : "acme." + installation.domain();
        String dns = env.getOrDefault("PKI_ACME_DNS_SERVER", f.dnsServer());
        String hosts = env.getOrDefault("PKI_ACME_HOSTS_FILE", f.hostsFile());
        String eab = env.get("PKI_ACME_EAB_REQUIRED");
        boolean eabRequired = eab != null && !eab.isBlank() ? bool("PKI_ACME_EAB_REQUIRED", eab)
                : Boolean.TRUE.equals(f.eabRequired());
        AcmeConfig d = AcmeConfig.defaults(listen, port, publicHost);
        try {
            return new AcmeConfig(listen, port, publicHost, f.profile() != null ? f.profile() : d.profile(),
                    intOf(env, "PKI_ACME_HTTP01_PORT", f.http01Port() != null ? f.http01Port() : 80),
                    intOf(env, "PKI_ACME_TLSALPN01_PORT", f.tlsAlpn01Port() != null ? f.tlsAlpn01Port() : 443),
                    dns == null || dns.isBlank() ? null : hostPort(dns.trim()),
                    hosts == null || hosts.isBlank() ? null : Path.of(hosts.trim()),
                    eabRequired,
                    f.deniedRanges() == null ? d.deniedRanges() : f.deniedRanges().stream().map(AddressRange::parse).toList(),
                    f.caaIdentities() == null ? List.of(f.publicHost() != null ? publicHost : "acme." + installation.domain())
                            : f.caaIdentities(),
                    f.termsOfService(), f.website(),
                    duration("orderLifetime", f.orderLifetime(), d.orderLifetime()),
                    duration("authorizationLifetime", f.authorizationLifetime(), d.authorizationLifetime()),
                    duration("authorizationReuse", f.authorizationReuse(), d.authorizationReuse()),
                    duration("validationTimeout", f.validationTimeout(), d.validationTimeout()),
                    f.maxPayloadBytes() != null ? f.maxPayloadBytes() : d.maxPayloadBytes(),
                    f.ordersPerAccountPerHour() != null ? f.ordersPerAccountPerHour() : d.ordersPerAccountPerHour(),
                    f.ordersPerDomainPerHour() != null ? f.ordersPerDomainPerHour() : d.ordersPerDomainPerHour());
        } catch (IllegalArgumentException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, "ACME configuration: " + e.getMessage());
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
            throw new PkiException(ErrorKind.CONFIGURATION, "PKI_ACME_DNS_SERVER must be host:port, not '" + value + "'");
        }
    }

    private static int intOf(Map<String, String> env, String name, int fallback) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, name + " must be a port number, not '" + v + "'");
        }
    }

    private static boolean bool(String name, String v) {
        return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new PkiException(ErrorKind.CONFIGURATION, name + " must be true or false, not '" + v + "'");
        };
    }

    private static Duration duration(String key, String value, Duration fallback) {
        if (value == null) {
            return fallback;
        }
        try {
            return Duration.parse(value);
        } catch (java.time.format.DateTimeParseException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, "acme.yaml key '" + key
                    + "' must be an ISO-8601 duration such as P7D, not '" + value + "'");
        }
    }
}
