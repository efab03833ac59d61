package org.medpki.ops.bench;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * What one ACME load run does: {@code clients} accounts in parallel, each ordering
 * {@code certsPerClient} certificates for names under {@code domain}, answering http-01 through
 * files in {@code webroot} (served on the validation port by a web server of the caller's choice),
 * polling every {@code pollInterval}; client n starts (n-1) x {@code rampStep} after the first.
 */
public record AcmeLoadSettings(URI directory, Path trustAnchor, Map<String, String> resolve, Path webroot,
        String domain, int clients, int certsPerClient, Duration requestTimeout, Duration pollInterval,
        Duration rampStep) {
    public AcmeLoadSettings {
        Objects.requireNonNull(directory, "directory URL");
        if (!"https".equals(directory.getScheme())) {
            throw new IllegalArgumentException("the directory URL must be https: " + directory);
        }
        if (trustAnchor == null || !Files.isReadable(trustAnchor)) {
            throw new IllegalArgumentException("trust anchor PEM not readable: " + trustAnchor);
        }
        resolve = Map.copyOf(resolve);
        if (webroot == null || !Files.isDirectory(webroot)) {
            throw new IllegalArgumentException("webroot is not a directory: " + webroot);
        }
        if (domain == null || !domain.matches("[a-z0-9]([a-z0-9.-]*[a-z0-9])?")) {
            throw new IllegalArgumentException("domain must be a lower-case DNS name: " + domain);
        }
        if (clients < 1 || clients > 10_000) {
            throw new IllegalArgumentException("clients must be 1..10000: " + clients);
        }
        if (certsPerClient < 1) {
            throw new IllegalArgumentException("certificates per client must be at least 1: " + certsPerClient);
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("request timeout must be positive: " + requestTimeout);
        }
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("poll interval must be positive: " + pollInterval);
        }
        if (rampStep.isNegative()) {
            throw new IllegalArgumentException("ramp step must not be negative: " + rampStep);
        }
    }
}
