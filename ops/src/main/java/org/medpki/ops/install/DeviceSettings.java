package org.medpki.ops.install;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.medpki.core.settings.Durations;
import org.medpki.listener.ListenerLimits;

/**
 * The {@code devices} section: IoMT onboarding. Every key optional:
 * <ul>
 * <li>{@code protocols}: the enrollment front ends 'pki up' starts, of est, cmp and scep (default
 *     none: a port that is not needed is not opened);</li>
 * <li>{@code profile} (default device), {@code codeLifetime} (how long an enrollment code can be
 *     used, default 14 days), {@code supersedeGrace} (how long a replaced certificate stays valid,
 *     default 7 days), {@code manufacturerCas} (PEM files of the manufacturer CAs whose IDevIDs
 *     authenticate devices; relative paths under PKI_HOME);</li>
 * <li>{@code est}, {@code cmp}, {@code scep}: each {@code port} (default the repository port + 366,
 *     + 367, + 368), {@code host} (listen address, default the repository's), {@code publicHost}
 *     (EST: the name in its URL and TLS certificate) and the listener's bounds; {@code scep} also
 *     {@code legacyAlgorithms} ({@link #scepLegacyAlgorithms}).</li>
 * </ul>
 */
public final class DeviceSettings {
    public static final Set<String> PROTOCOLS = Set.of("est", "cmp", "scep");

    private DeviceSettings() {
    }

    /** One front end's listener as written. */
    public record Listener(@JsonProperty("port") Integer port,
                           @JsonProperty("host") String host,
                           @JsonProperty("publicHost") String publicHost,
                           @JsonProperty("idleTimeout") String idleTimeout,
                           @JsonProperty("requestHeadTimeout") String requestHeadTimeout,
                           @JsonProperty("requestBodyTimeout") String requestBodyTimeout,
                           @JsonProperty("maxConnections") Integer maxConnections,
                           @JsonProperty("legacyAlgorithms") Boolean legacyAlgorithms) {
        static final Listener EMPTY = new Listener(null, null, null, null, null, null, null, null);
    }

    /** The section as written. */
    public record File(@JsonProperty("protocols") List<String> protocols,
                       @JsonProperty("profile") String profile,
                       @JsonProperty("codeLifetime") String codeLifetime,
                       @JsonProperty("supersedeGrace") String supersedeGrace,
                       @JsonProperty("manufacturerCas") List<String> manufacturerCas,
                       @JsonProperty("est") Listener est,
                       @JsonProperty("cmp") Listener cmp,
                       @JsonProperty("scep") Listener scep) {
        public static final File EMPTY = new File(null, null, null, null, null, null, null, null);
    }

    /** Where one front end listens: bind address, port, the host in its URL, the listener's bounds. */
    public record Endpoint(String host, int port, String publicHost, ListenerLimits limits) {
    }

    /** The front ends 'pki up' starts, in a fixed order. */
    public static List<String> protocols(Settings settings) {
        List<String> p = settings.devices().protocols() == null ? List.of() : settings.devices().protocols();
        for (String name : p) {
            if (!PROTOCOLS.contains(name)) {
                throw settings.invalid(new IllegalArgumentException("devices.protocols may hold est, cmp and scep, not '"
                        + name + "'"));
            }
        }
        return List.of("est", "cmp", "scep").stream().filter(p::contains).toList();
    }

    public static String profile(Settings settings) {
        String p = settings.devices().profile();
        return p == null || p.isBlank() ? "device" : p;
    }

    public static Duration codeLifetime(Settings settings) {
        try {
            Duration d = Durations.parse("devices.codeLifetime", settings.devices().codeLifetime(), Duration.ofDays(14));
            if (d.compareTo(Duration.ofMinutes(5)) < 0 || d.compareTo(Duration.ofDays(365)) > 0) {
                throw new IllegalArgumentException("devices.codeLifetime must be between 5 minutes and 365 days");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw settings.invalid(e);
        }
    }

    public static Duration supersedeGrace(Settings settings) {
        try {
            Duration d = Durations.parse("devices.supersedeGrace", settings.devices().supersedeGrace(), Duration.ofDays(7));
            if (d.isNegative() || d.compareTo(Duration.ofDays(90)) > 0) {
                throw new IllegalArgumentException("devices.supersedeGrace must be between 0 and 90 days");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw settings.invalid(e);
        }
    }

    /** The manufacturer CA certificates, read from their PEM files. */
    public static List<X509Certificate> manufacturerCas(Settings settings, PkiHome home) {
        List<X509Certificate> cas = new ArrayList<>();
        List<String> files = settings.devices().manufacturerCas() == null ? List.of() : settings.devices().manufacturerCas();
        for (String f : files) {
            Path path = home.dir().resolve(f);
            try (var in = Files.newInputStream(path)) {
                for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    cas.add((X509Certificate) c);
                }
            } catch (IOException | CertificateException e) {
                throw settings.invalid(new IllegalArgumentException("devices.manufacturerCas: cannot read " + path
                        + " as PEM certificates: " + e.getMessage()));
            }
        }
        return List.copyOf(cas);
    }

    /**
     * {@code devices.scep.legacyAlgorithms}: also accept SHA-1 signatures and DES/3DES envelopes
     * from SCEP clients that ignore GetCACaps (never offered; replies stay AES and SHA-256). Off by
     * default: single DES protects a challenge password for 2^56 work.
     */
    public static boolean scepLegacyAlgorithms(Settings settings) {
        Listener l = settings.devices().scep();
        return l != null && Boolean.TRUE.equals(l.legacyAlgorithms());
    }

    /** Where the front end {@code protocol} listens. */
    public static Endpoint endpoint(Settings settings, String protocol) {
        File f = settings.devices();
        Listener l = switch (protocol) {
            case "est" -> f.est();
            case "cmp" -> f.cmp();
            case "scep" -> f.scep();
            default -> throw new IllegalArgumentException("no device enrollment protocol " + protocol);
        };
        l = l == null ? Listener.EMPTY : l;
        int offset = switch (protocol) {
            case "est" -> 366;
            case "cmp" -> 367;
            default -> 368;
        };
        InstallationConfig installation = settings.installation();
        int repositoryPort = installation.repository().port();
        int port = l.port() != null ? l.port() : repositoryPort + offset <= 65535 ? repositoryPort + offset : 8443 + offset;
        String host = l.host() != null ? l.host() : installation.repository().host();
        boolean loopback = host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
        String publicHost = l.publicHost() != null ? l.publicHost()
                : loopback ? "127.0.0.1" : protocol + "." + installation.domain();
        try {
            return new Endpoint(host, port, publicHost, ServiceListeners.limits("devices." + protocol, l.idleTimeout(),
                    l.requestHeadTimeout(), l.requestBodyTimeout(), l.maxConnections()));
        } catch (IllegalArgumentException e) {
            throw settings.invalid(e);
        }
    }
}
