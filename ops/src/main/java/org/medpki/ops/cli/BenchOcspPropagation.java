package org.medpki.ops.cli;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
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
 * Revocation-to-OCSP propagation: revokes issued certificates one at a time through the
 * RevocationService (the committed transaction sends the NOTIFY) and polls the running responder
 * until it answers 'revoked'; prints p50/p99/max of the time from the commit returning to the
 * first revoked answer.
 */
@Command(name = "ocsp-propagation", description = "Revoke N issued certificates one by one and measure how soon "
        + "the running OCSP responder answers 'revoked' (use a scratch installation).")
public final class BenchOcspPropagation implements Callable<Integer> {
    @Option(names = "--count", defaultValue = "100")
    int count;

    @Option(names = "--url", description = "Responder URL (default: urls.ocsp of the installation).")
    String url;

    @Override
    public Integer call() throws Exception {
        try (PkiContext context = PkiContext.open(PkiHome.fromEnvironment())) {
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
            long[] latencies = new long[issued.size()];
            long slowest = 0;
            int n = 0;
            for (CertificateRecord r : issued) {
                CaCertificate issuer = hierarchy.byId(r.caId()).orElseThrow();
                byte[] request = new OCSPReqBuilder().addRequest(new CertificateID(sha1, issuer.certificate(),
                        r.serial())).build().getEncoded();
                revocation.revoke(issuer.name(), r.serial(), RevocationReason.SUPERSEDED, "bench", null);
                long committed = System.nanoTime();
                while (!revoked(http, target, request)) {
                    if (System.nanoTime() - committed > Duration.ofSeconds(30).toNanos()) {
                        throw new IllegalStateException("serial " + r.serialHex() + " still not revoked after 30 s");
                    }
                    Thread.onSpinWait();
                }
                latencies[n++] = System.nanoTime() - committed;
                slowest = Math.max(slowest, latencies[n - 1]);
            }
            long[] sorted = Arrays.copyOf(latencies, n);
            Arrays.sort(sorted);
            System.out.printf("ocsp propagation: %d revocations; commit to 'revoked' p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    n, sorted[n / 2] / 1e6, sorted[Math.min(n - 1, (int) Math.ceil(n * 0.99) - 1)] / 1e6, slowest / 1e6);
        }
        return 0;
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
