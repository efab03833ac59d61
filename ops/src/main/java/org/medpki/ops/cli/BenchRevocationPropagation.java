package org.medpki.ops.cli;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.operator.DigestCalculator;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.inventory.CertificateQuery;
import org.medpki.core.inventory.CertificateRecord;
import org.medpki.core.inventory.CertificateStatus;
import org.medpki.core.revocation.RevocationReason;
import org.medpki.ops.install.PkiContext;
import org.medpki.ops.install.PkiHome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Revocation propagation, as a relying party sees it: revokes issued certificates one at a time
 * through the RevocationService (the committed transaction sends the NOTIFY) and, from the commit
 * returning, polls in parallel the running responder until it answers 'revoked', the delta CRL
 * the certificate's Freshest CRL names until it lists the serial, and the complete CRL at its CRL
 * distribution point until it lists the serial; prints p50/p99/max of each. The next revocation
 * starts once all three have seen the previous one, so each figure is that of a lone revocation.
 */
@Command(name = "revocation-propagation", aliases = "ocsp-propagation",
        description = "Revoke N issued certificates one by one and measure how soon the running OCSP responder "
                + "answers 'revoked', the delta CRL lists it and the complete CRL at its CDP lists it (use a "
                + "scratch installation).")
public final class BenchRevocationPropagation implements Callable<Integer> {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final long CRL_POLL_MS = 5;

    @Option(names = "--count", defaultValue = "100")
    int count;

    @Option(names = "--url", description = "Responder URL (default: urls.ocsp of the installation).")
    String url;

    @Option(names = "--ocsp-only", description = "Measure OCSP only, not the CRLs.")
    boolean ocspOnly;

    @Option(names = "--crl-base", description = "Fetch the CRLs from this base URL (e.g. http://127.0.0.1:8080/crl) "
            + "instead of the one in the certificates' CDP.")
    String crlBase;

    @Override
    public Integer call() throws Exception {
        try (PkiContext context = PkiContext.open(PkiHome.fromEnvironment());
             ExecutorService pollers = Executors.newVirtualThreadPerTaskExecutor()) {
            String target = url != null ? url : context.config().urls().ocsp();
            var revocation = context.revocation();
            var hierarchy = context.hierarchy();
            List<CertificateRecord> issued = context.inventory().list(new CertificateQuery(null,
                    CertificateStatus.ISSUED, null, count));
            if (issued.isEmpty()) {
                throw new IllegalArgumentException("no issued certificates to revoke: issue some first");
            }
            DigestCalculator sha1 = new JcaDigestCalculatorProviderBuilder().build()
                    .get(new AlgorithmIdentifier(OIWObjectIdentifiers.idSHA1, DERNull.INSTANCE));
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            CertificateFactory x509 = CertificateFactory.getInstance("X.509");
            long[] ocsp = new long[issued.size()];
            long[] delta = new long[issued.size()];
            long[] full = new long[issued.size()];
            int n = 0;
            int deltas = 0;
            for (CertificateRecord r : issued) {
                CaCertificate issuer = hierarchy.byId(r.caId()).orElseThrow();
                byte[] request = new OCSPReqBuilder().addRequest(new CertificateID(sha1, issuer.certificate(),
                        r.serial())).build().getEncoded();
                X509Certificate cert = (X509Certificate) x509.generateCertificate(new ByteArrayInputStream(r.der()));
                String cdp = ocspOnly ? null : firstUri(cert, Extension.cRLDistributionPoints);
                String freshest = ocspOnly ? null : firstUri(cert, Extension.freshestCRL);
                revocation.revoke(issuer.name(), r.serial(), RevocationReason.SUPERSEDED, "bench", null);
                long committed = System.nanoTime();
                Future<Long> toOcsp = pollers.submit(() -> until(committed, r, () -> revoked(http, target, request)));
                Future<Long> toDelta = freshest == null ? null : pollers.submit(() -> until(committed, r,
                        new CrlPoll(http, x509, crlUrl(freshest), r.serial())::lists));
                Future<Long> toFull = cdp == null ? null : pollers.submit(() -> until(committed, r,
                        new CrlPoll(http, x509, crlUrl(cdp), r.serial())::lists));
                ocsp[n] = toOcsp.get();
                if (toDelta != null) {
                    delta[deltas++] = toDelta.get();
                }
                if (toFull != null) {
                    full[n] = toFull.get();
                }
                n++;
            }
            System.out.printf("revocation propagation: %d revocations, one at a time; from the commit to%n", n);
            print("OCSP 'revoked'", ocsp, n);
            if (!ocspOnly) {
                print("delta CRL listing it", delta, deltas);
                print("complete CRL at its CDP listing it", full, n);
            }
        }
        return 0;
    }

    /** Polls until {@code check} holds; the nanoseconds from {@code committed}. */
    private static long until(long committed, CertificateRecord r, Check check) throws Exception {
        while (!check.holds()) {
            if (System.nanoTime() - committed > TIMEOUT.toNanos()) {
                throw new IllegalStateException("serial " + r.serialHex() + " not seen within " + TIMEOUT.toSeconds()
                        + " s");
            }
            Thread.onSpinWait();
        }
        return System.nanoTime() - committed;
    }

    @FunctionalInterface
    private interface Check {
        boolean holds() throws Exception;
    }

    private static void print(String what, long[] latencies, int n) {
        if (n == 0) {
            System.out.printf("  %-36s not measured (no such CRL named in the certificates)%n", what);
            return;
        }
        long[] sorted = Arrays.copyOf(latencies, n);
        Arrays.sort(sorted);
        System.out.printf("  %-36s p50 %8.1f ms, p99 %8.1f ms, max %8.1f ms%n", what, sorted[n / 2] / 1e6,
                sorted[Math.min(n - 1, (int) Math.ceil(n * 0.99) - 1)] / 1e6, sorted[n - 1] / 1e6);
    }

    /** A CRL URL as the certificate names it, or under {@code --crl-base} with the same file name. */
    private String crlUrl(String named) {
        return crlBase == null ? named : crlBase.replaceAll("/+$", "") + named.substring(named.lastIndexOf('/'));
    }

    static String firstUri(X509Certificate cert, org.bouncycastle.asn1.ASN1ObjectIdentifier oid) {
        byte[] ext = cert.getExtensionValue(oid.getId());
        if (ext == null) {
            return null;
        }
        CRLDistPoint points = CRLDistPoint.getInstance(ASN1OctetString.getInstance(ext).getOctets());
        List<String> uris = new ArrayList<>();
        for (DistributionPoint p : points.getDistributionPoints()) {
            DistributionPointName name = p.getDistributionPoint();
            if (name != null && name.getType() == DistributionPointName.FULL_NAME) {
                for (GeneralName g : GeneralNames.getInstance(name.getName()).getNames()) {
                    if (g.getTagNo() == GeneralName.uniformResourceIdentifier) {
                        uris.add(g.getName().toString());
                    }
                }
            }
        }
        return uris.stream().filter(u -> u.startsWith("http")).findFirst().orElse(null);
    }

    /** Fetches a CRL every few milliseconds (conditional GET: unchanged is a 304) and looks for the serial. */
    private static final class CrlPoll {
        private final HttpClient http;
        private final CertificateFactory x509;
        private final String url;
        private final BigInteger serial;
        private String etag;

        CrlPoll(HttpClient http, CertificateFactory x509, String url, BigInteger serial) {
            this.http = http;
            this.x509 = x509;
            this.url = url;
            this.serial = serial;
        }

        boolean lists() throws Exception {
            HttpRequest.Builder get = HttpRequest.newBuilder(URI.create(url));
            if (etag != null) {
                get.header("If-None-Match", etag);
            }
            HttpResponse<byte[]> resp = http.send(get.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (resp.statusCode() == 200) {
                etag = resp.headers().firstValue("ETag").orElse(null);
                X509CRL crl = (X509CRL) x509.generateCRL(new ByteArrayInputStream(resp.body()));
                if (crl.getRevokedCertificate(serial) != null) {
                    return true;
                }
            }
            Thread.sleep(CRL_POLL_MS);
            return false;
        }
    }

    private static boolean revoked(HttpClient http, String url, byte[] request) throws Exception {
        HttpResponse<byte[]> resp = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/ocsp-request")
                .POST(HttpRequest.BodyPublishers.ofByteArray(request)).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (resp.statusCode() != 200) {
            return false;
        }
        OCSPResp ocsp = new OCSPResp(resp.body());
        if (ocsp.getStatus() != 0) {
            return false;
        }
        return ((BasicOCSPResp) ocsp.getResponseObject()).getResponses()[0].getCertStatus() instanceof RevokedStatus;
    }
}
