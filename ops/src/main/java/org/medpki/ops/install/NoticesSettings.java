package org.medpki.ops.install;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.medpki.admin.notice.ExpiryNoticeConfig;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.settings.Durations;

/**
 * The {@code notices} section: expiry notices sent by the admin service, every key optional.
 * enabled (default: true when smtpHost or webhookUrl is set), windowsDays (default [30, 14, 7]),
 * checkEvery (default PT24H; the first run comes a minute after start, or checkEvery if shorter),
 * defaultRecipients (who hears of certificates without an owner's contact, and of CA and OCSP
 * signer certificates), smtpHost, smtpPort (default 587), smtpStartTls (required, optional or
 * disabled; default required), smtpFrom, smtpUsername, webhookUrl. The secrets are never in the
 * file: the SMTP password from PKI_NOTICES_SMTP_PASSWORD[_FILE], the webhook's HMAC secret from
 * PKI_NOTICES_WEBHOOK_SECRET[_FILE].
 */
public final class NoticesSettings {
    public static final String SMTP_PASSWORD = "PKI_NOTICES_SMTP_PASSWORD";
    public static final String SMTP_PASSWORD_FILE = "PKI_NOTICES_SMTP_PASSWORD_FILE";
    public static final String WEBHOOK_SECRET = "PKI_NOTICES_WEBHOOK_SECRET";
    public static final String WEBHOOK_SECRET_FILE = "PKI_NOTICES_WEBHOOK_SECRET_FILE";
    /** The variables that hold (or name a file holding) a notices secret: given to the admin service only. */
    public static final List<String> SECRET_VARIABLES = List.of(SMTP_PASSWORD, SMTP_PASSWORD_FILE, WEBHOOK_SECRET,
            WEBHOOK_SECRET_FILE);
    private static final List<Integer> DEFAULT_WINDOWS = List.of(30, 14, 7);

    private NoticesSettings() {
    }

    /** The section as written; every key optional. */
    public record File(@JsonProperty("enabled") Boolean enabled,
                       @JsonProperty("windowsDays") List<Integer> windowsDays,
                       @JsonProperty("checkEvery") String checkEvery,
                       @JsonProperty("defaultRecipients") List<String> defaultRecipients,
                       @JsonProperty("smtpHost") String smtpHost,
                       @JsonProperty("smtpPort") Integer smtpPort,
                       @JsonProperty("smtpStartTls") String smtpStartTls,
                       @JsonProperty("smtpFrom") String smtpFrom,
                       @JsonProperty("smtpUsername") String smtpUsername,
                       @JsonProperty("webhookUrl") String webhookUrl) {
        public static final File EMPTY = new File(null, null, null, null, null, null, null, null, null, null);
    }

    /** The notices as the admin service runs them, or empty when they are off; CONFIGURATION naming the key when bad. */
    public static Optional<ExpiryNoticeConfig> config(Settings settings, Map<String, String> env) {
        try {
            return config(settings.notices(), env);
        } catch (IllegalArgumentException e) {
            throw settings.invalid(e);
        }
    }

    static Optional<ExpiryNoticeConfig> config(File f, Map<String, String> env) {
        // Parsed even when the notices are off: a typo is reported before someone turns them on.
        Duration every = Durations.parse("notices.checkEvery", f.checkEvery(), Duration.ofHours(24));
        boolean channel = f.smtpHost() != null || f.webhookUrl() != null;
        boolean enabled = f.enabled() != null ? f.enabled() : channel;
        if (!enabled) {
            return Optional.empty();
        }
        if (!channel) {
            throw new IllegalArgumentException("notices.enabled is true but neither notices.smtpHost nor "
                    + "notices.webhookUrl is set");
        }
        Duration first = every.compareTo(Duration.ofMinutes(1)) < 0 ? every : Duration.ofMinutes(1);
        ExpiryNoticeConfig.Smtp smtp = null;
        if (f.smtpHost() != null) {
            String password = f.smtpUsername() == null ? null : secret(env, SMTP_PASSWORD, SMTP_PASSWORD_FILE);
            smtp = new ExpiryNoticeConfig.Smtp(f.smtpHost(), f.smtpPort() == null ? 587 : f.smtpPort(),
                    ExpiryNoticeConfig.StartTls.parse(f.smtpStartTls()), f.smtpFrom(), f.smtpUsername(), password);
        } else if (f.smtpPort() != null || f.smtpFrom() != null || f.smtpUsername() != null || f.smtpStartTls() != null) {
            throw new IllegalArgumentException("notices.smtpHost is not set, so the other smtp keys mean nothing: "
                    + "set it, or remove them");
        }
        ExpiryNoticeConfig.Webhook webhook = null;
        if (f.webhookUrl() != null) {
            URI url;
            try {
                url = new URI(f.webhookUrl());
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("notices.webhookUrl is not a URL: " + e.getReason());
            }
            String secret = secret(env, WEBHOOK_SECRET, WEBHOOK_SECRET_FILE);
            webhook = new ExpiryNoticeConfig.Webhook(url, secret == null ? null : secret.getBytes(StandardCharsets.UTF_8));
        }
        return Optional.of(new ExpiryNoticeConfig(f.windowsDays() == null ? DEFAULT_WINDOWS : f.windowsDays(), every,
                first, f.defaultRecipients() == null ? List.of() : f.defaultRecipients(), smtp, webhook));
    }

    /** The variable's value, or the content of the file the *_FILE variable names (that one wins); null when neither is set. */
    private static String secret(Map<String, String> env, String variable, String fileVariable) {
        String file = env.get(fileVariable);
        if (file != null && !file.isBlank()) {
            Path path = Path.of(file.strip());
            if (!Files.isRegularFile(path)) {
                throw new PkiException(ErrorKind.CONFIGURATION, fileVariable + " names " + path
                        + ", which does not exist or is not a file");
            }
            return SecretFiles.read(path);
        }
        String value = env.get(variable);
        return value == null || value.isEmpty() ? null : value;
    }
}
