package org.medpki.ops.cli;

import java.io.BufferedWriter;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.medpki.device.EnrollmentCodes;
import org.medpki.ops.bench.LatencySummary;
import org.medpki.ops.install.DatabaseRole;
import org.medpki.ops.install.PkiContext;
import org.medpki.ops.install.PkiHome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * 'pki bench est': EST simpleenroll (RFC 7030) load, every device enrolling once with its
 * one-time code over HTTP Basic, as a fleet being onboarded would. Keys and PKCS#10 requests are
 * made before the clock starts, so the figures are the server's: TLS, code check, issuance, CMS.
 */
@Command(name = "est", description = "EST enrollment load: each device in --devices enrolls once (fresh P-256 key, "
        + "PKCS#10 made before timing) through simpleenroll; prints enrollments/s and p50/p99 of one enrollment.")
final class BenchEst implements Callable<Integer> {
    @Option(names = "--url", required = true, description = "The EST base URL, e.g. https://127.0.0.1:8446/.well-known/est")
    URI url;

    @Option(names = "--cacert", required = true, description = "PEM file of the CA certificate(s) to trust for TLS.")
    Path cacert;

    @Option(names = "--devices", required = true, description = "File of lines 'SERIAL CODE'.")
    Path devices;

    @Option(names = "--clients", defaultValue = "32", description = "Enrollments in flight at once (default 32).")
    int clients;

    private record Device(String serial, String code, KeyPair key, byte[] csr) {
    }

    @Override
    public Integer call() throws Exception {
        if (clients < 1 || clients > 10_000) {
            throw new IllegalArgumentException("--clients must be 1 to 10000");
        }
        List<Device> fleet = prepare(Files.readAllLines(devices, StandardCharsets.US_ASCII));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(trusting(cacert))
                .connectTimeout(Duration.ofSeconds(10)).build();
        URI enroll = URI.create(url.toString().replaceAll("/+$", "") + "/simpleenroll");
        long[] latencies = new long[fleet.size()];
        AtomicInteger done = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        Semaphore slots = new Semaphore(clients);
        long start = System.nanoTime();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < fleet.size(); i++) {
                Device d = fleet.get(i);
                int index = i;
                slots.acquire();
                threads.submit(() -> {
                    try {
                        long t0 = System.nanoTime();
                        String problem = enroll(http, enroll, d);
                        if (problem == null) {
                            latencies[index] = System.nanoTime() - t0;
                            done.incrementAndGet();
                        } else {
                            failures.add(d.serial() + ": " + problem);
                        }
                    } finally {
                        slots.release();
                    }
                });
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        // Failed enrollments (0 here) are counted and printed, not timed.
        LatencySummary latency = LatencySummary.ofNanos(java.util.Arrays.stream(latencies).filter(l -> l > 0).toArray());
        failures.forEach(f -> System.out.println("failed " + f));
        System.out.printf("est simpleenroll: %d devices, %d clients: %d enrolled, %d failed in %.1f s: %.1f "
                        + "enrollments/s; one enrollment p50 %.1f ms, p99 %.1f ms%n", fleet.size(), clients, done.get(),
                failures.size(), seconds, done.get() / seconds, latency.p50Millis(), latency.p99Millis());
        return failures.isEmpty() ? 0 : 1;
    }

    /** Keys and PKCS#10 requests for every device, before anything is timed. */
    private static List<Device> prepare(List<String> lines) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        List<Device> fleet = new ArrayList<>();
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            String[] parts = line.strip().split("\\s+");
            if (parts.length != 2) {
                throw new IllegalArgumentException("a --devices line must be 'SERIAL CODE', line " + (fleet.size() + 1)
                        + " is not");
            }
            KeyPair key = g.generateKeyPair();
            X500Name subject = new X500Name(new RDN[] {new RDN(BCStyle.SERIALNUMBER,
                    new org.bouncycastle.asn1.DERPrintableString(parts[0]))});
            byte[] csr = new JcaPKCS10CertificationRequestBuilder(subject, key.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())).getEncoded();
            fleet.add(new Device(parts[0], parts[1], key, csr));
        }
        if (fleet.isEmpty()) {
            throw new IllegalArgumentException("no devices in the --devices file");
        }
        return fleet;
    }

    /** One enrollment; null when the answer is a certs-only PKCS#7 with this device's certificate, else why not. */
    private static String enroll(HttpClient http, URI enroll, Device d) {
        try {
            String basic = Base64.getEncoder().encodeToString((d.serial() + ":" + d.code())
                    .getBytes(StandardCharsets.UTF_8));
            HttpRequest request = HttpRequest.newBuilder(enroll).timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/pkcs10").header("Authorization", "Basic " + basic)
                    .POST(HttpRequest.BodyPublishers.ofString(Base64.getMimeEncoder().encodeToString(d.csr())))
                    .build();
            HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                return "HTTP " + r.statusCode() + " " + new String(r.body(), StandardCharsets.UTF_8).strip();
            }
            CMSSignedData p7 = new CMSSignedData(Base64.getMimeDecoder().decode(r.body()));
            Collection<X509CertificateHolder> certs = p7.getCertificates().getMatches(null);
            if (certs.size() != 1) {
                return "the PKCS#7 holds " + certs.size() + " certificates, not 1";
            }
            X509CertificateHolder cert = certs.iterator().next();
            RDN[] serial = cert.getSubject().getRDNs(BCStyle.SERIALNUMBER);
            if (serial.length != 1 || !IETFUtils.valueToString(serial[0].getFirst().getValue()).equals(d.serial())) {
                return "the certificate's subject is " + cert.getSubject() + ", not serialNumber=" + d.serial();
            }
            if (!java.util.Arrays.equals(cert.getSubjectPublicKeyInfo().getEncoded(), d.key().getPublic().getEncoded())) {
                return "the certificate is not for the device's key";
            }
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (Exception e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    private static SSLContext trusting(Path pem) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        int i = 0;
        try (InputStream in = Files.newInputStream(pem)) {
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca" + i++, (X509Certificate) c);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        return tls;
    }

    /**
     * 'pki bench register-devices': registers COUNT devices in one JVM, as 'pki device register'
     * does each (same registry call, same audit entry), and writes 'SERIAL CODE' lines (mode 600:
     * the codes are secrets) for 'pki bench est'.
     */
    @Command(name = "register-devices", hidden = true, description = "Register COUNT bench devices and write their "
            + "one-time codes to --out.")
    static final class RegisterDevices implements Callable<Integer> {
        @Option(names = "--count", required = true)
        int count;

        @Option(names = "--prefix", defaultValue = "BENCH-")
        String prefix;

        @Option(names = "--out", required = true)
        Path out;

        @Override
        public Integer call() throws Exception {
            if (count < 1 || count > 1_000_000) {
                throw new IllegalArgumentException("--count must be 1 to 1000000");
            }
            PkiHome home = PkiHome.fromEnvironment();
            Files.deleteIfExists(out);
            Files.createFile(out, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            long start = System.nanoTime();
            try (PkiContext context = PkiContext.open(home, DatabaseRole.CA);
                 BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.US_ASCII)) {
                EnrollmentCodes codes = DeviceCommand.codes(home, true);
                for (int i = 1; i <= count; i++) {
                    String serial = String.format("%s%07d", prefix, i);
                    DeviceCommand.Issued issued = DeviceCommand.register(context, codes, serial, "Bench", null, null,
                            null);
                    w.write(serial + " " + issued.code() + "\n");
                }
            }
            System.out.printf("registered %d devices in %.1f s%n", count, (System.nanoTime() - start) / 1e9);
            return 0;
        }
    }
}
