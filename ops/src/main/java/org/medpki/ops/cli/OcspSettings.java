package org.medpki.ops.cli;

import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.ocsp.OcspConfig;
import org.medpki.ops.install.InstallationConfig;

/**
 * The responder's configuration for 'pki up' and 'pki ocsp': host from the repository listener,
 * port from urls.ocsp (the URL in certificates), and optional overrides from the environment:
 * PKI_OCSP_VALIDITY (ISO-8601 duration, e.g. PT24H; refresh after 40 % of it), PKI_OCSP_NONCE
 * (true/false), PKI_OCSP_INSTANCES (HTTP verticles), PKI_OCSP_REFRESH_INTERVAL (how often the
 * refresher looks for due responses and rotated signers, default PT60S), PKI_OCSP_SIGNER_MARGIN
 * (rotate the OCSP signer this long before it expires, default P30D).
 */
final class OcspSettings {
    private OcspSettings() {
    }

    static int port(InstallationConfig config) {
        URI url = URI.create(config.urls().ocsp());
        if (url.getPort() > 0) {
            return url.getPort();
        }
        return "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
    }

    static OcspConfig config(InstallationConfig config) {
        OcspConfig c = OcspConfig.defaults(config.repository().host(), port(config));
        String validity = System.getenv("PKI_OCSP_VALIDITY");
        if (validity != null && !validity.isBlank()) {
            Duration v = duration("PKI_OCSP_VALIDITY", validity);
            c = c.withValidity(v, v.multipliedBy(2).dividedBy(5));
        }
        String nonce = System.getenv("PKI_OCSP_NONCE");
        if (nonce != null && !nonce.isBlank()) {
            c = c.withNonce(Boolean.parseBoolean(nonce.trim()));
        }
        String instances = System.getenv("PKI_OCSP_INSTANCES");
        if (instances != null && !instances.isBlank()) {
            try {
                c = new OcspConfig(c.host(), c.port(), Integer.parseInt(instances.trim()), c.validity(),
                        c.refreshAfter(), c.refreshInterval(), c.cacheEntries(), c.maxRequestBytes(), c.maxCertIds(),
                        c.nonce(), c.onDemandConcurrency(), c.onDemandThreads());
            } catch (NumberFormatException e) {
                throw new PkiException(ErrorKind.CONFIGURATION, "PKI_OCSP_INSTANCES must be a number");
            }
        }
        String interval = System.getenv("PKI_OCSP_REFRESH_INTERVAL");
        if (interval != null && !interval.isBlank()) {
            c = new OcspConfig(c.host(), c.port(), c.instances(), c.validity(), c.refreshAfter(),
                    duration("PKI_OCSP_REFRESH_INTERVAL", interval), c.cacheEntries(), c.maxRequestBytes(),
                    c.maxCertIds(), c.nonce(), c.onDemandConcurrency(), c.onDemandThreads());
        }
        return c;
    }

    static Duration signerMargin() {
        String margin = System.getenv("PKI_OCSP_SIGNER_MARGIN");
        return margin == null || margin.isBlank() ? Duration.ofDays(30) : duration("PKI_OCSP_SIGNER_MARGIN", margin);
    }

    private static Duration duration(String key, String value) {
        try {
            return Duration.parse(value.trim());
        } catch (DateTimeParseException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, key + " '" + value
                    + "' is not an ISO-8601 duration such as PT24H or P30D");
        }
    }
}
