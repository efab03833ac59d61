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
import org.medpki.device.DeviceEnrollmentService;
import org.medpki.listener.ListenerLimits;

/**
 * The {@code devices} section: IoMT onboarding. Every key optional:
 * <ul>
 * <li>{@code protocols}: the enrollment front ends 'pki up' starts, of est, cmp and scep (default
 *     none: a port that is not needed is not opened);</li>
 * <li>{@code profile} (default device: the profile of a device registered without one),
 *     {@code profiles} (the profiles a device may be registered under, which must hold
 *     {@code profile} and which the CA must let est, cmp and scep issue; default {@code profile} and
 *     sdc-participant, as far as the CA grants them), {@code codeLifetime} (how long an enrollment code can be
 *     used, default 14 days), {@code supersedeGrace} (how long a replaced certificate stays valid,
 *     default 7 days), {@code manufacturerCas} (the manufacturer CAs whose IDevIDs authenticate
 *     devices of that manufacturer: {@link ManufacturerCaFile}; PEM paths relative to PKI_HOME);</li>
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
                       @JsonProperty("profiles") List<String> profiles,
                       @JsonProperty("codeLifetime") String codeLifetime,
                       @JsonProperty("supersedeGrace") String supersedeGrace,
                       @JsonProperty("manufacturerCas") List<ManufacturerCaFile> manufacturerCas,
                       @JsonProperty("est") Listener est,
                       @JsonProperty("cmp") Listener cmp,
                       @JsonProperty("scep") Listener scep) {
        public static final File EMPTY = new File(null, null, null, null, null, null, null, null, null);
    }

    /**
     * One entry of {@code devices.manufacturerCas}: {@code {manufacturer: NAME, certificates: FILE}},
     * or just FILE, when each CA certificate's subject O names the manufacturer. Its IDevIDs
     * authenticate only devices registered with that manufacturer.
     */
    public record ManufacturerCaFile(String manufacturer, String certificates) {
        @com.fasterxml.jackson.annotation.JsonCreator(mode = com.fasterxml.jackson.annotation.JsonCreator.Mode.PROPERTIES)
        public ManufacturerCaFile(@JsonProperty("manufacturer") String manufacturer,
                                  @JsonProperty("certificates") String certificates) {
            this.manufacturer = manufacturer;
            this.certificates = certificates;
        }

        @com.fasterxml.jackson.annotation.JsonCreator(mode = com.fasterxml.jackson.annotation.JsonCreator.Mode.DELEGATING)
        public static ManufacturerCaFile of(String certificates) {
            return new ManufacturerCaFile(null, certificates);
        }
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
        return profile(settings.devices());
    }

    private static String profile(File f) {
        String p = f.profile();
        return p == null || p.isBlank() ? "device" : p;
    }

    /** The default devices.profiles (after devices.profile): device certificates and IEEE 11073 SDC participants. */
    public static final List<String> DEFAULT_PROFILES = List.of("device", "sdc-participant");

    /**
     * {@code devices.profiles}: the profiles a device may be registered under, devices.profile first.
     * As written, each granted by the CA to every enrollment front end it has a row for; by default
     * devices.profile and those of the defaults that the CA grants them.
     */
    public static List<String> profiles(Settings settings) {
        try {
            return profiles(settings.devices(), settings.installation().caApi());
        } catch (IllegalArgumentException e) {
            throw settings.invalid(e);
        }
    }

    /** The profiles 'pki init' grants the enrollment front ends (from the devices section as written). */
    public static List<String> profilesBeforeInstallation(PkiHome home) {
        return profiles(SettingsFiles.devicesBeforeInstallation(home, System.getenv()), null);
    }

    /** {@code caApi} null: the CA grants what the settings ask (an installation from before the CA API). */
    static List<String> profiles(File f, InstallationConfig.CaApi caApi) {
        String first = profile(f);
        if (!org.medpki.device.DeviceNames.PROFILE.matcher(first).matches()) {
            throw new IllegalArgumentException("devices.profile '" + first + "' is not a profile name");
        }
        List<String> granted = caApi == null ? null : granted(caApi);
        if (f.profiles() == null) {
            var out = new java.util.LinkedHashSet<String>();
            out.add(first);
            DEFAULT_PROFILES.stream().filter(p -> granted == null || granted.contains(p)).forEach(out::add);
            return List.copyOf(out);
        }
        for (String p : f.profiles()) {
            if (p == null || !org.medpki.device.DeviceNames.PROFILE.matcher(p).matches()) {
                throw new IllegalArgumentException("devices.profiles holds '" + p + "', which is not a profile name");
            }
        }
        if (!f.profiles().contains(first)) {
            throw new IllegalArgumentException("devices.profile " + first + " must be one of devices.profiles "
                    + f.profiles());
        }
        if (granted != null) {
            List<String> refused = f.profiles().stream().filter(p -> !granted.contains(p)).distinct().toList();
            if (!refused.isEmpty()) {
                throw new IllegalArgumentException("devices.profiles names " + refused + ", which the CA does not let "
                        + "the enrollment services issue (caApi.callers.est/cmp/scep.issue): grant them on the CA host "
                        + "or remove them");
            }
        }
        var out = new java.util.LinkedHashSet<String>();
        out.add(first);
        out.addAll(f.profiles());
        return List.copyOf(out);
    }

    /** What the CA lets every enrollment front end it has a row for issue; null when it has none. */
    private static List<String> granted(InstallationConfig.CaApi caApi) {
        List<String> granted = null;
        for (String caller : List.of("est", "cmp", "scep")) {
            var row = caApi.callers().get(caller);
            if (row != null) {
                List<String> issue = row.issue() == null ? List.of() : row.issue();
                granted = granted == null ? issue : granted.stream().filter(issue::contains).toList();
            }
        }
        return granted;
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

    /**
     * The manufacturer CA certificates, read from their PEM files, each with the manufacturer it
     * vouches for (the entry's, else the certificate's subject O; neither is a settings error).
     */
    public static List<DeviceEnrollmentService.ManufacturerCa> manufacturerCas(Settings settings, PkiHome home) {
        List<DeviceEnrollmentService.ManufacturerCa> cas = new ArrayList<>();
        List<ManufacturerCaFile> entries = settings.devices().manufacturerCas() == null ? List.of()
                : settings.devices().manufacturerCas();
        for (ManufacturerCaFile entry : entries) {
            if (entry == null || entry.certificates() == null || entry.certificates().isBlank()) {
                throw settings.invalid(new IllegalArgumentException("devices.manufacturerCas: each entry names a PEM "
                        + "file (certificates: FILE)"));
            }
            Path path = home.dir().resolve(entry.certificates());
            List<X509Certificate> read = new ArrayList<>();
            try (var in = Files.newInputStream(path)) {
                for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    read.add((X509Certificate) c);
                }
            } catch (IOException | CertificateException e) {
                throw settings.invalid(new IllegalArgumentException("devices.manufacturerCas: cannot read " + path
                        + " as PEM certificates: " + e.getMessage()));
            }
            for (X509Certificate c : read) {
                String maker = entry.manufacturer() != null && !entry.manufacturer().isBlank() ? entry.manufacturer()
                        : organisation(c);
                if (maker == null) {
                    throw settings.invalid(new IllegalArgumentException("devices.manufacturerCas: " + path + " holds '"
                            + c.getSubjectX500Principal().getName() + "', whose subject names no organisation: give the "
                            + "entry as {manufacturer: NAME, certificates: " + entry.certificates() + "}"));
                }
                cas.add(new DeviceEnrollmentService.ManufacturerCa(maker, c));
            }
        }
        return List.copyOf(cas);
    }

    private static String organisation(X509Certificate c) {
        org.bouncycastle.asn1.x500.RDN[] rdns = org.bouncycastle.asn1.x500.X500Name.getInstance(
                c.getSubjectX500Principal().getEncoded()).getRDNs(org.bouncycastle.asn1.x500.style.BCStyle.O);
        return rdns.length == 0 ? null : org.bouncycastle.asn1.x500.style.IETFUtils.valueToString(
                rdns[0].getFirst().getValue());
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
