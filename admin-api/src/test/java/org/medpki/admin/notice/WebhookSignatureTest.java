package org.medpki.admin.notice;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The webhook signature against a value computed elsewhere (Python's hmac), and what verify refuses. */
class WebhookSignatureTest {
    private static final byte[] SECRET = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BODY = "{\"certificates\":[]}".getBytes(StandardCharsets.UTF_8);

    @Test
    void theSignatureIsTheHmacOfTimestampDotBody() {
        // python3: hmac.new(b'0123456789abcdef', b'1700000000.{"certificates":[]}', hashlib.sha256).hexdigest()
        assertThat(WebhookSignature.sign(SECRET, 1_700_000_000L, BODY))
                .isEqualTo("sha256=570b16a5710df210cb079e5a7bca2c9e4b1b03d6f4d4ac8923e074a6d862569b");
    }

    @Test
    void verifyRefusesAnotherBodyTimestampSecretOrAMalformedHeader() {
        String header = WebhookSignature.sign(SECRET, 1_700_000_000L, BODY);
        assertThat(WebhookSignature.verify(SECRET, 1_700_000_000L, BODY, header)).isTrue();
        assertThat(WebhookSignature.verify(SECRET, 1_700_000_001L, BODY, header)).isFalse();
        assertThat(WebhookSignature.verify(SECRET, 1_700_000_000L, "{}".getBytes(StandardCharsets.UTF_8), header)).isFalse();
        assertThat(WebhookSignature.verify("another secret!!".getBytes(StandardCharsets.US_ASCII), 1_700_000_000L, BODY,
                header)).isFalse();
        assertThat(WebhookSignature.verify(SECRET, 1_700_000_000L, BODY, null)).isFalse();
        assertThat(WebhookSignature.verify(SECRET, 1_700_000_000L, BODY, "sha256=zz")).isFalse();
        assertThat(WebhookSignature.verify(SECRET, 1_700_000_000L, BODY, header.substring(7))).isFalse();
    }
}
