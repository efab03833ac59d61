package org.medpki.acme.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medpki.acme.AcmeConfig;
import org.medpki.acme.AcmeException;
import org.medpki.acme.AddressRange;
import org.medpki.acme.Identifier;
import org.medpki.acme.ProblemType;

/** tls-alpn-01 against a server that never finishes its handshake: the deadline ends it. */
class TlsAlpn01ValidationTest {
    @TempDir
    static Path tmp;
    private static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    @Test
    void aServerTricklingItsHandshakeEndsAsAConnectionProblemAtTheDeadline() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getByName("127.0.0.1"))) {
            Thread.ofPlatform().daemon().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket c = server.accept();
                        Thread.ofVirtual().start(() -> trickle(c));
                    } catch (IOException e) {
                        // closed
                    }
                }
            });
            ChallengeValidator v = validator(server.getLocalPort());
            // generous bound: only guards against a hang; the validation's own deadline is 1 s
            AcmeException problem = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> catchThrowableOfType(
                    AcmeException.class, () -> v.validate("tls-alpn-01", new Identifier("dns", "tls.hospital.test"),
                            false, "https://127.0.0.1:8443/acme/account/a1", "tok", "tok.thumbprint")));
            assertThat(problem.type()).isIn(ProblemType.CONNECTION, ProblemType.TLS);
            assertThat(problem.detail()).doesNotContain("127.0.0.1");
        }
    }

    /** The first bytes of a TLS record header, then one byte now and then, never a whole record. */
    private static void trickle(Socket c) {
        try (c) {
            OutputStream out = c.getOutputStream();
            out.write(new byte[] {0x16, 0x03, 0x03, 0x40, 0x00});
            for (int i = 0; i < 10_000; i++) {
                out.write(0x02);
                out.flush();
                Thread.sleep(200);
            }
        } catch (IOException | InterruptedException e) {
            // the validator went away
        }
    }

    private static ChallengeValidator validator(int tlsPort) throws IOException {
        Path hosts = Files.createTempFile(tmp, "hosts", "");
        Files.writeString(hosts, "127.0.0.1 tls.hospital.test\n");
        AcmeConfig d = AcmeConfig.defaults("127.0.0.1", 8443, "127.0.0.1");
        AcmeConfig config = new AcmeConfig(d.listenHost(), d.port(), d.publicHost(), d.profile(), d.http01Port(),
                tlsPort, new InetSocketAddress("127.0.0.1", 9), hosts, false,
                AcmeConfig.DEFAULT_DENIED.stream().map(AddressRange::parse).toList(), List.of("acme.hospital.test"),
                null, null, d.orderLifetime(), d.authorizationLifetime(), d.authorizationReuse(), Duration.ofSeconds(1),
                d.maxPayloadBytes(), d.ordersPerAccountPerHour(), d.ordersPerNamePerHour(),
                d.maxConcurrentValidations(), d.validationsPerAccountPerHour(), true, List.of());
        return new ChallengeValidator(config, vertx);
    }
}
