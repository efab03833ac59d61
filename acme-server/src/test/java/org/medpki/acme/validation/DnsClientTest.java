package org.medpki.acme.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
}
