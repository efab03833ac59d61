package org.medpki.admin.notice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which window a certificate's notice belongs to, and the config's checks. */
class ExpiryNoticeWindowsTest {
    private static final ExpiryNoticeConfig.Webhook HOOK = new ExpiryNoticeConfig.Webhook(
            URI.create("https://hooks.hospital.test/pki?token=t"), new byte[16]);

    @Test
    void aCertificateGetsTheSmallestWindowItIsIn() {
        ExpiryNoticeConfig config = new ExpiryNoticeConfig(List.of(30, 7, 14), Duration.ofHours(24), Duration.ofMinutes(1),
                List.of(), null, HOOK);
        assertThat(config.windowsDays()).containsExactly(7, 14, 30);
        ExpiryNotices notices = new ExpiryNotices(config, null, null, null, null);
        Instant now = Instant.parse("2026-12-01T00:00:00Z");
        assertThat(notices.window(now.plus(Duration.ofDays(6)), now)).isEqualTo(7);
        assertThat(notices.window(now.plus(Duration.ofDays(7)), now)).isEqualTo(7);
        assertThat(notices.window(now.plus(Duration.ofDays(7)).plusSeconds(1), now)).isEqualTo(14);
        assertThat(notices.window(now.plus(Duration.ofDays(20)), now)).isEqualTo(30);
        assertThat(HOOK.shown()).isEqualTo("https://hooks.hospital.test/pki");
        assertThat(HOOK.toString()).doesNotContain("token");
    }

    @Test
    void badConfigsNameTheirKey() {
        assertThatThrownBy(() -> new ExpiryNoticeConfig(List.of(), Duration.ofHours(1), Duration.ZERO, List.of(), null,
                HOOK)).hasMessageStartingWith("notices.windowsDays");
        assertThatThrownBy(() -> new ExpiryNoticeConfig(List.of(7, 7), Duration.ofHours(1), Duration.ZERO, List.of(),
                null, HOOK)).hasMessageStartingWith("notices.windowsDays");
        assertThatThrownBy(() -> new ExpiryNoticeConfig(List.of(7), Duration.ofHours(1), Duration.ZERO,
                List.of("Team <team@hospital.test>"), null, HOOK)).hasMessageStartingWith("notices.defaultRecipients");
        assertThatThrownBy(() -> new ExpiryNoticeConfig(List.of(7), Duration.ofHours(1), Duration.ZERO, List.of(), null,
                null)).hasMessageStartingWith("notices.smtpHost");
        assertThatThrownBy(() -> new ExpiryNoticeConfig.Smtp("relay.test", 25, ExpiryNoticeConfig.StartTls.REQUIRED,
                "pki@hospital.test", "medpki", null)).hasMessageStartingWith("notices.smtpUsername");
        assertThatThrownBy(() -> new ExpiryNoticeConfig.Webhook(URI.create("https://user@hooks.test/"), new byte[16]))
                .hasMessageStartingWith("notices.webhookUrl");
        assertThatThrownBy(() -> new ExpiryNoticeConfig.Webhook(URI.create("https://hooks.test/"), new byte[8]))
                .hasMessageStartingWith("notices.webhookUrl");
        assertThat(new ExpiryNoticeConfig.Smtp("relay.test", 25, ExpiryNoticeConfig.StartTls.REQUIRED,
                "pki@hospital.test", "medpki", "s3cret-pass").toString()).doesNotContain("s3cret-pass");
    }
}
