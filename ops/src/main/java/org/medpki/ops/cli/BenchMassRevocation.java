package org.medpki.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.StringReader;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.DigestCalculator;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.inventory.CertificateRecord;
import org.medpki.ops.install.PkiContext;
import org.medpki.ops.install.PkiHome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A mass revocation through the admin API as the people involved see it: an administrator gives
 * the approval that completes a pending request (this command sends it, with the approver's
 * certificate), and from that moment it measures how long until the admin API reports the request
 * done (every certificate revoked), until the running OCSP responder answers "revoked" for a sample
 * of the certificates (the last {@code --last} of the request's order, the ones revoked last, and a
 * random {@code --sample} of the others), and until the complete CRL at the certificates' CRL
 * distribution point lists every one of them. To load the services under test lightly, the
 * sample is asked once a second while the request runs and every 50 ms once it is done, and the
 * complete CRL (megabytes to parse) is fetched only once the request is done, as it cannot list
 * the last revocation before. Then it asks the responder about every certificate
 * once (not timed against the approval) to show that all of them answer "revoked". It reports
 * figures and never judges them: what is not seen {@code --wait-after-done} after the request is
 * done is reported as such (with how far it got); it fails only when the request is not done
 * within {@code --timeout}.
 */
@Command(name = "mass-revocation", description = "Approve a pending admin revocation request and measure the time "
        + "to the request done, to OCSP answering 'revoked' and to a complete CRL listing every certificate (use a "
        + "scratch installation; ops/bench-admin-revocation prepares one).")
public final class BenchMassRevocation implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long REQUEST_POLL_MS = 200;
    /** Between rounds over the OCSP sample while the request runs (light load), and once it is done. */
    private static final long OCSP_ROUND_RUNNING_MS = 1000;
    private static final long OCSP_ROUND_MS = 50;
    private static final long CRL_POLL_MS = 250;
    private static final int SWEEP_THREADS = 8;

    @Option(names = "--admin-url", required = true, description = "The admin API, e.g. https://127.0.0.1:8445")
    String adminUrl;

    @Option(names = "--request", required = true, description = "The id of the request waiting for this approval.")
    String request;

    @Option(names = "--cert", required = true, description = "The approver's certificate chain (PEM).")
    Path cert;

    @Option(names = "--key", required = true, description = "The approver's private key (PEM, unencrypted).")
    Path key;

    @Option(names = "--cacert", required = true, description = "The root that the admin API's certificate chains to.")
    Path cacert;

    @Option(names = "--serials", required = true, description = "The request's certificates, one hex serial a line, "
            + "in the request's order.")
    Path serialsFile;

    @Option(names = "--last", defaultValue = "100", description = "How many of the request's last certificates the "
            + "OCSP sample holds.")
    int last;

    @Option(names = "--sample", defaultValue = "400", description = "How many others, chosen at random, it holds.")
    int sample;

    @Option(names = "--ocsp-url", description = "Responder URL (default: urls.ocsp of the installation).")
    String ocspUrl;

    @Option(names = "--timeout", defaultValue = "PT3H", description = "Give up when the request is not done after "
            + "this long (ISO-8601).")
    Duration timeout;

    @Option(names = "--wait-after-done", defaultValue = "PT15M", description = "How long after the request is done "
            + "to wait for OCSP and the complete CRL before reporting them not seen (ISO-8601).")
    Duration waitAfterDone;

    /** When the request was seen done (System.nanoTime()), or 0 while it runs. */
    private volatile long doneAt;

    @Override
    public Integer call() throws Exception {
        List<BigInteger> serials = new ArrayList<>();
        for (String line : Files.readAllLines(serialsFile)) {
            if (!line.isBlank()) {
                serials.add(new BigInteger(line.trim(), 16));
            }
        }
        if (serials.isEmpty()) {
            throw new IllegalArgumentException("no serials in " + serialsFile);
        }
        try (PkiContext context = PkiContext.open(PkiHome.fromEnvironment());
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            String ocsp = ocspUrl != null ? ocspUrl : context.config().urls().ocsp();
            CertificateRecord first = context.inventory().certificatesWithSerial(serials.getFirst()).getFirst();
            CaCertificate issuer = context.hierarchy().byId(first.caId()).orElseThrow();
            X509Certificate leaf = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(first.der()));
            String crlUrl = BenchRevocationPropagation.firstUri(leaf, Extension.cRLDistributionPoints);
            DigestCalculator sha1 = new JcaDigestCalculatorProviderBuilder().build()
                    .get(new AlgorithmIdentifier(OIWObjectIdentifiers.idSHA1, DERNull.INSTANCE));
            List<BigInteger> sampled = sample(serials);
            Map<BigInteger, byte[]> requests = new LinkedHashMap<>();
            for (BigInteger s : sampled) {
                requests.put(s, ocspRequest(sha1, issuer, s));
            }
            HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpClient admin = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(tls()).build();
            String requestUrl = adminUrl.replaceAll("/+$", "") + "/api/v1/requests/" + request;
            System.out.printf("mass revocation: %d certificates of %s; OCSP sample %d (the last %d of the request's "
                    + "order, %d at random); complete CRL %s%n", serials.size(), issuer.name(), sampled.size(),
                    Math.min(last, serials.size()), sampled.size() - Math.min(last, serials.size()), crlUrl);

            Instant approvedAt = Instant.now();
            long t0 = System.nanoTime();
            HttpResponse<String> approval = admin.send(HttpRequest.newBuilder(URI.create(requestUrl + "/approve"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            long approvalNanos = System.nanoTime() - t0;
            if (approval.statusCode() != 200) {
                throw new IllegalStateException("the approval was refused: " + approval.statusCode() + " "
                        + approval.body());
            }
            System.out.printf("approved at %s (round trip %.0f ms): %s%n", approvedAt, approvalNanos / 1e6,
                    JSON.readTree(approval.body()).path("state").asText());
            CountDownLatch finished = new CountDownLatch(1);
            Future<Long> done = pool.submit(() -> {
                try {
                    return requestDone(admin, requestUrl, t0);
                } finally {
                    finished.countDown();
                }
            });
            Future<Long> ocspSeen = pool.submit(() -> ocspSample(plain, ocsp, requests, t0, finished));
            Future<Long> crlSeen = crlUrl == null ? null : pool.submit(() -> {
                finished.await();
                return crlListsAll(plain, crlUrl, serials, t0);
            });
            double doneS = done.get() / 1e9;
            long ocspNanos = ocspSeen.get();
            long crlNanos = crlSeen == null ? -1 : crlSeen.get();

            System.out.printf("from the approval (%s) to%n", approvedAt);
            System.out.printf("  the admin API reporting the request done   %9.1f s  (%.0f revocations/s)%n", doneS,
                    serials.size() / doneS);
            System.out.printf("  OCSP 'revoked' for all %d sampled          %s%n", sampled.size(), seconds(ocspNanos));
            if (crlSeen == null) {
                System.out.println("  the complete CRL: not measured (no CRL distribution point in the certificates)");
            } else {
                System.out.printf("  a complete CRL at the CDP listing all %d %s%n", serials.size(), seconds(crlNanos));
            }
            long sweepStart = System.nanoTime();
            Map<String, Integer> answers = sweep(pool, plain, ocsp, sha1, issuer, serials);
            double sweepS = (System.nanoTime() - sweepStart) / 1e9;
            System.out.printf("then every certificate asked once at the responder: %s of %d (%.1f s, %d threads)%n",
                    answers, serials.size(), sweepS, SWEEP_THREADS);
        }
        return 0;
    }

    private String seconds(long nanos) {
        return nanos < 0 ? "not seen (waited " + waitAfterDone + " after the request was done)"
                : String.format("%9.1f s", nanos / 1e9);
    }

    /** The last {@code last} serials of the request's order, and {@code sample} of the others at random. */
    private List<BigInteger> sample(List<BigInteger> serials) {
        int tail = Math.min(last, serials.size());
        List<BigInteger> out = new ArrayList<>(serials.subList(serials.size() - tail, serials.size()));
        List<BigInteger> others = new ArrayList<>(serials.subList(0, serials.size() - tail));
        Collections.shuffle(others, new SecureRandom());
        out.addAll(others.subList(0, Math.min(sample, others.size())));
        return out;
    }

    private long requestDone(HttpClient admin, String url, long t0) throws Exception {
        long lastReport = t0;
        while (true) {
            HttpResponse<String> r;
            try {
                r = admin.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException e) {
                // The admin service restarting: ask again.
                System.out.printf("  %6.0f s: the admin API did not answer (%s)%n", (System.nanoTime() - t0) / 1e9, e);
                Thread.sleep(REQUEST_POLL_MS);
                continue;
            }
            long now = System.nanoTime();
            if (r.statusCode() == 200) {
                JsonNode view = JSON.readTree(r.body());
                if (view.path("state").asText().equals("done")) {
                    doneAt = now;
                    return now - t0;
                }
                if (now - lastReport > Duration.ofSeconds(30).toNanos()) {
                    System.out.printf("  %6.0f s: %s, %d of %d revoked%n", (now - t0) / 1e9, view.path("state").asText(),
                            view.path("done").asLong(), view.path("count").asLong());
                    lastReport = now;
                }
            }
            if (now - t0 > timeout.toNanos()) {
                throw new IllegalStateException("the request is not done within " + timeout + ": " + r.body());
            }
            Thread.sleep(REQUEST_POLL_MS);
        }
    }

    /** Rounds over the sample's certificates not yet seen revoked, until none is left. */
    private long ocspSample(HttpClient http, String url, Map<BigInteger, byte[]> requests, long t0,
                            CountDownLatch finished) throws Exception {
        Set<BigInteger> pending = new HashSet<>(requests.keySet());
        while (true) {
            for (BigInteger s : List.copyOf(pending)) {
                if (revoked(http, url, requests.get(s))) {
                    pending.remove(s);
                }
            }
            if (pending.isEmpty()) {
                return System.nanoTime() - t0;
            }
            if (tooLate()) {
                System.out.printf("  OCSP: %d of the sample still not 'revoked' %s after the request was done%n",
                        pending.size(), waitAfterDone);
                return -1;
            }
            Thread.sleep(finished.getCount() == 0 ? OCSP_ROUND_MS : OCSP_ROUND_RUNNING_MS);
        }
    }

    /** Fetches the complete CRL (conditional GET) until it lists every serial. */
    private long crlListsAll(HttpClient http, String url, List<BigInteger> serials, long t0) throws Exception {
        Set<BigInteger> wanted = new HashSet<>(serials);
        CertificateFactory x509 = CertificateFactory.getInstance("X.509");
        String etag = null;
        int fetched = 0;
        int lastListed = 0;
        String lastCrl = "none fetched";
        while (true) {
            HttpRequest.Builder get = HttpRequest.newBuilder(URI.create(url));
            if (etag != null) {
                get.header("If-None-Match", etag);
            }
            HttpResponse<InputStream> r = http.send(get.build(), HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() == 200) {
                etag = r.headers().firstValue("ETag").orElse(null);
                byte[] der;
                try (InputStream in = r.body()) {
                    der = in.readAllBytes();
                }
                long seen = System.nanoTime();
                X509CRL crl = (X509CRL) x509.generateCRL(new ByteArrayInputStream(der));
                fetched++;
                Set<? extends X509CRLEntry> entries = crl.getRevokedCertificates();
                int listed = 0;
                if (entries != null) {
                    for (X509CRLEntry e : entries) {
                        if (wanted.contains(e.getSerialNumber())) {
                            listed++;
                        }
                    }
                }
                lastListed = listed;
                lastCrl = "thisUpdate " + crl.getThisUpdate().toInstant() + ", " + (entries == null ? 0 : entries.size())
                        + " entries";
                if (listed == wanted.size()) {
                    System.out.printf("  the complete CRL listing all: %d entries, %.1f MiB, thisUpdate %s (%d new "
                            + "CRLs fetched)%n", entries.size(), der.length / 1048576.0, crl.getThisUpdate().toInstant(),
                            fetched);
                    return seen - t0;
                }
            } else {
                r.body().close();
            }
            if (tooLate()) {
                System.out.printf("  the complete CRL: none listing all within %s after the request was done; the "
                        + "last fetched listed %d of %d (%s)%n", waitAfterDone, lastListed, wanted.size(), lastCrl);
                return -1;
            }
            Thread.sleep(CRL_POLL_MS);
        }
    }

    /**
     * Asks the responder about every certificate once, a few at a time; the answers counted by
     * outcome ("revoked", "good", "unknown", "HTTP 503", "error: ...").
     */
    private static Map<String, Integer> sweep(ExecutorService pool, HttpClient http, String url, DigestCalculator sha1,
                                              CaCertificate issuer, List<BigInteger> serials) throws Exception {
        AtomicInteger next = new AtomicInteger();
        Map<String, Integer> outcomes = new java.util.concurrent.ConcurrentSkipListMap<>();
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < SWEEP_THREADS; t++) {
            workers.add(pool.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < serials.size()) {
                    String outcome;
                    try {
                        outcome = status(http, url, ocspRequest(sha1, issuer, serials.get(i)));
                    } catch (Exception e) {  // counted, never the end of the sweep
                        outcome = "error: " + e.getClass().getSimpleName();
                    }
                    outcomes.merge(outcome, 1, Integer::sum);
                }
                return null;
            }));
        }
        for (Future<?> w : workers) {
            w.get();
        }
        return outcomes;
    }

    /** Whether the request is done and {@code --wait-after-done} has passed since. */
    private boolean tooLate() {
        long done = doneAt;
        return done != 0 && System.nanoTime() - done > waitAfterDone.toNanos();
    }

    private static byte[] ocspRequest(DigestCalculator sha1, CaCertificate issuer, BigInteger serial) throws Exception {
        return new OCSPReqBuilder().addRequest(new CertificateID(sha1, issuer.certificate(), serial)).build()
                .getEncoded();
    }

    private static boolean revoked(HttpClient http, String url, byte[] request) throws Exception {
        return status(http, url, request).equals("revoked");
    }

    /** The responder's answer: "revoked", "good", "unknown", "OCSP status N" or "HTTP N". */
    private static String status(HttpClient http, String url, byte[] request) throws Exception {
        HttpResponse<byte[]> resp = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/ocsp-request")
                .POST(HttpRequest.BodyPublishers.ofByteArray(request)).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (resp.statusCode() != 200) {
            return "HTTP " + resp.statusCode();
        }
        OCSPResp ocsp = new OCSPResp(resp.body());
        if (ocsp.getStatus() != 0) {
            return "OCSP status " + ocsp.getStatus();
        }
        Object status = ((BasicOCSPResp) ocsp.getResponseObject()).getResponses()[0].getCertStatus();
        return status == null ? "good" : status instanceof RevokedStatus ? "revoked" : "unknown";
    }

    /** TLS with the approver's certificate and key, trusting only the PKI's root. */
    private SSLContext tls() throws Exception {
        CertificateFactory x509 = CertificateFactory.getInstance("X.509");
        List<Certificate> chain;
        try (InputStream in = Files.newInputStream(cert)) {
            chain = new ArrayList<>(x509.generateCertificates(in));
        }
        PrivateKey privateKey;
        try (PEMParser p = new PEMParser(new StringReader(Files.readString(key)))) {
            Object o = p.readObject();
            if (o instanceof org.bouncycastle.openssl.PEMKeyPair pair) {
                o = pair.getPrivateKeyInfo();
            }
            if (!(o instanceof PrivateKeyInfo info)) {
                throw new IllegalArgumentException(key + " holds no unencrypted private key");
            }
            privateKey = new JcaPEMKeyConverter().getPrivateKey(info);
        }
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("approver", privateKey, new char[0], chain.toArray(Certificate[]::new));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(cacert)) {
            trust.setCertificateEntry("root", x509.generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return tls;
    }
}
