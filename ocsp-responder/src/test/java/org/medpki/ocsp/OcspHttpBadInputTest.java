package org.medpki.ocsp;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medpki.core.inventory.CaRecord;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.inventory.NewCa;
import org.medpki.core.keys.SignatureAlgorithm;
import org.medpki.core.template.CaTemplates;
import org.medpki.core.testpki.HandClock;
import org.medpki.core.testpki.InMemoryInventory;
import org.medpki.core.testpki.SoftwareSigningKeys;
import org.medpki.core.testpki.TestKeys;
import org.medpki.core.testpki.TestPki;

/**
 * The responder's HTTP front (OcspVerticle, OcspHttpHandler) on a real listener, over in-memory
 * fakes of the inventory and the OCSP token: a Content-Length that is not a length is 400, a
 * method other than GET, HEAD or POST is 405 naming those, and the listener still answers after.
 * Requests are written byte for byte on a socket, as a hostile client would send them.
 */
class OcspHttpBadInputTest {
    private static final String SIGNER_LABEL = "server-ca-ocsp";
    private static Vertx vertx;
    private static OcspServer server;

    @BeforeAll
    static void serve() throws Exception {
        TestPki pki = TestPki.create("server-ca", TestKeys.freshEc("secp256r1"), SignatureAlgorithm.ECDSA_SHA256);
        KeyPair signerKey = TestKeys.freshEc("secp256r1");
        X509CertificateHolder signerCert = pki.signByIssuing(new CaTemplates().ocspSigner(pki.issuing(),
                new X500Name("CN=MedPKI Test server-ca OCSP,O=Test Hospital,C=DE"), TestPki.spki(signerKey),
                TestPki.serial(), TestPki.NOW.minus(Duration.ofHours(1)), TestPki.NOW.plus(Duration.ofDays(90))));
        HandClock clock = new HandClock(TestPki.NOW);
        InMemoryInventory inventory = new InMemoryInventory(clock);
        CaRecord root = inventory.saveCa(new NewCa("root", CaRole.ROOT, null, "root", pki.root().getEncoded(),
                pki.root().getNotBefore().toInstant(), pki.root().getNotAfter().toInstant()));
        CaRecord serverCa = inventory.saveCa(new NewCa("server-ca", CaRole.ISSUING, root.id(), "server-ca",
                pki.issuingCert().getEncoded(), pki.issuingCert().getNotBefore().toInstant(),
                pki.issuingCert().getNotAfter().toInstant()));
        inventory.saveCa(new NewCa(SIGNER_LABEL, CaRole.OCSP_SIGNER, serverCa.id(), SIGNER_LABEL,
                signerCert.getEncoded(), signerCert.getNotBefore().toInstant(), signerCert.getNotAfter().toInstant()));
        SoftwareSigningKeys keys = new SoftwareSigningKeys().add(SIGNER_LABEL, signerKey);
        OcspResponder responder = OcspServer.responder(inventory, new InMemoryOcspRepository(inventory, clock), keys,
                OcspConfig.defaults("127.0.0.1", 0), clock);
        vertx = Vertx.vertx();
        server = OcspServer.start(vertx, responder, inventory.notifications());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (vertx != null) {
            vertx.close().await();
        }
    }

    @Test
    void aContentLengthThatIsNotALengthIs400() throws Exception {
        for (String length : List.of("abc", "-5", "99999999999999999999999", "1, 2", "0x10", "")) {
            RawResponse r = raw("POST /ocsp HTTP/1.1\r\nHost: ocsp\r\nContent-Type: application/ocsp-request\r\n"
                    + "Content-Length: " + length + "\r\nConnection: close\r\n\r\n0123456789");
            assertThat(r.status()).as("Content-Length: '" + length + "'").isEqualTo(400);
            assertThat(r.body()).as("Content-Length: '" + length + "'").doesNotContain("Exception")
                    .doesNotContain("\tat ");
        }
        // Within bounds but over the limit, the body never read: 413, as the table says.
        RawResponse large = raw("POST /ocsp HTTP/1.1\r\nHost: ocsp\r\nContent-Type: application/ocsp-request\r\n"
                + "Content-Length: 9000\r\nConnection: close\r\n\r\n");
        assertThat(large.status()).isEqualTo(413);
        assertStillAnswers();
    }

    @Test
    void methodsOtherThanGetHeadAndPostAre405NamingThem() throws Exception {
        for (String method : List.of("PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND", "CONNECT")) {
            for (String path : List.of("/ocsp", "/", "/ocsp/MEIwQDA%2BMDwwOjAJBgUrDgMCGgUABBQ")) {
                String target = method.equals("CONNECT") ? "127.0.0.1:443" : path;
                RawResponse r = raw(method + " " + target + " HTTP/1.1\r\nHost: ocsp\r\nContent-Length: 3\r\n"
                        + "Connection: close\r\n\r\nabc");
                assertThat(r.status()).as(method + " " + target).isEqualTo(405);
                assertThat(r.header("allow")).as(method + " " + target).isEqualTo("GET, HEAD, POST");
                assertThat(r.body()).isEqualTo("method not allowed\n");
            }
        }
        assertStillAnswers();
    }

    /** An empty POST still gets an OCSP malformedRequest: the listener is healthy. */
    private static void assertStillAnswers() throws IOException {
        RawResponse ok = raw("POST /ocsp HTTP/1.1\r\nHost: ocsp\r\nContent-Type: application/ocsp-request\r\n"
                + "Content-Length: 0\r\nConnection: close\r\n\r\n");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.header("content-type")).isEqualTo("application/ocsp-response");
    }

    /** What a raw HTTP/1.1 exchange returned: status, headers (names in lower case) and body. */
    private record RawResponse(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name);
        }
    }

    /** Sends {@code request} as is (ISO-8859-1) and reads the answer until the server closes. */
    private static RawResponse raw(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            String text = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            assertThat(end).as("an HTTP answer to " + request.lines().findFirst().orElse("")).isPositive();
            String[] lines = text.substring(0, end).split("\r\n");
            Map<String, String> headers = new HashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
            return new RawResponse(Integer.parseInt(lines[0].split(" ")[1]), headers, text.substring(end + 4));
        }
    }
}
