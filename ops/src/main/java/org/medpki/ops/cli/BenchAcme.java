package org.medpki.ops.cli;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.medpki.ops.bench.AcmeLoadDriver;
import org.medpki.ops.bench.AcmeLoadResult;
import org.medpki.ops.bench.AcmeLoadSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * ACME load against any RFC 8555 server (ours or another): newOrder and finalize latencies and
 * certificates per second with concurrent clients and real http-01 validation through a webroot.
 * Needs no installation: it is a client.
 */
@Command(name = "acme", description = "ACME load with N concurrent clients (http-01 through a webroot that the "
        + "validation port serves): p50/p99 of newOrder and finalize, certificates per second. "
        + "Exit status 1 when an order failed.")
public final class BenchAcme implements Callable<Integer> {
    @Option(names = "--directory", required = true, description = "The server's ACME directory URL (https).")
    URI directory;

    @Option(names = "--trust", required = true, description = "PEM file with the trust anchor of the server's TLS "
            + "certificate.")
    Path trust;

    @Option(names = "--resolve", description = "HOST=ADDRESS: connect to ADDRESS for HOST (repeatable; the host "
            + "name is still what TLS checks).")
    List<String> resolve = List.of();

    @Option(names = "--webroot", required = true, description = "Directory served on the validation port; "
            + "key authorizations go to .well-known/acme-challenge/ under it.")
    Path webroot;

    @Option(names = "--domain", required = true, description = "Names ordered are loadC-K.DOMAIN.")
    String domain;

    @Option(names = "--clients", defaultValue = "8")
    int clients;

    @Option(names = "--certs-per-client", defaultValue = "1")
    int certsPerClient;

    @Option(names = "--timeout-seconds", defaultValue = "30", description = "Per request, and per wait for an "
            + "authorization or order to become valid.")
    int timeoutSeconds;

    @Option(names = "--poll-ms", defaultValue = "50", description = "Poll interval for authorizations and orders, "
            + "the same for every server (Retry-After is not followed, so that servers compare on their work).")
    int pollMillis;

    @Option(names = "--ramp-ms", defaultValue = "0", description = "Start client n (n-1) x this many ms after "
            + "the first (a ramp-up; the rate counts from the first start).")
    int rampMillis;

    @Option(names = "--warmup-rounds", defaultValue = "0", description = "Run the same load this many times "
            + "untimed first (names under wR.DOMAIN), so that this client's JVM is compiled when the timed run "
            + "starts: a cold client spends most of a short run's CPU compiling itself, on the server's cores.")
    int warmupRounds;

    @Option(names = "--label", defaultValue = "acme")
    String label;

    @Option(names = "--kv", description = "Also print one line of KEY=VALUE pairs for scripts.")
    boolean keyValue;

    @Override
    public Integer call() throws Exception {
        Map<String, String> hosts = new LinkedHashMap<>();
        for (String entry : resolve) {
            int eq = entry.indexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                throw new IllegalArgumentException("--resolve wants HOST=ADDRESS, got: " + entry);
            }
            hosts.put(entry.substring(0, eq).toLowerCase(Locale.ROOT), entry.substring(eq + 1));
        }
        if (warmupRounds < 0) {
            throw new IllegalArgumentException("--warmup-rounds must not be negative: " + warmupRounds);
        }
        int warmupCertificates = 0;
        int warmupFailures = 0;
        for (int round = 1; round <= warmupRounds; round++) {
            AcmeLoadSettings warm = settings("w" + round + "." + domain, hosts);
            AcmeLoadResult w = new AcmeLoadDriver(warm).run();
            AcmeLoadDriver.describe(label + " warm-up " + round, warm, w).forEach(System.out::println);
            warmupCertificates += w.certificates();
            warmupFailures += w.failures();
        }
        AcmeLoadSettings settings = settings(domain, hosts);
        long cpuBefore = processCpuNanos();
        AcmeLoadResult r = new AcmeLoadDriver(settings).run();
        double cpuSeconds = (processCpuNanos() - cpuBefore) / 1e9;
        AcmeLoadDriver.describe(label, settings, r).forEach(System.out::println);
        if (keyValue) {
            System.out.printf(Locale.ROOT, "kv label=%s certificates=%d failed=%d seconds=%.3f rate=%.2f"
                            + " new_order_p50=%.1f new_order_p99=%.1f finalize_p50=%.1f finalize_p99=%.1f"
                            + " to_cert_p50=%.1f to_cert_p99=%.1f warmup_certificates=%d warmup_failed=%d"
                            + " client_cpu_s=%.2f%n", label, r.certificates(), r.failures(),
                    r.seconds(), r.certificatesPerSecond(), r.newOrder().p50Millis(), r.newOrder().p99Millis(),
                    r.finalizeRoundTrip().p50Millis(), r.finalizeRoundTrip().p99Millis(), r.finalizeToCertificate().p50Millis(),
                    r.finalizeToCertificate().p99Millis(), warmupCertificates, warmupFailures, cpuSeconds);
        }
        return r.failures() == 0 && warmupFailures == 0 ? 0 : 1;
    }

    private AcmeLoadSettings settings(String names, Map<String, String> hosts) {
        return new AcmeLoadSettings(directory, trust, hosts, webroot, names, clients, certsPerClient,
                Duration.ofSeconds(timeoutSeconds), Duration.ofMillis(pollMillis), Duration.ofMillis(rampMillis));
    }

    /** This process's CPU time (every thread, user and system): what the client itself cost. */
    private static long processCpuNanos() {
        return java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class)
                .getProcessCpuTime();
    }
}
