package org.medpki.acme.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DnsClientTest {

    private static byte[] response(int flagsLow, int rcode, byte[]... txt) {
        byte[] query = DnsClient.encodeQuery(0x1234, "_acme-challenge.x.test", DnsClient.TXT);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x12, 0x34, (byte) (0x81 | flagsLow), (byte) (0x80 | rcode), 0, 1, 0, (byte) txt.length, 0, 0, 0, 0});
        out.write(query, 12, query.length - 12);
        for (byte[] t : txt) {
            out.writeBytes(new byte[] {(byte) 0xc0, 12, 0, 16, 0, 1, 0, 0, 0, 60, 0, (byte) (t.length + 1), (byte) t.length});
            out.writeBytes(t);
        }
        return out.toByteArray();
    }

    @Test
    void decodesTxtAnswersAndNxdomain() throws Exception {
        List<byte[]> rdata = DnsClient.decodeAnswers(ByteBuffer.wrap(response(0, 0,
                "abc".getBytes(StandardCharsets.US_ASCII), "def".getBytes(StandardCharsets.US_ASCII))), DnsClient.TXT, "x");
        assertThat(rdata).hasSize(2);
        assertThat(new String(rdata.get(1), 1, 3, StandardCharsets.US_ASCII)).isEqualTo("def");
        assertThat(DnsClient.decodeAnswers(ByteBuffer.wrap(response(0, 3)), DnsClient.TXT, "x")).isEmpty();
    }

    @Test
    void refusesTruncatedAndFailedAnswers() {
        assertThatThrownBy(() -> DnsClient.decodeAnswers(ByteBuffer.wrap(response(0x02, 0)), DnsClient.TXT, "x"))
                .hasMessageContaining("truncated");
        assertThatThrownBy(() -> DnsClient.decodeAnswers(ByteBuffer.wrap(response(0, 2)), DnsClient.TXT, "x"))
                .hasMessageContaining("rcode 2");
    }

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
    void readsATruncatedUdpAnswerInFullOverTcp() throws Exception {
        try (LoopbackDnsServer server = new LoopbackDnsServer(DnsClientTest::truncated, DnsClientTest::full)) {
            List<String> values = new DnsClient(server.address(), Duration.ofSeconds(5)).txt(NAME);

            assertThat(values).isEqualTo(MANY);
            assertThat(full(server.tcpQueries.getFirst()).length).isGreaterThan(1232);
            // the same question, ID included, on both transports
            assertThat(server.udpQueries).hasSize(1);
            assertThat(server.tcpQueries).hasSize(1);
            assertThat(server.tcpQueries.getFirst()).isEqualTo(server.udpQueries.getFirst());
        }
    }

    @Test
    void asksWithEdnsAndReadsAnAnswerCarryingAnOptRecord() throws Exception {
        try (LoopbackDnsServer server = new LoopbackDnsServer(q -> withOpt(LoopbackDnsServer.txtAnswer(q,
                LoopbackDnsServer.id(q), 0, List.of("abc", "def"))), q -> null)) {
            assertThat(new DnsClient(server.address(), Duration.ofSeconds(5)).txt(NAME)).containsExactly("abc", "def");

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
            assertThat(new DnsClient(server.address(), Duration.ofSeconds(5)).txt(NAME)).containsExactly("plain");
            assertThat(server.udpQueries).hasSize(2);
        }
    }

    @Test
    void refusesATcpAnswerWithAWrongId() throws Exception {
        try (LoopbackDnsServer server = new LoopbackDnsServer(DnsClientTest::truncated,
                q -> LoopbackDnsServer.txtAnswer(q, LoopbackDnsServer.id(q) ^ 0x5a5a, 0, MANY))) {
            assertThatThrownBy(() -> new DnsClient(server.address(), Duration.ofSeconds(5)).txt(NAME))
                    .isInstanceOf(DnsClient.DnsFailure.class)
                    .hasMessageContaining("answered over TCP for " + NAME)
                    .hasMessageContaining("wrong ID");
        }
    }

    @Test
    void refusesATcpAnswerToAnotherQuestion() throws Exception {
        try (LoopbackDnsServer server = new LoopbackDnsServer(DnsClientTest::truncated, q -> {
            byte[] other = DnsClient.encodeQuery(LoopbackDnsServer.id(q), "_acme-challenge.other.test", DnsClient.TXT);
            return LoopbackDnsServer.txtAnswer(other, LoopbackDnsServer.id(q), 0, MANY);
        })) {
            assertThatThrownBy(() -> new DnsClient(server.address(), Duration.ofSeconds(5)).txt(NAME))
                    .isInstanceOf(DnsClient.DnsFailure.class)
                    .hasMessageContaining("question section other than the one asked");
        }
    }

    @Test
    void refusesATcpAnswerOverTheSizeCap() throws Exception {
        try (LoopbackDnsServer server = new LoopbackDnsServer(DnsClientTest::truncated,
                q -> new byte[DnsClient.MAX_RESPONSE_BYTES + 1])) {
            assertThatThrownBy(() -> new DnsClient(server.address(), Duration.ofSeconds(5)).txt(NAME))
                    .isInstanceOf(DnsClient.DnsFailure.class)
                    .hasMessageContaining("larger than " + DnsClient.MAX_RESPONSE_BYTES + " bytes");
        }
    }

    @Test
    void aSilentTcpServerEndsInATimeoutNamingIt() throws Exception {
        try (LoopbackDnsServer server = new LoopbackDnsServer(DnsClientTest::truncated, q -> null)) {
            DnsClient client = new DnsClient(server.address(), Duration.ofMillis(500));
            // generous bound: only guards against a hang, the client's own deadline is 0.5 s
            Throwable failure = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> catchThrowable(() -> client.txt(NAME)));
            assertThat(failure).isInstanceOf(DnsClient.DnsFailure.class)
                    .hasMessageContaining("did not answer over TCP for " + NAME)
                    .hasMessageContaining("within 500 ms");
            assertThat(server.tcpQueries).hasSize(1);
        }
    }

    @Test
    void ignoresUdpDatagramsWithAWrongId() throws Exception {
        try (LoopbackDnsServer server = new LoopbackDnsServer(
                q -> LoopbackDnsServer.txtAnswer(q, LoopbackDnsServer.id(q) ^ 1, 0, List.of("spoofed")), q -> null)) {
            assertThatThrownBy(() -> new DnsClient(server.address(), Duration.ofMillis(400)).txt(NAME))
                    .isInstanceOf(DnsClient.DnsFailure.class)
                    .hasMessageContaining("did not answer for " + NAME);
            assertThat(server.udpQueries).hasSize(2);
        }
    }
}
