package org.medpki.ops.install;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.medpki.admin.AdminApiConfig;
import org.medpki.admin.Approvals;
import org.medpki.core.settings.Durations;

/**
 * The {@code admin} section, every key optional: port (default the repository port + 365, 8445
 * for the default 8080), host (listen address, default the repository's), publicHost (the name in
 * its URL and TLS certificate: 127.0.0.1 when listening on loopback, else admin.DOMAIN), and the
 * listener's bounds ({@link ServiceListeners}); the approvals each kind of request needs
 * (smallRevocationMax, smallRevocationApprovals, revocationApprovals, adminChangeApprovals,
 * caRevocationApprovals, keyDestructionApprovals, caRolloverApprovals) and how long a request
 * waits for them (requestLifetime).
 */
public final class AdminSettings {
    private AdminSettings() {
    }

    /** The section as written; every key optional. */
    public record File(@JsonProperty("port") Integer port,
                       @JsonProperty("host") String host,
                       @JsonProperty("publicHost") String publicHost,
                       @JsonProperty("idleTimeout") String idleTimeout,
                       @JsonProperty("requestHeadTimeout") String requestHeadTimeout,
                       @JsonProperty("requestBodyTimeout") String requestBodyTimeout,
                       @JsonProperty("maxConnections") Integer maxConnections,
                       @JsonProperty("smallRevocationMax") Integer smallRevocationMax,
                       @JsonProperty("smallRevocationApprovals") Integer smallRevocationApprovals,
                       @JsonProperty("revocationApprovals") Integer revocationApprovals,
                       @JsonProperty("adminChangeApprovals") Integer adminChangeApprovals,
                       @JsonProperty("caRevocationApprovals") Integer caRevocationApprovals,
                       @JsonProperty("caRolloverApprovals") Integer caRolloverApprovals,
                       @JsonProperty("requestLifetime") String requestLifetime,
                       @JsonProperty("keyDestructionApprovals") Integer keyDestructionApprovals) {
        public static final File EMPTY = new File(null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null);
    }

    /** The approvals each kind of request needs (dual control); defaults in {@link Approvals#DEFAULTS}. */
    public static Approvals approvals(Settings settings) {
        File f = settings.admin();
        Approvals d = Approvals.DEFAULTS;
        try {
            return new Approvals(or(f.smallRevocationMax(), d.smallRevocationMax()),
                    or(f.smallRevocationApprovals(), d.smallRevocation()), or(f.revocationApprovals(), d.largeRevocation()),
                    or(f.adminChangeApprovals(), d.adminChange()), or(f.caRevocationApprovals(), d.caRevocation()),
                    or(f.keyDestructionApprovals(), d.keyDestruction()),
                    or(f.caRolloverApprovals(), d.caRollover()),
                    Durations.parse("admin.requestLifetime", f.requestLifetime(), d.lifetime()));
        } catch (IllegalArgumentException e) {
            throw settings.invalid(e);
        }
    }

    private static int or(Integer value, int fallback) {
        return value == null ? fallback : value;
    }

    public static AdminApiConfig config(Settings settings) {
        try {
            return config(settings.admin(), settings.installation());
        } catch (IllegalArgumentException e) {
            throw settings.invalid(e);
        }
    }

    static AdminApiConfig config(File f, InstallationConfig installation) {
        int repositoryPort = installation.repository().port();
        int port = f.port() != null ? f.port() : repositoryPort + 365 <= 65535 ? repositoryPort + 365 : 8445;
        String host = f.host() != null ? f.host() : installation.repository().host();
        boolean loopback = host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
        String publicHost = f.publicHost() != null ? f.publicHost()
                : loopback ? "127.0.0.1" : "admin." + installation.domain();
        return new AdminApiConfig(host, port, publicHost, ServiceListeners.limits("admin", f.idleTimeout(),
                f.requestHeadTimeout(), f.requestBodyTimeout(), f.maxConnections()));
    }
}
