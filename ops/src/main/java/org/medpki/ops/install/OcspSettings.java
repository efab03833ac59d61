package org.medpki.ops.install;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.URI;
import java.time.Duration;
import org.medpki.core.settings.Durations;
import org.medpki.ocsp.OcspConfig;

/**
 * The {@code ocsp} section: host from the repository listener, port from urls.ocsp (the URL in
 * certificates), and optional keys: validity (refresh after 40 % of it), nonce, instances (HTTP
 * verticles), refreshInterval (how often the refresher looks for due responses and rotated
 * signers, default 60s), signerMargin (rotate the OCSP signer this long before it expires, 30d),
 * and the listener's bounds ({@link ServiceListeners}).
 */
public final class OcspSettings {
    private OcspSettings() {
    }

    /** The section as written; every key optional. */
    public record File(@JsonProperty("validity") String validity,
                       @JsonProperty("nonce") Boolean nonce,
                       @JsonProperty("instances") Integer instances,
                       @JsonProperty("refreshInterval") String refreshInterval,
                       @JsonProperty("signerMargin") String signerMargin,
                       @JsonProperty("idleTimeout") String idleTimeout,
                       @JsonProperty("requestHeadTimeout") String requestHeadTimeout,
                       @JsonProperty("requestBodyTimeout") String requestBodyTimeout,
                       @JsonProperty("maxConnections") Integer maxConnections) {
        public static final File EMPTY = new File(null, null, null, null, null, null, null, null, null);
    }

    public static int port(InstallationConfig config) {
        URI url = URI.create(config.urls().ocsp());
        if (url.getPort() > 0) {
            return url.getPort();
        }
        return "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
    }

    public static OcspConfig config(Settings settings) {
        try {
            return config(settings.ocsp(), settings.installation());
        } catch (IllegalArgumentException e) {
            throw settings.invalid(e);
        }
    }

    static OcspConfig config(File f, InstallationConfig installation) {
        OcspConfig c = OcspConfig.defaults(installation.repository().host(), port(installation));
        if (f.validity() != null) {
            Duration v = Durations.parse("ocsp.validity", f.validity());
            c = c.withValidity(v, v.multipliedBy(2).dividedBy(5));
        }
        if (f.nonce() != null) {
            c = c.withNonce(f.nonce());
        }
        if (f.instances() != null) {
            c = new OcspConfig(c.host(), c.port(), f.instances(), c.validity(), c.refreshAfter(), c.refreshInterval(),
                    c.cacheEntries(), c.maxRequestBytes(), c.maxCertIds(), c.nonce(), c.onDemandConcurrency(),
                    c.onDemandThreads());
        }
        if (f.refreshInterval() != null) {
            c = new OcspConfig(c.host(), c.port(), c.instances(), c.validity(), c.refreshAfter(),
                    Durations.parse("ocsp.refreshInterval", f.refreshInterval()), c.cacheEntries(), c.maxRequestBytes(),
                    c.maxCertIds(), c.nonce(), c.onDemandConcurrency(), c.onDemandThreads());
        }
        return c.withListener(ServiceListeners.limits("ocsp", f.idleTimeout(), f.requestHeadTimeout(),
                f.requestBodyTimeout(), f.maxConnections()));
    }

    public static Duration signerMargin(Settings settings) {
        try {
            return Durations.parse("ocsp.signerMargin", settings.ocsp().signerMargin(), Duration.ofDays(30));
        } catch (IllegalArgumentException e) {
            throw settings.invalid(e);
        }
    }
}
