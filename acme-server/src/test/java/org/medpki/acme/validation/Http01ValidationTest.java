package org.medpki.acme.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.medpki.acme.AcmeException;
import org.medpki.acme.Identifier;
import org.medpki.acme.ProblemType;

class Http01ValidationTest {
    private static final Identifier ID = new Identifier("dns", "www.hospital.test");

    private static Http01Validation.Response parse(String raw) {
        return Http01Validation.parse(raw.getBytes(StandardCharsets.ISO_8859_1), ID);
    }

    @Test
    void readsStatusLocationAndChunkedBodies() {
        assertThat(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\ntok.x").body()).isEqualTo("tok.x");
        assertThat(parse("HTTP/1.1 302 Found\r\nLocation: /other\r\n\r\n").location()).isEqualTo("/other");
        assertThat(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\ntok\r\n2\r\n.x\r\n0\r\n\r\n").body())
                .isEqualTo("tok.x");
    }

    @Test
    void refusesWhatIsNotHttpOrTooLarge() {
        assertThatThrownBy(() -> parse("SSH-2.0-OpenSSH\r\n\r\n")).extracting(e -> ((AcmeException) e).type())
                .isEqualTo(ProblemType.CONNECTION);
        assertThatThrownBy(() -> parse("HTTP/1.1 200 OK\r\n\r\n" + "x".repeat(Http01Validation.MAX_RESPONSE + 1)))
                .extracting(e -> ((AcmeException) e).type()).isEqualTo(ProblemType.INCORRECT_RESPONSE);
    }
}
