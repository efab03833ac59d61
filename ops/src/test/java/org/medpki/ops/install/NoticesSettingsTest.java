package org.medpki.ops.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medpki.admin.notice.ExpiryNoticeConfig;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.ops.EnvironmentVariables;

/** The notices section: off by default, strict, the environment's rule, secrets only from the environment or a file. */
class NoticesSettingsTest {
    @TempDir
    Path tmp;
    PkiHome home;

    @BeforeEach
    void installation() {
        home = new PkiHome(tmp);
        SettingsFiles.writeInstallation(home, new InstallationConfig("hospital.test", "Hospital PKI",
                new InstallationConfig.Token("/usr/lib/softhsm/libsofthsm2.so", "medpki", null, null), null,
                new InstallationConfig.Database(null, 5999, 16, "medpki"),
                new InstallationConfig.Urls("http://127.0.0.1:8081/ocsp", "http://127.0.0.1:8080/crl",
                        "http://127.0.0.1:8080/ca"),
                new InstallationConfig.Listen("127.0.0.1", 8080), null, null));
    }

    private void section(String yaml) throws Exception {
        Files.writeString(SettingsFiles.file(home), Files.readString(SettingsFiles.file(home)) + "notices:\n" + yaml);
    }

    @Test
    void offWithoutAChannel() {
        assertThat(NoticesSettings.config(SettingsFiles.load(home, Map.of()), Map.of())).isEmpty();
    }

    @Test
    void theFileAndTheEnvironmentGiveTheConfigAndTheSecretsComeFromTheEnvironment() throws Exception {
        section("  windowsDays: [7, 30]\n  defaultRecipients: [pki-team@hospital.test]\n  smtpHost: relay.hospital.test\n"
                + "  smtpFrom: pki@hospital.test\n  smtpUsername: medpki\n  webhookUrl: https://hooks.hospital.test/pki\n");
        Path secret = tmp.resolve("webhook.secret");
        Files.writeString(secret, "0123456789abcdef0123456789abcdef\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Map<String, String> env = Map.of("PKI_NOTICES_CHECK_EVERY", "6h", "PKI_NOTICES_SMTP_PORT", "25",
                "PKI_NOTICES_SMTP_PASSWORD", "relay-password", "PKI_NOTICES_WEBHOOK_SECRET_FILE", secret.toString());
        ExpiryNoticeConfig c = NoticesSettings.config(SettingsFiles.load(home, env), env).orElseThrow();
        assertThat(c.windowsDays()).containsExactly(7, 30);
        assertThat(c.checkEvery()).isEqualTo(Duration.ofHours(6));
        assertThat(c.firstRunAfter()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.defaultRecipients()).containsExactly("pki-team@hospital.test");
        assertThat(c.smtp().port()).isEqualTo(25);
        assertThat(c.smtp().startTls()).isEqualTo(ExpiryNoticeConfig.StartTls.REQUIRED);
        assertThat(c.smtp().password()).isEqualTo("relay-password");
        assertThat(new String(c.webhook().secret())).isEqualTo("0123456789abcdef0123456789abcdef");
        assertThat(c.toString()).doesNotContain("relay-password", "0123456789abcdef");
        assertThat(EnvironmentVariables.SECRET_VALUES).contains("PKI_NOTICES_SMTP_PASSWORD", "PKI_NOTICES_WEBHOOK_SECRET");
        assertThat(SettingsFiles.variables()).containsEntry("notices.smtpHost", "PKI_NOTICES_SMTP_HOST")
                .doesNotContainKey("notices.windowsDays");
    }

    @Test
    void badValuesNameTheirKey() throws Exception {
        assertThatThrownBy(() -> SettingsFiles.load(home, Map.of("PKI_NOTICES_SMTP_PORT", "many")))
                .hasMessageContaining("PKI_NOTICES_SMTP_PORT (notices.smtpPort)");
        List.of(
                List.of("PKI_NOTICES_ENABLED", "true", "notices.enabled is true but neither"),
                List.of("PKI_NOTICES_SMTP_HOST", "relay.test", "notices.smtpFrom"),
                List.of("PKI_NOTICES_WEBHOOK_URL", "ftp://hooks.test/", "notices.webhookUrl"),
                List.of("PKI_NOTICES_WEBHOOK_URL", "https://hooks.test/", "PKI_NOTICES_WEBHOOK_SECRET"),
                List.of("PKI_NOTICES_CHECK_EVERY", "soon", "notices.checkEvery")).forEach(bad -> {
                    Map<String, String> env = Map.of(bad.get(0), bad.get(1));
                    Settings s = SettingsFiles.load(home, env);
                    assertThatThrownBy(() -> NoticesSettings.config(s, env)).isInstanceOfSatisfying(PkiException.class,
                            e -> assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION))
                            .hasMessageContaining(bad.get(2));
                });
        section("  smtpHost: relay.test\n  smtpFrom: pki@hospital.test\n  windowsDays: [30, 0]\n");
        Settings s = SettingsFiles.load(home, Map.of());
        assertThatThrownBy(() -> NoticesSettings.config(s, Map.of())).hasMessageContaining("notices.windowsDays");
    }

    @Test
    void anUnknownKeyIsRefused() throws Exception {
        section("  smtpPassword: in-the-file\n");
        assertThatThrownBy(() -> SettingsFiles.load(home, Map.of()))
                .hasMessageContaining("key 'notices.smtpPassword'");
    }
}
