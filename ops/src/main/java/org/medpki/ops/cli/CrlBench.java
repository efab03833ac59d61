package org.medpki.ops.cli;

import io.vertx.core.Vertx;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.medpki.core.crl.CrlKind;
import org.medpki.core.crl.CrlScope;
import org.medpki.core.crl.PublishedCrl;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.revocation.RevocationReason;
import org.medpki.crl.CrlPublisherConfig;
import org.medpki.crl.CrlPublisherVerticle;
import org.medpki.crl.CrlSettings;
import org.medpki.ops.install.PkiContext;
import org.medpki.ops.install.PkiHome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * 'pki crl bench' (used by ops/bench-crl): times one complete CRL of an issuing CA (build, lint,
 * sign in the HSM, store) with the peak heap after it, then starts a publisher in this process and
 * times revocation to a published delta CRL (as fetched over HTTP) for the given issued serials.
 */
@Command(name = "bench", description = "Benchmark: time and peak heap of a complete CRL; revocation to published delta.")
final class CrlBench implements Callable<Integer> {
    @Option(names = "--ca", defaultValue = "server-ca", description = "Issuing CA (default: ${DEFAULT-VALUE}).")
    String ca;

    @Option(names = "--revoke", split = ",", paramLabel = "SERIAL", description = "Issued serials (hex) to revoke one by one.")
    List<String> revoke = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        try (PkiContext context = PkiContext.open(PkiHome.fromEnvironment())) {
            CrlSettings settings = context.crlSettings();
            CaCertificate issuing = context.hierarchy().issuing(ca);
            context.keys();
            var issuer = CrlCommand.issuer(context, settings);
            var distribution = settings.distributions().of(ca);
            System.gc();
            ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
            long start = System.nanoTime();
            PublishedCrl full = issuer.publish(issuing, CrlScope.whole(ca), CrlKind.FULL, distribution);
            double seconds = (System.nanoTime() - start) / 1e9;
            long peak = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    peak += pool.getPeakUsage().getUsed();
                }
            }
            System.out.printf("complete CRL of %s: %d entries, %.1f MiB DER, %.2f s to build, lint, sign and store; "
                    + "peak heap (sum of pool peaks) %.0f MiB of max %.0f MiB%n", ca, full.entries(),
                    full.der().length / 1048576.0, seconds, peak / 1048576.0,
                    Runtime.getRuntime().maxMemory() / 1048576.0);
            if (revoke.isEmpty()) {
                return 0;
            }
            Vertx vertx = Vertx.vertx();
            try {
                CrlSettings benchSettings = new CrlSettings(settings.policy(), settings.distributions(),
                        CrlSettings.OnRevocation.DELTA, Files.createTempDirectory("medpki-crl-bench"));
                CrlPublisherVerticle publisher = new CrlPublisherVerticle(new CrlPublisherConfig("127.0.0.1", 0,
                        context.config().urls().crlBase(), benchSettings), context.database(),
                        new org.medpki.core.crl.CrlIssuer(context.database().crlStore(), context.keys(),
                                benchSettings.policy(), context.config().urls().crlBase(), context.clock()),
                        context.hierarchy(), context.clock());
                vertx.deployVerticle(publisher).await();
                HttpClient http = HttpClient.newHttpClient();
                URI delta = URI.create("http://127.0.0.1:" + publisher.actualPort() + "/crl/" + ca + "-delta.crl");
                long deadline = System.nanoTime() + 120_000_000_000L;
                while (http.send(HttpRequest.newBuilder(delta).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() != 200 || !publisher.active()) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the publisher did not publish a delta CRL in 120 s");
                    }
                    Thread.sleep(50);
                }
                Thread.sleep(1500);
                for (String hex : revoke) {
                    BigInteger serial = new BigInteger(hex, 16);
                    long t0 = System.nanoTime();
                    context.inventory().revoke(issuing.record().id(), serial, RevocationReason.KEY_COMPROMISE,
                            Instant.now(), null);
                    while (true) {
                        byte[] der = http.send(HttpRequest.newBuilder(delta).build(),
                                HttpResponse.BodyHandlers.ofByteArray()).body();
                        X509CRL crl = (X509CRL) CertificateFactory.getInstance("X.509")
                                .generateCRL(new ByteArrayInputStream(der));
                        if (crl.getRevokedCertificate(serial) != null) {
                            break;
                        }
                        if (System.nanoTime() - t0 > 60_000_000_000L) {
                            throw new IllegalStateException("serial " + hex + " did not reach the delta CRL in 60 s");
                        }
                        Thread.sleep(5);
                    }
                    System.out.printf("revocation of %s to published delta CRL (fetched over HTTP): %.0f ms%n", hex,
                            (System.nanoTime() - t0) / 1e6);
                    Thread.sleep(1200);
                }
            } finally {
                vertx.close().await();
            }
        }
        return 0;
    }
}
