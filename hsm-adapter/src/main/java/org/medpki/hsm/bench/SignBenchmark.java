package org.medpki.hsm.bench;

import java.io.PrintStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.medpki.core.keys.KeyAlgorithm;
import org.medpki.core.keys.SignatureAlgorithm;
import org.medpki.core.keys.SigningKeys;
import org.medpki.hsm.PinSource;
import org.medpki.hsm.Pkcs11SigningKeys;
import org.medpki.hsm.TokenConfig;

/**
 * Raw signatures per second through a {@link SigningKeys}: P-256, P-384, RSA-2048 and RSA-3072,
 * each with the given thread counts (1 and 2 by default), signing 1 KiB messages. Not a test. It
 * generates four throw-away keys labelled {@code bench-...} in the token: use a scratch token.
 *
 * <p>As a program: {@code --module PATH} (default $PKI_TEST_SOFTHSM_MODULE, else the Debian
 * SoftHSM2 path), {@code --token LABEL} (default medpki-test), {@code --seconds N} per measurement
 * (default 4), {@code --threads 1,2}. The PIN comes from PKI_TOKEN_PIN_FILE or PKI_TOKEN_PIN, else
 * PKI_TEST_TOKEN_PIN; SOFTHSM2_CONF must name the token's configuration. Needs
 * {@code --enable-native-access=ALL-UNNAMED}.
 */
public final class SignBenchmark {
    /** The key types measured, each with its default CA signature. */
    public static final List<KeyAlgorithm> KEYS =
            List.of(KeyAlgorithm.EC_P256, KeyAlgorithm.EC_P384, KeyAlgorithm.RSA_2048, KeyAlgorithm.RSA_3072);

    private SignBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        String module = env.getOrDefault("PKI_TEST_SOFTHSM_MODULE", "/usr/lib/softhsm/libsofthsm2.so");
        String token = "medpki-test";
        int seconds = 4;
        int[] threadCounts = {1, 2};
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            switch (args[i]) {
                case "--module" -> module = args[i + 1];
                case "--token" -> token = args[i + 1];
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--threads" -> threadCounts = Arrays.stream(args[i + 1].split(",")).mapToInt(Integer::parseInt).toArray();
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (expected --module, --token, --seconds, --threads)");
            }
        }
        PinSource pin = env.containsKey(PinSource.PIN_FILE_VARIABLE) || env.containsKey(PinSource.PIN_VARIABLE)
                ? PinSource.fromEnvironment()
                : new PinSource.Environment("PKI_TEST_TOKEN_PIN");
        int sessions = Math.max(Arrays.stream(threadCounts).max().orElse(1), TokenConfig.defaultSessionPoolSize());
        try (Pkcs11SigningKeys keys = new Pkcs11SigningKeys(new TokenConfig(module, token, pin, sessions))) {
            var t = keys.token();
            PrintStream out = System.out;
            out.printf("token '%s' (%s %s) via %s, %d s per run, %d cores, JDK %s%n", t.label(), t.manufacturer(),
                    t.model(), t.module(), seconds, Runtime.getRuntime().availableProcessors(), Runtime.version());
            out.printf("%-10s %-18s %8s %12s%n", "key", "signature", "threads", "signs/s");
            run(keys, Duration.ofSeconds(seconds), threadCounts, r -> out.printf("%-10s %-18s %8d %12.0f%n",
                    r.key(), r.signature(), r.threads(), r.perSecond()));
        }
    }

    /**
     * Generates one key of each type in {@link #KEYS} and measures its default signature for
     * {@code perRun} with each thread count, after a one-second warm-up. Each result goes to
     * {@code report} as soon as it is known.
     */
    public static List<SignRate> run(SigningKeys keys, Duration perRun, int[] threadCounts, Consumer<SignRate> report)
            throws InterruptedException {
        String run = HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
        List<SignRate> results = new ArrayList<>();
        for (KeyAlgorithm key : KEYS) {
            String label = "bench-" + key.name().toLowerCase(Locale.ROOT) + "-" + run;
            keys.generate(key, label);
            measure(keys, key, label, 1, Duration.ofSeconds(1)); // warm-up: JIT, sessions, key handle cache
            for (int threads : threadCounts) {
                SignRate rate = measure(keys, key, label, threads, perRun);
                results.add(rate);
                report.accept(rate);
            }
        }
        return results;
    }

    private static SignRate measure(SigningKeys keys, KeyAlgorithm key, String label, int threads, Duration duration)
            throws InterruptedException {
        SignatureAlgorithm algorithm = key.defaultSignatureAlgorithm();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long start = System.nanoTime();
            long end = start + duration.toNanos();
            List<Future<Long>> counts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                counts.add(pool.submit(() -> {
                    byte[] data = new byte[1024];
                    long n = 0;
                    while (System.nanoTime() < end) {
                        data[(int) (n % data.length)]++;
                        keys.sign(label, algorithm, data);
                        n++;
                    }
                    return n;
                }));
            }
            long total = 0;
            for (Future<Long> count : counts) {
                try {
                    total += count.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("signing failed during the benchmark: " + e.getCause(), e.getCause());
                }
            }
            return new SignRate(key, algorithm, threads, total, Duration.ofNanos(System.nanoTime() - start));
        } finally {
            pool.shutdown();
        }
    }
}
