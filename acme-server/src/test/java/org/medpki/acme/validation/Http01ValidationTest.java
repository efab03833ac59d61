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
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medpki.acme.AcmeConfig;
import org.medpki.acme.AcmeException;
import org.medpki.acme.AddressRange;
import org.medpki.acme.Identifier;
import org.medpki.acme.ProblemType;

/**
 * http-01: what a response means ({@link Http01Response}, pure), and the validator against small
 * servers of this test on loopback, which each test lets the validator reach explicitly.
 */
class Http01ValidationTest {
    private static final Identifier ID = new Identifier("dns", "www.hospital.test");
    private static final String KEY_AUTHORIZATION = "tok.thumbprint";
    private static final String TOKEN = "tok";
    private static final String ACCOUNT = "https://127.0.0.1:8443/acme/account/a1";
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

    // ---- the pure part

    @Test
    void aBodyHoldingTheKeyAuthorizationIsValidAndAnythingElseIsNot() {
        assertThat(judge(200, null, KEY_AUTHORIZATION + "\n", false)).isInstanceOf(Http01Response.Valid.class);
        assertThat(judge(200, null, "other", false)).isInstanceOf(Http01Response.Incorrect.class);
        assertThat(judge(404, null, KEY_AUTHORIZATION, false)).isInstanceOf(Http01Response.Incorrect.class);
        assertThat(judge(200, null, KEY_AUTHORIZATION, true)).as("more than the cap was sent")
                .isInstanceOf(Http01Response.Incorrect.class);
        assertThat(Http01Response.judge(200, null, new byte[] {(byte) 0xff, (byte) 0xfe}, false, KEY_AUTHORIZATION))
                .isInstanceOf(Http01Response.Incorrect.class);
        assertThat(judge(302, " /next ", "", false)).isEqualTo(new Http01Response.Redirect("/next"));
        assertThat(judge(302, null, "", false)).isInstanceOf(Http01Response.Incorrect.class);
    }

    private static Http01Response.Verdict judge(int status, String location, String body, boolean overCap) {
        return Http01Response.judge(status, location, body.getBytes(StandardCharsets.UTF_8), overCap, KEY_AUTHORIZATION);
    }

    @Test
    void redirectsAreFollowedOnlyToHttpOnPort80OrTheValidationPort() {
        URI from = URI.create("http://www.hospital.test:5002/.well-known/acme-challenge/tok");
        assertThat(Http01Response.redirectTarget(from, "/elsewhere", 5002)).contains(
                URI.create("http://www.hospital.test:5002/elsewhere"));
        assertThat(Http01Response.redirectTarget(from, "http://other.hospital.test/x", 5002)).contains(
                URI.create("http://other.hospital.test/x"));
        assertThat(Http01Response.redirectTarget(from, "https://other.hospital.test/x", 5002)).isEmpty();
        assertThat(Http01Response.redirectTarget(from, "http://other.hospital.test:22/x", 5002)).isEmpty();
        assertThat(Http01Response.redirectTarget(from, "http://user@other.hospital.test/x", 5002)).isEmpty();
        assertThat(Http01Response.redirectTarget(from, "http://[not an address/", 5002)).isEmpty();
        assertThat(Http01Response.redirectTarget(from, "file:///etc/passwd", 5002)).isEmpty();
    }

    @Test
    void aRedirectTargetsHostIsANameOrAnAddressWithoutALookUp() {
        assertThat(Http01Validation.hostIdentifier("127.0.0.1")).isEqualTo(new Identifier("ip", "127.0.0.1"));
        assertThat(Http01Validation.hostIdentifier("[::1]")).isEqualTo(new Identifier("ip", "0:0:0:0:0:0:0:1"));
        assertThat(Http01Validation.hostIdentifier("Cafe.BE")).isEqualTo(new Identifier("dns", "cafe.be"));
        assertThat(Http01Validation.hostIdentifier("under_score!")).isNull();
    }

    // ---- against servers

    @Test
    void aServerAnsweringTheKeyAuthorizationPassesAfterARedirect() throws Exception {
        try (RawServer server = new RawServer("127.0.0.1", (s, request) -> {
            write(s, request.startsWith("GET /.well-known/acme-challenge/" + TOKEN)
                    ? "HTTP/1.1 302 Found\r\nLocation: /moved\r\nContent-Length: 0\r\n\r\n"
                    : "HTTP/1.1 200 OK\r\nContent-Length: " + KEY_AUTHORIZATION.length() + "\r\n\r\n" + KEY_AUTHORIZATION);
        })) {
            ChallengeValidator v = validator(server.port(), "127.0.0.1", Duration.ofSeconds(10), true, AcmeConfig.DEFAULT_DENIED);
            v.validate("http-01", ID, false, ACCOUNT, TOKEN, KEY_AUTHORIZATION);
            assertThat(server.requests).allMatch(r -> r.toLowerCase(java.util.Locale.ROOT)
                    .contains("host: www.hospital.test:" + server.port()));
        }
    }

    /**
     * The validation's thread may be descheduled at any point (a loaded host, a busy carrier): here
     * for 300 ms after each call it makes on the HTTP client and its futures, long enough for the
     * target to answer in full meanwhile. The answer must still be read: handlers attached to a
     * response after it ended see nothing, and the validation would wait for its deadline.
     */
    @Test
    void theAnswerIsReadEvenWhenTheValidationsThreadFallsBehindTheTarget() throws Exception {
        try (RawServer server = new RawServer("127.0.0.1", (s, request) -> write(s,
                "HTTP/1.1 200 OK\r\nContent-Length: " + KEY_AUTHORIZATION.length() + "\r\n\r\n" + KEY_AUTHORIZATION))) {
            ChallengeValidator v = validator(slowCaller(vertx, 300), server.port(), "127.0.0.1", Duration.ofSeconds(5),
                    true, AcmeConfig.DEFAULT_DENIED);
            for (int i = 0; i < 3; i++) {
                long started = System.nanoTime();
                v.validate("http-01", ID, false, ACCOUNT, TOKEN, KEY_AUTHORIZATION);
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(4));
            }
        }
    }

    /**
     * {@code vertx}, whose HTTP clients make a caller outside Vert.x's threads wait {@code millis}
     * after each call that returns a future (as if the scheduler had put that thread aside then).
     */
    private static Vertx slowCaller(Vertx vertx, long millis) {
        return slowed(Vertx.class, vertx, millis);
    }

    private static <T> T slowed(Class<T> type, T target, long millis) {
        return type.cast(java.lang.reflect.Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> {
                    Object result;
                    try {
                        result = method.invoke(target, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (result instanceof io.vertx.core.http.HttpClientAgent client) {
                        return slowed(io.vertx.core.http.HttpClientAgent.class, client, millis);
                    }
                    if (result instanceof io.vertx.core.Future<?> future && !io.vertx.core.Context.isOnVertxThread()) {
                        Thread.sleep(millis);
                        return slowed(io.vertx.core.Future.class, future, millis);
                    }
                    return result;
                }));
    }

    @Test
    void aServerTricklingItsAnswerEndsAsAConnectionProblemAtTheDeadline() throws Exception {
        try (RawServer server = new RawServer("127.0.0.1", (s, request) -> {
            write(s, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n");
            for (int i = 0; i < 10_000; i++) {
                write(s, "x");
                sleep(200);
            }
        })) {
            ChallengeValidator v = validator(server.port(), "127.0.0.1", Duration.ofSeconds(1), true, AcmeConfig.DEFAULT_DENIED);
            // generous bound: only guards against a hang; the validation's own deadline is 1 s
            AcmeException problem = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> catchThrowableOfType(
                    AcmeException.class, () -> v.validate("http-01", ID, false, ACCOUNT, TOKEN, KEY_AUTHORIZATION)));
            assertThat(problem.type()).isEqualTo(ProblemType.CONNECTION);
            assertThat(problem.detail()).doesNotContain("127.0.0.1").doesNotContain(Integer.toString(server.port()));
        }
    }

    @Test
    void aRedirectToLoopbackIsRefusedWithoutConnecting() throws Exception {
        // The target runs on 127.0.0.2, which this test lets through; 127.0.0.1 stays denied.
        try (RawServer denied = new RawServer("127.0.0.1", (s, request) -> write(s, "HTTP/1.1 200 OK\r\n\r\n"));
             RawServer server = new RawServer("127.0.0.2", denied.port(), (s, request) -> {
                 write(s, "HTTP/1.1 301 Moved\r\nLocation: http://127.0.0.1:" + denied.port() + "/admin\r\n"
                         + "Content-Length: 0\r\n\r\n");
             })) {
            ChallengeValidator v = validator(server.port(), "127.0.0.2", Duration.ofSeconds(10), false,
                    List.of("127.0.0.1/32", "169.254.0.0/16"));
            AcmeException problem = catchThrowableOfType(AcmeException.class,
                    () -> v.validate("http-01", ID, false, ACCOUNT, TOKEN, KEY_AUTHORIZATION));
            assertThat(problem.type()).isEqualTo(ProblemType.CONNECTION);
            assertThat(problem.detail()).doesNotContain("127.0.0.");
            assertThat(server.connections).hasValue(1);
            assertThat(denied.connections).hasValue(0);
        }
    }

    @Test
    void aRedirectToADeniedRangeIsRefused() throws Exception {
        try (RawServer server = new RawServer("127.0.0.1", (s, request) -> {
            write(s, "HTTP/1.1 302 Found\r\nLocation: http://169.254.169.254/latest/meta-data/\r\n\r\n");
        })) {
            ChallengeValidator v = validator(server.port(), "127.0.0.1", Duration.ofSeconds(10), true, AcmeConfig.DEFAULT_DENIED);
            AcmeException problem = catchThrowableOfType(AcmeException.class,
                    () -> v.validate("http-01", ID, false, ACCOUNT, TOKEN, KEY_AUTHORIZATION));
            assertThat(problem.type()).isEqualTo(ProblemType.CONNECTION);
            assertThat(problem.detail()).doesNotContain("169.254");
        }
    }

    @Test
    void loopbackIsDeniedUnlessAllowedAndThisHostsOwnPortsAlways() throws Exception {
        ChallengeValidator strict = validator(8080, "127.0.0.1", Duration.ofSeconds(10), false, AcmeConfig.DEFAULT_DENIED);
        assertThat(strict.denied(InetAddress.getByName("127.0.0.1"), 8080)).isTrue();
        assertThat(strict.denied(InetAddress.getByName("::1"), 8080)).isTrue();
        ChallengeValidator lab = validator(8080, "127.0.0.1", Duration.ofSeconds(10), true, AcmeConfig.DEFAULT_DENIED);
        assertThat(lab.denied(InetAddress.getByName("127.0.0.1"), 8080)).isFalse();
        assertThat(lab.denied(InetAddress.getByName("169.254.169.254"), 8080)).isTrue();
        assertThat(lab.denied(InetAddress.getByName("127.0.0.1"), 8443)).as("the ACME port of this host").isTrue();
        assertThat(lab.denied(InetAddress.getByName("127.0.0.1"), 8081)).as("the repository port").isTrue();
        assertThat(lab.denied(InetAddress.getByName("64:ff9b::a9fe:a9fe"), 80)).as("NAT64 to 169.254.169.254").isTrue();
        assertThat(lab.denied(InetAddress.getByName("2002:a9fe:a9fe::1"), 80)).as("6to4 from 169.254.169.254").isTrue();
        assertThat(lab.denied(InetAddress.getByName("::ffff:169.254.169.254"), 80)).as("IPv4-mapped").isTrue();
        assertThat(strict.denied(InetAddress.getByName("64:ff9b::7f00:1"), 80)).as("NAT64 to loopback").isTrue();
        assertThat(lab.denied(InetAddress.getByName("64:ff9b::a01:203"), 80)).as("NAT64 to 10.1.2.3").isFalse();
        assertThat(lab.denied(InetAddress.getByName("2001:db8::1"), 80)).isFalse();
    }

    @Test
    void aBodyOverTheCapIsIncorrectAndTheClientLearnsNothingOfTheTarget() throws Exception {
        try (RawServer server = new RawServer("127.0.0.1", (s, request) -> {
            write(s, "HTTP/1.1 200 OK\r\nContent-Length: 40000\r\n\r\n" + "internal secret ".repeat(2500));
        })) {
            ChallengeValidator v = validator(server.port(), "127.0.0.1", Duration.ofSeconds(10), true, AcmeConfig.DEFAULT_DENIED);
            AcmeException problem = catchThrowableOfType(AcmeException.class,
                    () -> v.validate("http-01", ID, false, ACCOUNT, TOKEN, KEY_AUTHORIZATION));
            assertThat(problem.type()).isEqualTo(ProblemType.INCORRECT_RESPONSE);
            assertThat(problem.detail()).isEqualTo("the response did not contain the key authorization");
        }
    }

    @Test
    void nothingListeningIsAGenericConnectionProblem() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        ChallengeValidator v = validator(port, "127.0.0.1", Duration.ofSeconds(10), true, AcmeConfig.DEFAULT_DENIED);
        AcmeException problem = catchThrowableOfType(AcmeException.class,
                () -> v.validate("http-01", ID, false, ACCOUNT, TOKEN, KEY_AUTHORIZATION));
        assertThat(problem.type()).isEqualTo(ProblemType.CONNECTION);
        assertThat(problem.detail()).isEqualTo("could not connect to the validation target");
    }

    private static ChallengeValidator validator(int http01Port, String address, Duration timeout, boolean allowLoopback,
                                                List<String> denied) throws IOException {
        return validator(vertx, http01Port, address, timeout, allowLoopback, denied);
    }

    private static ChallengeValidator validator(Vertx vertx, int http01Port, String address, Duration timeout,
                                                boolean allowLoopback, List<String> denied) throws IOException {
        Path hosts = Files.createTempFile(tmp, "hosts", "");
        Files.writeString(hosts, address + " www.hospital.test\n");
        AcmeConfig d = AcmeConfig.defaults("127.0.0.1", 8443, "127.0.0.1");
        AcmeConfig config = new AcmeConfig(d.listenHost(), d.port(), d.publicHost(), d.profile(), http01Port,
                d.tlsAlpn01Port(), new InetSocketAddress("127.0.0.1", 9), hosts, false,
                denied.stream().map(AddressRange::parse).toList(), List.of("acme.hospital.test"), null, null,
                d.orderLifetime(), d.authorizationLifetime(), d.authorizationReuse(), timeout, d.maxPayloadBytes(),
                d.ordersPerAccountPerHour(), d.ordersPerNamePerHour(), d.maxConcurrentValidations(),
                d.validationsPerAccountPerHour(), allowLoopback, List.of(8081));
        return new ChallengeValidator(config, vertx);
    }

    // ---- a raw TCP server that answers each connection through a function

    private static String readRequest(Socket s) {
        try {
            StringBuilder b = new StringBuilder();
            int c;
            while ((c = s.getInputStream().read()) >= 0) {
                b.append((char) c);
                if (b.toString().endsWith("\r\n\r\n")) {
                    break;
                }
            }
            return b.toString();
        } catch (IOException e) {
            return "";
        }
    }

    private static void write(Socket s, String text) {
        try {
            OutputStream out = s.getOutputStream();
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static final class RawServer implements AutoCloseable {
        final AtomicInteger connections = new AtomicInteger();
        final List<String> requests = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final ServerSocket socket;

        RawServer(String address, BiConsumer<Socket, String> answer) throws IOException {
            this(address, 0, answer);
        }

        RawServer(String address, int port, BiConsumer<Socket, String> answer) throws IOException {
            socket = new ServerSocket();
            socket.bind(new InetSocketAddress(InetAddress.getByName(address), port), 50);
            Thread.ofPlatform().daemon().start(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket c = socket.accept();
                        connections.incrementAndGet();
                        Thread.ofVirtual().start(() -> {
                            try (c) {
                                String request = readRequest(c);
                                requests.add(request);
                                answer.accept(c, request);
                            } catch (RuntimeException | IOException e) {
                                // the client went away
                            }
                        });
                    } catch (IOException e) {
                        // closed
                    }
                }
            });
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

}
