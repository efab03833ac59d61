package org.medpki.listener;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Raw sockets against a guarded listener: stalled and trickled requests are closed, excess connections too. */
class ConnectionGuardTest {
    private static final ListenerLimits LIMITS = new ListenerLimits(Duration.ofSeconds(30), Duration.ofSeconds(1),
            Duration.ofSeconds(1), 3);
    private Vertx vertx;
    private HttpServer server;
    private ConnectionGuard guard;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        guard = new ConnectionGuard(LIMITS);
        HttpServer s = vertx.createHttpServer(guard.apply(new HttpServerOptions()));
        server = guard.install(vertx, s, req -> req.body().onSuccess(b -> req.response().end("ok " + b.length())))
                .listen(0, "127.0.0.1").await();
    }

    @AfterEach
    void stop() {
        vertx.close().await();
    }

    @Test
    void halfARequestLineThenSilenceIsClosed() throws Exception {
        try (Socket s = connect()) {
            s.getOutputStream().write("GET /ocsp/MEIwQDA".getBytes(StandardCharsets.US_ASCII));
            assertThat(closedWithin(s, Duration.ofSeconds(10))).isTrue();
        }
        assertThat(guard.timedOut()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void headersTrickledByteByByteAreClosed() throws Exception {
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            s.setSoTimeout(300);
            boolean closed = false;
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!closed && System.nanoTime() < until) {
                try {
                    out.write('X');
                    out.flush();
                    closed = s.getInputStream().read() == -1;
                } catch (SocketTimeoutException e) {
                    // still open: trickle on
                } catch (IOException e) {
                    closed = true;
                }
            }
            assertThat(closed).isTrue();
        }
    }

    @Test
    void aBodyThatStopsHalfWayIsClosed() throws Exception {
        try (Socket s = connect()) {
            s.getOutputStream().write(("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789")
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(closedWithin(s, Duration.ofSeconds(10))).isTrue();
        }
    }

    @Test
    void aWholeRequestIsAnsweredAndConnectionsBeyondTheCapAreClosedAtOnce() throws Exception {
        try (Socket a = connect(); Socket b = connect(); Socket c = connect()) {
            a.getOutputStream().write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi"
                    .getBytes(StandardCharsets.US_ASCII));
            a.setSoTimeout(5000);
            byte[] buf = new byte[200];
            int n = a.getInputStream().read(buf);
            assertThat(new String(buf, 0, n, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200").endsWith("ok 2");
            try (Socket d = connect()) {
                assertThat(closedWithin(d, Duration.ofSeconds(5))).isTrue();
            }
            assertThat(guard.refused()).isEqualTo(1);
        }
    }

    @Test
    void deadlinesPendingAreBoundedByWhatIsInFlightNotByRequestsServed() throws Exception {
        // Deadlines far beyond the test: before, every POST left its body timer pending this long.
        ConnectionGuard longGuard = new ConnectionGuard(new ListenerLimits(Duration.ofHours(1), Duration.ofHours(1),
                Duration.ofHours(1), 10));
        HttpServer longServer = longGuard.install(vertx, vertx.createHttpServer(longGuard.apply(new HttpServerOptions())),
                req -> req.body().onSuccess(b -> req.response().end("ok " + b.length()))).listen(0, "127.0.0.1").await();
        int requests = 200;
        try (Socket s = new Socket("127.0.0.1", longServer.actualPort())) {
            byte[] post = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi".getBytes(StandardCharsets.US_ASCII);
            OutputStream out = s.getOutputStream();
            for (int i = 0; i < requests; i++) {
                out.write(post);
            }
            out.flush();
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            StringBuilder answers = new StringBuilder();
            byte[] buf = new byte[8192];
            while (answers.toString().split("ok 2", -1).length - 1 < requests) {
                int n = in.read(buf);
                assertThat(n).as("connection closed before %d answers", requests).isPositive();
                answers.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
            }
            // Every body has arrived: only the connection's own watch is pending.
            assertThat(longGuard.armedDeadlines()).isEqualTo(1);
        }
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (longGuard.open() > 0 && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertThat(longGuard.open()).isZero();
        assertThat(longGuard.armedDeadlines()).isZero();
    }

    private Socket connect() throws IOException {
        return new Socket("127.0.0.1", server.actualPort());
    }

    /** Whether the server closed the connection (end of stream or reset) within {@code limit}. */
    static boolean closedWithin(Socket s, Duration limit) throws IOException {
        s.setSoTimeout((int) limit.toMillis());
        InputStream in = s.getInputStream();
        try {
            while (true) {
                if (in.read() == -1) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
