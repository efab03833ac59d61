package org.medpki.device.scep;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medpki.device.InMemoryDeviceEnrollment;

/** The SCEP listener with the real client: micromdm's scepclient (Debian package scep). */
class ScepClientTest {
    static Vertx vertx;
    static KeyPair raKey;
    static X509Certificate ra;

    InMemoryDeviceEnrollment enrollment;
    ScepServer server;
    int port;
    @TempDir
    Path dir;

    @BeforeAll
    static void ra() throws Exception {
        vertx = Vertx.vertx();
        raKey = ScepTestClient.rsa();
        ra = ScepServerTest.raCertificate(raKey, "SCEP RA");
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    @BeforeEach
    void register() {
        enrollment = new InMemoryDeviceEnrollment();
        enrollment.register("DEV-1", "code-one");
        enrollment.register("DEV-2", "code-two");
    }

    @AfterEach
    void close() {
        if (server != null) {
            server.close().await();
        }
    }

    /** scepclient signs with SHA-1 and encrypts with DES whatever GetCACaps offers. */
    private void start(boolean legacy) {
        server = new ScepServer(vertx, enrollment,
                ScepConfig.of("127.0.0.1", 0, ra, raKey.getPrivate(), null).withLegacyAlgorithms(legacy));
        port = server.start().await();
    }

    private record Run(int exit, String output) {
    }

    /**
     * One scepclient run with the key and certificate in {@code device}: a PKCSReq when there is no
     * certificate yet, a RenewalReq signed with it otherwise. The RA certificate is named by its
     * fingerprint: without it the client encrypts to every certificate of GetCACert, the EC CA ones too.
     */
    private Run scepclient(Path device, String... extra) throws Exception {
        Files.createDirectories(device);
        List<String> cmd = new ArrayList<>(List.of("scepclient", "-server-url", "http://127.0.0.1:" + port + "/scep",
                "-private-key", device.resolve("key.pem").toString(),
                "-certificate", device.resolve("cert.pem").toString(),
                "-ca-fingerprint", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(ra.getEncoded())),
                "-cn", "requested-name"));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    private static X509Certificate read(Path pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(pem)));
    }

    private static void writePem(Path file, X509Certificate cert) throws Exception {
        Files.writeString(file, "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n");
    }

    private Run openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    @Test
    void enrollsWithTheCodeAndRenewsWithTheCertificate() throws Exception {
        start(true);
        Path device = dir.resolve("dev1");
        Run first = scepclient(device, "-challenge", "code-one");
        assertThat(first.exit()).as(first.output()).isZero();
        X509Certificate cert = read(device.resolve("cert.pem"));
        // The identity is the registry's, not what the client asked for.
        assertThat(InMemoryDeviceEnrollment.serialNumberOf(cert.getSubjectX500Principal())).isEqualTo("DEV-1");
        assertThat(cert.getSubjectX500Principal().getName()).doesNotContain("requested-name");
        writePem(dir.resolve("root.pem"), enrollment.root());
        writePem(dir.resolve("issuing.pem"), enrollment.issuingCa());
        Run verify = openssl("verify", "-CAfile", dir.resolve("root.pem").toString(), "-untrusted",
                dir.resolve("issuing.pem").toString(), device.resolve("cert.pem").toString());
        assertThat(verify.exit()).as(verify.output()).isZero();
        assertThat(verify.output()).contains(": OK");

        // The certificate is there now: scepclient sends a RenewalReq signed with it.
        Run renewal = scepclient(device);
        assertThat(renewal.exit()).as(renewal.output()).isZero();
        X509Certificate renewed = read(device.resolve("cert.pem"));
        assertThat(renewed.getSerialNumber()).isNotEqualTo(cert.getSerialNumber());
        assertThat(InMemoryDeviceEnrollment.serialNumberOf(renewed.getSubjectX500Principal())).isEqualTo("DEV-1");
        assertThat(enrollment.device("DEV-1").certificates()).containsExactly(cert, renewed);
        assertThat(enrollment.isRevoked(cert.getSerialNumber())).isTrue(); // superseded by the fake at once
        assertThat(enrollment.failures).isEmpty();
    }

    @Test
    void wrongChallengeIsRefusedAndNothingIssued() throws Exception {
        start(true);
        Path device = dir.resolve("dev");
        Run run = scepclient(device, "-challenge", "code-wrong");
        assertThat(run.exit()).isNotZero();
        assertThat(run.output()).contains("badRequest");
        assertThat(device.resolve("cert.pem")).doesNotExist();
        assertThat(enrollment.failures).hasSize(1);
        assertThat(enrollment.device("DEV-1").certificates()).isEmpty();
        assertThat(enrollment.device("DEV-2").certificates()).isEmpty();
    }

    @Test
    void aCodeEnrollsOnce() throws Exception {
        start(true);
        assertThat(scepclient(dir.resolve("a"), "-challenge", "code-two").exit()).isZero();
        Run second = scepclient(dir.resolve("b"), "-challenge", "code-two");
        assertThat(second.exit()).isNotZero();
        assertThat(second.output()).contains("badRequest");
        assertThat(dir.resolve("b").resolve("cert.pem")).doesNotExist();
        assertThat(enrollment.device("DEV-2").certificates()).hasSize(1);
    }

    @Test
    void desAndSha1AreRefusedUnlessAllowed() throws Exception {
        start(false);
        Path device = dir.resolve("dev");
        Run run = scepclient(device, "-challenge", "code-one");
        assertThat(run.exit()).isNotZero();
        assertThat(run.output()).contains("badAlg");
        assertThat(device.resolve("cert.pem")).doesNotExist();
        assertThat(enrollment.device("DEV-1").certificates()).isEmpty();
        // The code was not spent on the refused request.
        assertThat(enrollment.macSecret("DEV-1")).isPresent();
    }
}
