package org.medpki.admin.notice;

import io.vertx.core.Vertx;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.StartTLSOptions;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The e-mail channel: one plain-text message per recipient, listing its certificates. Blocking. */
final class NoticeMail {
    private final Vertx vertx;
    private final ExpiryNoticeConfig.Smtp smtp;

    NoticeMail(Vertx vertx, ExpiryNoticeConfig.Smtp smtp) {
        this.vertx = vertx;
        this.smtp = smtp;
    }

    /** Sends one message to {@code recipient} (addresses separated by ", "); throws when the relay refuses it. */
    void send(String recipient, List<DueNotice> notices) throws Exception {
        MailConfig config = new MailConfig().setHostname(smtp.host()).setPort(smtp.port())
                .setStarttls(switch (smtp.startTls()) {
                    case REQUIRED -> StartTLSOptions.REQUIRED;
                    case OPTIONAL -> StartTLSOptions.OPTIONAL;
                    case DISABLED -> StartTLSOptions.DISABLED;
                })
                // STARTTLS checks the relay's name, as HTTPS does.
                .setHostnameVerificationAlgorithm("HTTPS")
                .setLogin(smtp.username() == null ? LoginOption.DISABLED : LoginOption.REQUIRED)
                .setConnectTimeout(15_000).setKeepAlive(false);
        if (smtp.username() != null) {
            config.setUsername(smtp.username()).setPassword(smtp.password());
        }
        MailMessage message = new MailMessage().setFrom(smtp.from())
                .setTo(Arrays.asList(recipient.split(", ")))
                .setSubject(subject(notices)).setText(NoticeText.body(notices));
        MailClient client = MailClient.create(vertx, config);
        try {
            client.sendMail(message).await(60, TimeUnit.SECONDS);
        } finally {
            client.close();
        }
    }

    /** No certificate data in the subject line: it is fixed text and counts. */
    static String subject(List<DueNotice> notices) {
        int soonest = notices.stream().mapToInt(DueNotice::windowDays).min().orElse(0);
        return notices.size() == 1 ? "medpki: a certificate expires within " + soonest + " days"
                : "medpki: " + notices.size() + " certificates expire within " + soonest + " days or more";
    }
}
