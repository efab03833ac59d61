package org.medpki.ocsp;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMParser;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.inventory.CaRecord;
import org.medpki.core.inventory.CaRole;

/**
 * Fuzzes the OCSP request parser: DER in, a {@link ParsedRequest} or an {@link OcspRejection}
 * (malformedRequest or unauthorized) out; any other exception is a finding. The served issuer is
 * fuzz-issuer.pem, the CA the seeds' CertIDs name. Seeds: RequestParserFuzzTestInputs/ocspRequest/.
 */
class RequestParserFuzzTest {
    private static final Issuers ISSUERS = issuers();
    private final RequestParser parser = new RequestParser(10, true);

    @FuzzTest(maxDuration = "5s")
    void ocspRequest(byte[] data) {
        try {
            ParsedRequest p = parser.parse(data, ISSUERS);
            if (p.keys().isEmpty() || p.keys().size() > 10 || p.issuer() == null) {
                throw new AssertionError("a parsed request with " + p.keys().size() + " CertIDs");
            }
        } catch (OcspRejection e) {
            if (e.status() != OcspStatus.MALFORMED_REQUEST && e.status() != OcspStatus.UNAUTHORIZED) {
                throw new AssertionError("rejection with status " + e.status(), e);
            }
        }
    }

    private static Issuers issuers() {
        try (InputStream in = RequestParserFuzzTest.class.getResourceAsStream("fuzz-issuer.pem");
             PEMParser pem = new PEMParser(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
            byte[] der = ((X509CertificateHolder) pem.readObject()).getEncoded();
            CaCertificate ca = CaCertificate.of(new CaRecord(7, "fuzz-ca", CaRole.ISSUING, 1L, "k", der, null, null,
                    Instant.now()));
            CaCertificate signer = CaCertificate.of(new CaRecord(8, "fuzz-ca-ocsp", CaRole.OCSP_SIGNER, 7L, "s", der,
                    null, null, Instant.now()));
            return Issuers.of(List.of(Issuer.of(ca, signer)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
