package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.operator.DigestCalculator;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The OCSP responder of a running 'pki up', through independent clients: openssl ocsp (POST, and
 * GET responses checked with -respin), nginx stapling with openssl s_client -status, revocation
 * by the 'pki revoke' command seen by the running responder, a fuzzer, export and signer rotation.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OcspResponderTest {
    private Path tmp;
    private PkiProcess pki;
    private Process up;
    private String ocspUrl;
    private Path root;
    private Path serverCa;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Issued> issued = new ArrayList<>();
    private int repositoryPort;

    record Issued(String serial, Path leaf, Path key, Path chain) {
    }

    @BeforeAll
    void startPki() throws Exception {
        tmp = Files.createTempDirectory("medpki-ocsp-test");
        pki = new PkiProcess(tmp.resolve("home"), TestEnvironment.newDatabase());
        int port = freePortPair();
        repositoryPort = port;
        PkiProcess.Started started = pki.start(Map.of("PKI_OCSP_REFRESH_INTERVAL", "PT2S",
                "PKI_OCSP_REQUEST_HEAD_TIMEOUT", "PT2S", "PKI_CRL_REQUEST_HEAD_TIMEOUT", "PT2S"), "up", "--http-port",
                Integer.toString(port), "--token-label", "ocsp", "--domain", "hospital.test");
        up = started.process();
        long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
        while (!Files.readString(started.out()).contains("medpki is up")) {
            assertThat(up.isAlive()).as("up keeps running: " + Files.readString(started.err())).isTrue();
            assertThat(System.nanoTime()).as("up within 150 s").isLessThan(deadline);
            Thread.sleep(200);
        }
        ocspUrl = "http://127.0.0.1:" + (port + 1) + "/ocsp";
        assertThat(Files.readString(started.out())).contains("ocsp").contains(ocspUrl);
        root = pki.home().resolve("pki/root-ca.pem");
        serverCa = pki.home().resolve("pki/server-ca.pem");
        for (int i = 0; i < 3; i++) {
            Path csr = Csrs.openssl(tmp, "leaf" + i, "ec:P-256", "/CN=ocsp" + i + ".hospital.test",
                    "DNS:ocsp" + i + ".hospital.test");
            Path chain = tmp.resolve("leaf" + i + "-chain.pem");
            PkiProcess.Result r = pki.run("issue", "--profile", "tls-server", "--csr", csr.toString(), "--out",
                    chain.toString());
            assertThat(r.exit()).as(r.toString()).isZero();
            X509Certificate leaf = readChain(chain).getFirst();
            Path leafPem = tmp.resolve("leaf" + i + ".pem");
            Files.writeString(leafPem, pem(leaf.getEncoded()));
            issued.add(new Issued(leaf.getSerialNumber().toString(16), leafPem, tmp.resolve("leaf" + i + ".key"), chain));
        }
    }

    @AfterAll
    void stop() throws Exception {
        if (up != null) {
            up.destroy();
            assertThat(up.waitFor(60, TimeUnit.SECONDS)).as("up stops on SIGTERM").isTrue();
        }
    }

    @Test
    @Order(0)
    void clientsThatSendHalfARequestLineAndStallAreClosedByOcspAndTheRepository() throws Exception {
        // OCSP and the repository each with requestHeadTimeout PT2S (set above, PKI_OCSP_/PKI_CRL_...).
        for (int port : new int[] {repositoryPort + 1, repositoryPort}) {
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
                socket.getOutputStream().write("GET /ocsp/MEIwQD".getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                socket.setSoTimeout(45_000);
                boolean closed;
                try {
                    closed = socket.getInputStream().read() == -1;
                } catch (java.net.SocketTimeoutException e) {
                    closed = false;
                } catch (java.io.IOException e) {
                    closed = true;
                }
                assertThat(closed).as("port %d closes a stalled request", port).isTrue();
            }
        }
        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(ocspUrl.replace("/ocsp", "/metrics")))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body()).containsPattern("ocsp_connections_timed_out_total [1-9]");
        HttpResponse<String> repository = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + repositoryPort + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(repository.body()).containsPattern("crl_connections_timed_out_total [1-9]");
    }

    @Test
    @Order(1)
    void opensslGetsGoodByPostAndVerifiesTheDelegatedSignature() throws Exception {
        PkiProcess.Result r = openssl("ocsp", "-issuer", serverCa.toString(), "-cert", issued.get(0).leaf().toString(),
                "-url", ocspUrl, "-CAfile", root.toString(), "-no_nonce");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err() + r.out()).contains("Response verify OK");
        assertThat(r.out()).contains(": good").contains("Next Update:");

        // With a nonce (honoured by default): signed on demand, the nonce echoed (openssl checks it).
        PkiProcess.Result nonce = openssl("ocsp", "-issuer", serverCa.toString(), "-cert",
                issued.get(0).leaf().toString(), "-url", ocspUrl, "-CAfile", root.toString(), "-resp_text");
        assertThat(nonce.exit()).as(nonce.toString()).isZero();
        assertThat(nonce.out()).contains("OCSP Nonce").contains("Cert Status: good");
        assertThat(nonce.err() + nonce.out()).doesNotContain("WARNING");

        // SHA-256 CertIDs are answered too.
        PkiProcess.Result sha256 = openssl("ocsp", "-issuer", serverCa.toString(), "-sha256", "-cert",
                issued.get(0).leaf().toString(), "-url", ocspUrl, "-CAfile", root.toString(), "-no_nonce", "-resp_text");
        assertThat(sha256.exit()).as(sha256.toString()).isZero();
        assertThat(sha256.out()).contains("Hash Algorithm: sha256").contains("Cert Status: good");
    }

    @Test
    @Order(2)
    void getWithBase64InThePathHasRfc5019CachingHeadersAndConditionalGet() throws Exception {
        Path req = tmp.resolve("get.req");
        PkiProcess.Result made = openssl("ocsp", "-issuer", serverCa.toString(), "-cert", issued.get(1).leaf().toString(),
                "-no_nonce", "-reqout", req.toString());
        assertThat(made.exit()).as(made.toString()).isZero();
        String path = URLEncoder.encode(Base64.getEncoder().encodeToString(Files.readAllBytes(req)), StandardCharsets.UTF_8);
        HttpResponse<byte[]> get = http.send(HttpRequest.newBuilder(URI.create(ocspUrl + "/" + path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.headers().firstValue("Content-Type")).hasValue("application/ocsp-response");
        String cacheControl = get.headers().firstValue("Cache-Control").orElseThrow();
        assertThat(cacheControl).matches("max-age=\\d+, public, no-transform, must-revalidate");
        long maxAge = Long.parseLong(cacheControl.substring(8, cacheControl.indexOf(',')));
        assertThat(get.headers().firstValue("Last-Modified")).isPresent();
        assertThat(get.headers().firstValue("Expires")).isPresent();
        String etag = get.headers().firstValue("ETag").orElseThrow();

        Path resp = tmp.resolve("get.resp");
        Files.write(resp, get.body());
        PkiProcess.Result check = openssl("ocsp", "-respin", resp.toString(), "-issuer", serverCa.toString(), "-cert",
                issued.get(1).leaf().toString(), "-CAfile", root.toString(), "-no_nonce");
        assertThat(check.exit()).as(check.toString()).isZero();
        assertThat(check.err() + check.out()).contains("Response verify OK");
        assertThat(check.out()).contains(": good");
        BasicOCSPResp basic = (BasicOCSPResp) new OCSPResp(get.body()).getResponseObject();
        long untilNext = (basic.getResponses()[0].getNextUpdate().getTime() - System.currentTimeMillis()) / 1000;
        assertThat(maxAge).as("max-age no later than nextUpdate").isLessThanOrEqualTo(untilNext + 1);

        HttpResponse<byte[]> again = http.send(HttpRequest.newBuilder(URI.create(ocspUrl + "/" + path))
                .header("If-None-Match", etag).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
    }

    @Test
    @Order(3)
    void unknownSerialIsUnknownAndAnIssuerNotServedIsUnauthorized() throws Exception {
        PkiProcess.Result unknown = openssl("ocsp", "-issuer", serverCa.toString(), "-serial", "0x1234567890abcdef",
                "-url", ocspUrl, "-CAfile", root.toString(), "-no_nonce");
        assertThat(unknown.exit()).as(unknown.toString()).isZero();
        assertThat(unknown.err() + unknown.out()).contains("Response verify OK");
        assertThat(unknown.out()).contains(": unknown");

        PkiProcess.Result unauthorized = openssl("ocsp", "-issuer", root.toString(), "-serial", "0x1234",
                "-url", ocspUrl, "-CAfile", root.toString(), "-no_nonce");
        assertThat(unauthorized.err() + unauthorized.out()).contains("unauthorized (6)");
    }

    @Test
    @Order(4)
    void revokingWithTheCliFlipsTheRunningResponderWithinASecond() throws Exception {
        Issued victim = issued.get(2);
        byte[] request = request(victim, null);
        assertThat(status(post(request))).isEqualTo("good");
        PkiProcess.Result revoke = pki.run("revoke", victim.serial(), "--reason", "keyCompromise");
        assertThat(revoke.exit()).as(revoke.toString()).isZero();
        long committed = System.nanoTime();
        String status = status(post(request));
        while (!status.equals("revoked") && System.nanoTime() - committed < Duration.ofSeconds(30).toNanos()) {
            Thread.sleep(5);
            status = status(post(request));
        }
        long latencyMs = (System.nanoTime() - committed) / 1_000_000;
        System.out.println("OCSP revocation propagation (from 'pki revoke' exiting): " + latencyMs + " ms");
        assertThat(status).isEqualTo("revoked");

        PkiProcess.Result r = openssl("ocsp", "-issuer", serverCa.toString(), "-cert", victim.leaf().toString(),
                "-url", ocspUrl, "-CAfile", root.toString(), "-no_nonce");
        assertThat(r.err() + r.out()).contains("Response verify OK");
        assertThat(r.out()).contains(": revoked").contains("Reason: keyCompromise").contains("Revocation Time:");

        // Several CertIDs in one request: each answered.
        PkiProcess.Result two = openssl("ocsp", "-issuer", serverCa.toString(), "-cert", victim.leaf().toString(),
                "-cert", issued.get(0).leaf().toString(), "-url", ocspUrl, "-CAfile", root.toString(), "-no_nonce");
        assertThat(two.out()).contains(": revoked").contains(": good");
    }

    @Test
    @Order(5)
    void nginxStaplesOurResponse() throws Exception {
        Issued site = issued.get(0);
        Path dir = Files.createDirectories(tmp.resolve("nginx"));
        Files.createDirectories(dir.resolve("logs"));
        int port = freePortPair();
        Path trusted = dir.resolve("trusted.pem");
        Files.writeString(trusted, Files.readString(serverCa) + Files.readString(root));
        Files.writeString(dir.resolve("nginx.conf"), """
                user root;
                worker_processes 1;
                daemon off;
                pid %1$s/nginx.pid;
                error_log %1$s/logs/error.log info;
                events { worker_connections 64; }
                http {
                    access_log off;
                    client_body_temp_path %1$s/body; proxy_temp_path %1$s/proxy; fastcgi_temp_path %1$s/fcgi;
                    uwsgi_temp_path %1$s/uwsgi; scgi_temp_path %1$s/scgi;
                    server {
                        listen 127.0.0.1:%2$d ssl;
                        ssl_certificate %3$s;
                        ssl_certificate_key %4$s;
                        ssl_stapling on;
                        ssl_stapling_verify on;
                        ssl_trusted_certificate %5$s;
                        location / { return 200 "ok\\n"; }
                    }
                }
                """.formatted(dir, port, site.chain(), site.key(), trusted));
        Process nginx = new ProcessBuilder("nginx", "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString(),
                "-e", dir.resolve("logs/error.log").toString())
                .redirectOutput(dir.resolve("stdout").toFile()).redirectError(dir.resolve("stderr").toFile()).start();
        try {
            String out = "";
            for (int attempt = 0; attempt < 20; attempt++) {
                Thread.sleep(500);
                assertThat(nginx.isAlive()).as("nginx runs: " + Files.readString(dir.resolve("stderr"))).isTrue();
                PkiProcess.Result s = openssl("s_client", "-connect", "127.0.0.1:" + port, "-servername",
                        "ocsp0.hospital.test", "-status");
                out = s.out();
                if (out.contains("OCSP Response Status: successful")) {
                    break;
                }
            }
            assertThat(out).as(Files.readString(dir.resolve("logs/error.log")))
                    .contains("OCSP Response Status: successful").contains("Cert Status: good");
        } finally {
            nginx.destroy();
            nginx.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    @Order(6)
    void fuzzedRequestsGetOcspErrorsOrClean4xxAndTheServiceStaysHealthy() throws Exception {
        byte[] good = request(issued.get(0), null);
        Random random = new Random(20261126);
        DigestCalculator md5ish = new JcaDigestCalculatorProviderBuilder().build()
                .get(new AlgorithmIdentifier(OIWObjectIdentifiers.idSHA1, DERNull.INSTANCE));
        int answered = 0;
        for (int i = 0; i < 3000; i++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(ocspUrl)).timeout(Duration.ofSeconds(10));
            byte[] body = good.clone();
            String contentType = "application/ocsp-request";
            String getPath = null;
            switch (i % 10) {
                case 0, 1, 2 -> {
                    for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                        body[random.nextInt(body.length)] ^= (byte) (1 << random.nextInt(8));
                    }
                }
                case 3 -> body = java.util.Arrays.copyOf(body, random.nextInt(body.length));
                case 4 -> {
                    body = new byte[20_000 + random.nextInt(50_000)];
                    random.nextBytes(body);
                }
                case 5 -> contentType = random.nextBoolean() ? "text/plain" : "application/json";
                case 6 -> getPath = List.of("!!!", "%zz", "abc%", "====", "a b", "%00%01", "AAAA",
                        Base64.getEncoder().encodeToString(body).substring(3)).get(random.nextInt(8));
                case 7 -> body = withHash(new ASN1ObjectIdentifier("1.2.840.113549.2.5"), random);
                case 8 -> body = manyCertIds(11 + random.nextInt(40), md5ish);
                default -> {
                    body = new byte[1 + random.nextInt(200)];
                    random.nextBytes(body);
                }
            }
            int code;
            byte[] respBody;
            if (getPath != null) {
                // Raw bytes on a socket: java.net.URI refuses the broken escapes this is about.
                byte[][] raw = rawGet("/ocsp/" + getPath);
                code = Integer.parseInt(new String(raw[0], StandardCharsets.US_ASCII).split(" ")[1]);
                respBody = raw[1];
            } else {
                HttpRequest request = b.header("Content-Type", contentType)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
                try {
                    HttpResponse<byte[]> resp = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                    code = resp.statusCode();
                    respBody = resp.body();
                } catch (java.io.IOException e) {
                    // The server closed a connection it would not read further (oversized body): allowed.
                    assertThat(i % 10).as("only oversized bodies may end in a closed connection: " + e).isEqualTo(4);
                    continue;
                }
            }
            answered++;
            assertThat(code).as("request %d", i).isLessThan(500);
            if (code == 200) {
                OCSPResp ocsp = new OCSPResp(respBody);
                assertThat(ocsp.getStatus()).as("request %d", i).isIn(0, 1, 2, 3, 6);
            } else {
                assertThat(code).as("request %d", i).isBetween(400, 499);
                assertThat(new String(respBody, StandardCharsets.UTF_8)).doesNotContain("Exception").doesNotContain("\tat ");
            }
        }
        assertThat(answered).isGreaterThan(2500);
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(ocspUrl.replace("/ocsp", "/health")))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"UP\"");
        assertThat(status(post(good))).isEqualTo("good");
        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(ocspUrl.replace("/ocsp", "/metrics")))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body()).contains("ocsp_requests_total{method=\"POST\",outcome=\"malformed\"}")
                .contains("ocsp_signing_seconds_count").contains("ocsp_cache_hits_total");
    }

    @Test
    @Order(7)
    void exportWritesStaplingFilesNamedBySerial() throws Exception {
        Path out = tmp.resolve("stapling");
        PkiProcess.Result r = pki.run("ocsp", "export", "--out", out.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        Path file = out.resolve(issued.get(1).serial() + ".ocsp");
        assertThat(file).exists();
        PkiProcess.Result check = openssl("ocsp", "-respin", file.toString(), "-issuer", serverCa.toString(), "-cert",
                issued.get(1).leaf().toString(), "-CAfile", root.toString(), "-no_nonce");
        assertThat(check.err() + check.out()).contains("Response verify OK");
        assertThat(check.out()).contains(": good");
        assertThat(out.resolve(issued.get(2).serial() + ".ocsp")).exists();
    }

    @Test
    @Order(8)
    void rotatedSignerIsPickedUpByTheRunningResponder() throws Exception {
        byte[] request = request(issued.get(0), null);
        X509CertificateHolder before = signerOf(post(request));
        PkiProcess.Result r = pki.run("ocsp", "rotate", "--force");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("rotated the OCSP signer of server-ca").contains("rotated the OCSP signer of identity-ca");
        // The new keys are in the OCSP token (the CA token holds no OCSP signer's key).
        java.util.regex.Matcher label = java.util.regex.Pattern.compile("key (server-ca-ocsp\\.\\S+) in the OCSP token")
                .matcher(r.out());
        assertThat(label.find()).as(r.out()).isTrue();
        String ocspPin = Files.readString(pki.home().resolve("ocsp-token.pin")).strip();
        Map<String, String> env = Map.of("SOFTHSM2_CONF", pki.env().get("SOFTHSM2_CONF"));
        PkiProcess.Result keys = PkiProcess.privateKeyObjects(env, "ocsp-ocsp", ocspPin);
        assertThat(keys.exit()).as(keys.toString()).isZero();
        assertThat(keys.out()).contains(label.group(1));
        PkiProcess.Result caKeys = PkiProcess.privateKeyObjects(env, "ocsp", TestEnvironment.pin());
        assertThat(caKeys.exit()).as(caKeys.toString()).isZero();
        assertThat(caKeys.out()).doesNotContain("-ocsp.");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        X509CertificateHolder after = signerOf(post(request));
        while (after.getSerialNumber().equals(before.getSerialNumber()) && System.nanoTime() < deadline) {
            Thread.sleep(250);
            after = signerOf(post(request));
        }
        assertThat(after.getSerialNumber()).isNotEqualTo(before.getSerialNumber());
        Path resp = tmp.resolve("rotated.resp");
        Files.write(resp, post(request));
        PkiProcess.Result check = openssl("ocsp", "-respin", resp.toString(), "-issuer", serverCa.toString(), "-cert",
                issued.get(0).leaf().toString(), "-CAfile", root.toString(), "-no_nonce");
        assertThat(check.err() + check.out()).contains("Response verify OK");
        PkiProcess.Result audit = pki.run("audit", "verify");
        assertThat(audit.exit()).as(audit.toString()).isZero();
    }

    // ---- helpers ----

    private byte[] request(Issued cert, byte[] nonce) throws Exception {
        DigestCalculator sha1 = new JcaDigestCalculatorProviderBuilder().build()
                .get(new AlgorithmIdentifier(OIWObjectIdentifiers.idSHA1, DERNull.INSTANCE));
        X509CertificateHolder issuer = new X509CertificateHolder(readChain(serverCa).getFirst().getEncoded());
        OCSPReqBuilder b = new OCSPReqBuilder().addRequest(new CertificateID(sha1, issuer,
                new java.math.BigInteger(cert.serial(), 16)));
        if (nonce != null) {
            b.setRequestExtensions(new Extensions(new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false,
                    new DEROctetString(new DEROctetString(nonce)))));
        }
        return b.build().getEncoded();
    }

    /** GET over a plain socket: {status line, body}; a 10 s read timeout turns a hang into a failure. */
    private byte[][] rawGet(String path) throws Exception {
        URI base = URI.create(ocspUrl);
        try (java.net.Socket socket = new java.net.Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + base.getHost()
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            byte[] all = socket.getInputStream().readAllBytes();
            String text = new String(all, StandardCharsets.ISO_8859_1);
            int headerEnd = text.indexOf("\r\n\r\n");
            assertThat(headerEnd).as("a complete HTTP response to GET " + path).isPositive();
            return new byte[][] {text.substring(0, text.indexOf("\r\n")).getBytes(StandardCharsets.ISO_8859_1),
                    java.util.Arrays.copyOfRange(all, headerEnd + 4, all.length)};
        }
    }

    private byte[] withHash(ASN1ObjectIdentifier hash, Random random) throws Exception {
        byte[] nameHash = new byte[16];
        random.nextBytes(nameHash);
        var certId = new org.bouncycastle.asn1.ocsp.CertID(new AlgorithmIdentifier(hash, DERNull.INSTANCE),
                new DEROctetString(nameHash), new DEROctetString(nameHash), new org.bouncycastle.asn1.ASN1Integer(42));
        return new OCSPReqBuilder().addRequest(new CertificateID(certId)).build().getEncoded();
    }

    private byte[] manyCertIds(int n, DigestCalculator sha1) throws Exception {
        X509CertificateHolder issuer = new X509CertificateHolder(readChain(serverCa).getFirst().getEncoded());
        OCSPReqBuilder b = new OCSPReqBuilder();
        for (int i = 1; i <= n; i++) {
            b.addRequest(new CertificateID(sha1, issuer, java.math.BigInteger.valueOf(i)));
        }
        return b.build().getEncoded();
    }

    private byte[] post(byte[] request) throws Exception {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(ocspUrl))
                .header("Content-Type", "application/ocsp-request")
                .POST(HttpRequest.BodyPublishers.ofByteArray(request)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    private static String status(byte[] response) throws Exception {
        OCSPResp ocsp = new OCSPResp(response);
        assertThat(ocsp.getStatus()).isZero();
        Object s = ((BasicOCSPResp) ocsp.getResponseObject()).getResponses()[0].getCertStatus();
        return s == null ? "good" : s instanceof RevokedStatus ? "revoked" : "unknown";
    }

    private static X509CertificateHolder signerOf(byte[] response) throws Exception {
        return ((BasicOCSPResp) new OCSPResp(response).getResponseObject()).getCerts()[0];
    }

    private static PkiProcess.Result openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        if (args[0].equals("s_client")) {
            // s_client waits for stdin: give it an empty one through a shell-free redirect.
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            p.waitFor(30, TimeUnit.SECONDS);
            return new PkiProcess.Result(p.exitValue(), new String(out, StandardCharsets.UTF_8),
                    new String(err, StandardCharsets.UTF_8));
        }
        return PkiProcess.tool(Map.of(), cmd.toArray(String[]::new));
    }

    private static List<X509Certificate> readChain(Path pem) throws Exception {
        CertificateFactory f = CertificateFactory.getInstance("X.509");
        return f.generateCertificates(new ByteArrayInputStream(Files.readAllBytes(pem))).stream()
                .map(c -> (X509Certificate) c).toList();
    }

    private static String pem(byte[] der) {
        return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END CERTIFICATE-----\n";
    }

    /** A port p with p+1 also free: 'pki init' puts OCSP on the repository port + 1. */
    private static int freePortPair() throws Exception {
        for (int attempt = 0; attempt < 50; attempt++) {
            int p;
            try (ServerSocket s = new ServerSocket(0)) {
                p = s.getLocalPort();
            }
            if (p >= 65535) {
                continue;
            }
            try (ServerSocket s = new ServerSocket(p + 1)) {
                return p;
            } catch (java.io.IOException e) {
                // taken: try another
            }
        }
        throw new IllegalStateException("no free port pair");
    }
}
