package org.medpki.acme.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/** The DNS client (dnsjava with our limits) against {@link LoopbackDnsServer}. */
class DnsClientTest {
    /**
     * For look-ups the server answers at once: generous, since the first one in a JVM (dnsjava's
     * I/O threads starting, classes instrumented by the fuzzing agent) can take seconds on a busy
     * machine. Tests of a silent or wrong server give their own short timeouts.
     */
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String NAME = "_acme-challenge.fhir.hospital.test";
    /** 40 dns-01-sized values: about 2 KiB of answer, far over 512 bytes and over 1232. */
    private static final List<String> MANY = IntStream.range(0, 40)
            .mapToObj(i -> String.format("value-%02d-%s", i, "x".repeat(34))).toList();

    private static byte[] truncated(byte[] query) {
        return LoopbackDnsServer.txtAnswer(query, LoopbackDnsServer.id(query), 0x0200, List.of());
    }

    private static byte[] full(byte[] query) {
        return LoopbackDnsServer.txtAnswer(query, LoopbackDnsServer.id(query), 0, MANY);
    }

    @Test
    void readsTxtAnswersAndTakesNxdomainAsNone() throws Exception {
        try (LoopbackDnsServer server = new LoopbackDnsServer(q -> LoopbackDnsServer.txtAnswer(q,
                LoopbackDnsServer.id(q), 0, List.of("abc", "def")), q -> null)) {
            assertThat(new DnsClient(server.address()).txt(NAME, TIMEOUT)).containsExactly("abc", "def");
        }
        try (LoopbackDnsServer server = new LoopbackDnsServer(q -> LoopbackDnsServer.txtAnswer(q,
                LoopbackDnsServer.id(q), 3, List.of()), q -> null)) {
            assertThat(new DnsClient(server.address()).txt(NAME, TIMEOUT)).isEmpty();
        }
    }

    @Test
    void refusesAServerFailure() throws Exception {
        try (LoopbackDnsServer server = new LoopbackDnsServer(q -> LoopbackDnsServer.txtAnswer(q,
                LoopbackDnsServer.id(q), 2, List.of()), q -> null)) {
            assertThatThrownBy(() -> new DnsClient(server.address()).txt(NAME, TIMEOUT))
                    .isInstanceOf(DnsClient.DnsFailure.class).hasMessageContaining("rcode 2");
        }
    }

    @Test
    void readsATruncatedUdpAnswerInFullOverTcp() throws Exception {
        try (LoopbackDnsServer server = new LoopbackDnsServer(DnsClientTest::truncated, DnsClientTest::full)) {
            List<String> values = new DnsClient(server.address()).txt(NAME, TIMEOUT);

            assertThat(values).isEqualTo(MANY);
            assertThat(full(server.tcpQueries.getFirst()).length).isGreaterThan(1232);
            assertThat(server.udpQueries).hasSize(1);
            assertThat(server.tcpQueries).hasSize(1);
            assertThat(LoopbackDnsServer.id(server.tcpQueries.getFirst()))
                    .isEqualTo(LoopbackDnsServer.id(server.udpQueries.getFirst()));
        }
    }

    @Test
    void asksWithEdnsAndReadsAnAnswerCarryingAnOptRecord() throws Exception {
        try (LoopbackDnsServer server = new LoopbackDnsServer(q -> withOpt(LoopbackDnsServer.txtAnswer(q,
                LoopbackDnsServer.id(q), 0, List.of("abc", "def"))), q -> null)) {
            assertThat(new DnsClient(server.address()).txt(NAME, TIMEOUT)).containsExactly("abc", "def");

            ByteBuffer q = ByteBuffer.wrap(server.udpQueries.getFirst());
            assertThat(q.getShort(10)).as("ARCOUNT").isEqualTo((short) 1);
            int opt = LoopbackDnsServer.questionEnd(server.udpQueries.getFirst());
            assertThat(q.get(opt)).as("OPT owner is the root").isZero();
            assertThat(q.getShort(opt + 1) & 0xffff).as("OPT type").isEqualTo(41);
            assertThat(q.getShort(opt + 3) & 0xffff).as("UDP payload size").isEqualTo(1232);
            assertThat(server.tcpQueries).isEmpty();
        }
    }

    /** The answer with the server's own OPT record in its additional section. */
    private static byte[] withOpt(byte[] answer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(answer);
        out.writeBytes(new byte[] {0, 0, 41, 4, (byte) 0xd0, 0, 0, 0, 0, 0, 0});
        byte[] b = out.toByteArray();
        b[11] = 1;
        return b;
    }

    @Test
    void asksAgainWithoutEdnsWhenTheServerAnswersFormerr() throws Exception {
        try (LoopbackDnsServer server = new LoopbackDnsServer(q -> q[11] == 1
                ? LoopbackDnsServer.txtAnswer(q, LoopbackDnsServer.id(q), 1, List.of())
                : LoopbackDnsServer.txtAnswer(q, LoopbackDnsServer.id(q), 0, List.of("plain")), q -> null)) {
            assertThat(new DnsClient(server.address()).txt(NAME, TIMEOUT)).containsExactly("plain");
            assertThat(server.udpQueries).hasSize(2);
        }
    }

    @Test
    void refusesATcpAnswerWithAWrongId() throws Exception {
        try (LoopbackDnsServer server = new LoopbackDnsServer(DnsClientTest::truncated,
                q -> LoopbackDnsServer.txtAnswer(q, LoopbackDnsServer.id(q) ^ 0x5a5a, 0, MANY))) {
            assertThatThrownBy(() -> new DnsClient(server.address()).txt(NAME, Duration.ofSeconds(2)))
                    .isInstanceOf(DnsClient.DnsFailure.class);
        }
    }

    @Test
    void refusesAnAnswerToAnotherQuestion() throws Exception {
        try (LoopbackDnsServer server = new LoopbackDnsServer(DnsClientTest::truncated, q -> {
            byte[] other = otherQuestion(LoopbackDnsServer.id(q));
            return LoopbackDnsServer.txtAnswer(other, LoopbackDnsServer.id(q), 0, MANY);
        })) {
            assertThatThrownBy(() -> new DnsClient(server.address()).txt(NAME, Duration.ofSeconds(2)))
                    .isInstanceOf(DnsClient.DnsFailure.class);
        }
    }

    private static byte[] otherQuestion(int id) {
        try {
            Message m = Message.newQuery(Record.newRecord(Name.fromString("_acme-challenge.other.test."), Type.TXT,
                    DClass.IN));
            m.getHeader().setID(id);
            return m.toWire();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void refusesAnAnswerOverTheSizeCap() throws Exception {
        // 80 strings of 250 bytes: about 20 KiB, over the 16 KiB cap (TCP carries up to 64 KiB)
        List<String> huge = IntStream.range(0, 80).mapToObj(i -> String.format("%03d", i) + "y".repeat(247)).toList();
        try (LoopbackDnsServer server = new LoopbackDnsServer(DnsClientTest::truncated,
                q -> LoopbackDnsServer.txtAnswer(q, LoopbackDnsServer.id(q), 0, huge))) {
            assertThatThrownBy(() -> new DnsClient(server.address()).txt(NAME, TIMEOUT))
                    .isInstanceOf(DnsClient.DnsFailure.class)
                    .hasMessageContaining("larger than " + DnsClient.MAX_RESPONSE_BYTES + " bytes");
        }
    }

    @Test
    void aSilentTcpServerEndsInATimeoutNamingIt() throws Exception {
        try (LoopbackDnsServer server = new LoopbackDnsServer(DnsClientTest::truncated, q -> null)) {
            DnsClient client = new DnsClient(server.address());
            // generous bound: only guards against a hang, the client's own time is 0.5 s
            Throwable failure = assertTimeoutPreemptively(Duration.ofSeconds(60),
                    () -> catchThrowable(() -> client.txt(NAME, Duration.ofMillis(500))));
            assertThat(failure).isInstanceOf(DnsClient.DnsFailure.class).hasMessageContaining(NAME);
        }
    }

    @Test
    void doesNotTakeAUdpDatagramWithAWrongIdAsTheAnswer() throws Exception {
        try (LoopbackDnsServer server = new LoopbackDnsServer(
                q -> LoopbackDnsServer.txtAnswer(q, LoopbackDnsServer.id(q) ^ 1, 0, List.of("spoofed")), q -> null)) {
            assertThatThrownBy(() -> new DnsClient(server.address()).txt(NAME, Duration.ofMillis(400)))
                    .isInstanceOf(DnsClient.DnsFailure.class);
        }
    }
}
