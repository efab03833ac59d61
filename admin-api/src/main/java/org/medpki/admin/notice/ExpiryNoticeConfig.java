package org.medpki.admin.notice;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What the expiry notices need: the windows (days before notAfter; a certificate gets the notice
 * of the smallest window it is in, once per window and channel), how often the job runs and how
 * soon after start, who is told when a certificate has no owner with a contact, and the channels
 * (either may be absent, not both). Checked here so that a bad value fails at start, naming its key.
 */
public record ExpiryNoticeConfig(List<Integer> windowsDays, Duration checkEvery, Duration firstRunAfter,
                                 List<String> defaultRecipients, Smtp smtp, Webhook webhook) {
    /** What an owner's contact must look like (the owner table's rule): one plain address. */
    static final Pattern ADDRESS = Pattern.compile("[^@\\s<>\",;]{1,64}@[A-Za-z0-9.-]{1,253}");

    public ExpiryNoticeConfig {
        Objects.requireNonNull(windowsDays, "notices.windowsDays");
        if (windowsDays.isEmpty() || windowsDays.size() > 10) {
            throw new IllegalArgumentException("notices.windowsDays must list 1 to 10 numbers of days");
        }
        for (Integer w : windowsDays) {
            if (w == null || w < 1 || w > 3650) {
                throw new IllegalArgumentException("notices.windowsDays must be whole numbers of days from 1 to 3650");
            }
        }
        if (windowsDays.stream().distinct().count() != windowsDays.size()) {
            throw new IllegalArgumentException("notices.windowsDays lists a window twice");
        }
        windowsDays = windowsDays.stream().sorted().toList();
        Objects.requireNonNull(checkEvery, "notices.checkEvery");
        if (checkEvery.compareTo(Duration.ofSeconds(1)) < 0 || checkEvery.compareTo(Duration.ofDays(7)) > 0) {
            throw new IllegalArgumentException("notices.checkEvery must be from PT1S to P7D");
        }
        Objects.requireNonNull(firstRunAfter, "notices first run");
        defaultRecipients = List.copyOf(defaultRecipients);
        for (String r : defaultRecipients) {
            if (!ADDRESS.matcher(r).matches()) {
                throw new IllegalArgumentException("notices.defaultRecipients: '" + cut(r)
                        + "' is not one e-mail address (name@host)");
            }
        }
        if (smtp == null && webhook == null) {
            throw new IllegalArgumentException("notices.smtpHost or notices.webhookUrl must be set for notices to be sent");
        }
    }

    /** The largest window: how far ahead the job looks. */
    public int largestWindow() {
        return windowsDays.getLast();
    }

    /** How the SMTP connection is secured. */
    public enum StartTls {
        /** Refuse a server that does not offer STARTTLS (the default). */
        REQUIRED,
        /** Use STARTTLS when offered. */
        OPTIONAL,
        /** Plain SMTP (a relay on this host or a test server). */
        DISABLED;

        public static StartTls parse(String value) {
            return switch (value == null ? "required" : value.toLowerCase(Locale.ROOT)) {
                case "required" -> REQUIRED;
                case "optional" -> OPTIONAL;
                case "disabled" -> DISABLED;
                default -> throw new IllegalArgumentException("notices.smtpStartTls must be required, optional or disabled");
            };
        }
    }

    /** The SMTP relay; {@code password} only from the environment or a file, never printed. */
    public record Smtp(String host, int port, StartTls startTls, String from, String username, String password) {
        public Smtp {
            if (host == null || host.isBlank() || host.length() > 253) {
                throw new IllegalArgumentException("notices.smtpHost must be a host name or address");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("notices.smtpPort must be between 1 and 65535");
            }
            Objects.requireNonNull(startTls, "notices.smtpStartTls");
            if (from == null || !ADDRESS.matcher(from).matches()) {
                throw new IllegalArgumentException("notices.smtpFrom must be one e-mail address (name@host) when "
                        + "notices.smtpHost is set");
            }
            if (username != null && (username.isBlank() || username.length() > 256
                    || username.chars().anyMatch(c -> c < 0x20))) {
                throw new IllegalArgumentException("notices.smtpUsername must be a user name without control characters");
            }
            if (username != null && password == null) {
                throw new IllegalArgumentException("notices.smtpUsername is set but no password is given: set "
                        + "PKI_NOTICES_SMTP_PASSWORD or PKI_NOTICES_SMTP_PASSWORD_FILE");
            }
        }

        @Override
        public String toString() {
            return "Smtp[" + host + ":" + port + ", startTls=" + startTls + ", from=" + from + ", username="
                    + username + ", password=" + (password == null ? "none" : "***") + "]";
        }
    }

    /** The webhook: a JSON POST to {@code url}, signed with HMAC-SHA256 under {@code secret} (never printed). */
    public record Webhook(URI url, byte[] secret) {
        public Webhook {
            Objects.requireNonNull(url, "notices.webhookUrl");
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("https") || scheme.equals("http")) || url.getHost() == null || url.getUserInfo() != null
                    || url.getFragment() != null) {
                throw new IllegalArgumentException("notices.webhookUrl must be an https:// (or http://) URL with a host, "
                        + "no user name and no fragment");
            }
            if (secret == null || secret.length < 16) {
                throw new IllegalArgumentException("notices.webhookUrl is set but no webhook secret of at least 16 bytes "
                        + "is given: set PKI_NOTICES_WEBHOOK_SECRET or PKI_NOTICES_WEBHOOK_SECRET_FILE");
            }
            secret = secret.clone();
        }

        /** The URL as recorded and logged: without its query, which may carry a token of the receiver. */
        public String shown() {
            return url.getScheme() + "://" + url.getRawAuthority() + (url.getRawPath() == null ? "" : url.getRawPath());
        }

        @Override
        public byte[] secret() {
            return secret.clone();
        }

        @Override
        public String toString() {
            return "Webhook[" + shown() + ", secret=***]";
        }
    }

    private static String cut(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
