package org.medpki.ops.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.medpki.core.issuance.IssuanceService;
import org.medpki.core.issuance.IssueCommand;
import org.medpki.hsm.bench.SignBenchmark;
import org.medpki.ops.bench.CsrFactory;
import org.medpki.ops.install.PkiContext;
import org.medpki.ops.install.PkiHome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", description = "Benchmarks on this installation (use a scratch PKI_HOME: keys are created).",
        subcommands = {BenchCommand.Sign.class, BenchCommand.Issue.class, BenchRevocationPropagation.class,
                BenchAcme.class, BenchMassRevocation.class, BenchEst.class, BenchEst.RegisterDevices.class,
                BenchSeed.class})
public final class BenchCommand implements Runnable {

    @Override
    public void run() {
        throw new IllegalArgumentException("name a benchmark: sign, issue, revocation-propagation, acme, "
                + "mass-revocation, est, seed");
    }

    @Command(name = "sign", description = "Raw token signatures per second for each key type, with 1 and 2 threads.")
    public static final class Sign implements Callable<Integer> {
        @Option(names = "--seconds", defaultValue = "3")
        int seconds;

        @Override
        public Integer call() throws Exception {
            try (PkiContext context = PkiContext.open(PkiHome.fromEnvironment())) {
                SignBenchmark.run(context.keys(), Duration.ofSeconds(seconds), new int[] {1, 2},
                        r -> System.out.printf("sign %-9s %-17s %d thread%s %10.0f /s%n", r.key(), r.signature(),
                                r.threads(), r.threads() == 1 ? " " : "s", r.perSecond()));
            }
            return 0;
        }
    }

    @Command(name = "issue", description = "End-to-end issuance: CSR in, checks, lint, intent row, HSM signature, "
            + "certificate stored, chain out.")
    public static final class Issue implements Callable<Integer> {
        @Option(names = "--seconds", defaultValue = "10")
        int seconds;

        @Option(names = "--threads", defaultValue = "32")
        int threads;

        @Option(names = "--count", description = "Stop after this many certificates instead of after --seconds.")
        Long count;

        @Option(names = "--via-api", description = "Issue through a running 'pki serve ca' over the CA API, as the "
                + "ACME service (its certificate in PKI_HOME/services/acme), instead of in this process.")
        boolean viaApi;

        /** One issuance, in process or over the CA API. */
        private interface Issuer {
            void issue(byte[] csr);
        }

        @Override
        public Integer call() throws Exception {
            io.vertx.core.Vertx vertx = viaApi ? org.medpki.ops.services.ServiceVertx.create() : null;
            try (PkiContext context = PkiContext.open(PkiHome.fromEnvironment(),
                    viaApi ? org.medpki.ops.install.DatabaseRole.ACME : org.medpki.ops.install.DatabaseRole.CA)) {
                Issuer issuance;
                if (viaApi) {
                    org.medpki.caapi.CaApiClient api = ServeCommand.caClient(context, vertx, "acme");
                    issuance = csr -> api.issue("tls-server", csr, "acme:bench", null, java.util.Set.of());
                } else {
                    IssuanceService local = context.issuance();
                    issuance = csr -> local.issue(IssueCommand.of("tls-server", csr, "bench"));
                }
                String domain = context.config().domain();
                CsrFactory csrs = new CsrFactory();
                List<byte[]> requests = new ArrayList<>();
                for (int i = 0; i < 256; i++) {
                    requests.add(csrs.tlsServer("bench-" + i + "." + domain));
                }
                AtomicLong next = new AtomicLong();
                long[] latencies = new long[2_000_000];
                AtomicLong done = new AtomicLong();
                // Warm-up (JIT, pools, token sessions): 3 s with all threads, or 200 certificates
                // for a counted run, so that the figures are the steady state.
                try (ExecutorService warm = Executors.newVirtualThreadPerTaskExecutor()) {
                    boolean timed = count == null;
                    long warmUntil = timed ? System.nanoTime() + Duration.ofSeconds(3).toNanos() : Long.MAX_VALUE;
                    long warmLimit = timed ? Long.MAX_VALUE : 200;
                    AtomicLong warmed = new AtomicLong();
                    List<Future<?>> warmers = new ArrayList<>();
                    for (int t = 0; t < (timed ? threads : 1); t++) {
                        warmers.add(warm.submit(() -> {
                            long i;
                            while ((i = warmed.getAndIncrement()) < warmLimit && System.nanoTime() < warmUntil) {
                                issuance.issue(requests.get((int) (i % requests.size())));
                            }
                            return null;
                        }));
                    }
                    for (Future<?> w : warmers) {
                        w.get();
                    }
                }
                long limit = count == null ? Long.MAX_VALUE : count;
                long deadline = count == null ? System.nanoTime() + Duration.ofSeconds(seconds).toNanos() : Long.MAX_VALUE;
                long start = System.nanoTime();
                try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                    List<Future<?>> workers = new ArrayList<>();
                    for (int t = 0; t < threads; t++) {
                        workers.add(pool.submit(() -> {
                            long n;
                            while (System.nanoTime() < deadline && (n = next.getAndIncrement()) < limit) {
                                long t0 = System.nanoTime();
                                issuance.issue(requests.get((int) (n % requests.size())));
                                long i = done.getAndIncrement();
                                if (i < latencies.length) {
                                    latencies[(int) i] = System.nanoTime() - t0;
                                }
                            }
                            return null;
                        }));
                    }
                    for (Future<?> w : workers) {
                        w.get();
                    }
                }
                double elapsed = (System.nanoTime() - start) / 1e9;
                int n = (int) Math.min(done.get(), latencies.length);
                long[] sorted = Arrays.copyOf(latencies, n);
                Arrays.sort(sorted);
                System.out.printf("issue tls-server%s (issuing key %s): %d certificates in %.1f s = %.0f /s with %d"
                                + " threads; latency p50 %.1f ms, p99 %.1f ms%n", viaApi ? " via the CA API" : "",
                        context.hierarchy().issuing(context.profiles().get("tls-server").issuer()).keyAlgorithm(), done.get(), elapsed,
                        done.get() / elapsed, threads, sorted[n / 2] / 1e6, sorted[(int) (n * 0.99)] / 1e6);
            } finally {
                if (vertx != null) {
                    vertx.close().await();
                }
            }
            return 0;
        }
    }
}
