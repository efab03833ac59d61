package org.medpki.admin.notice;

import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.medpki.core.audit.AuditEvent;
import org.medpki.core.audit.AuditLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the expiry notices: finds the certificates (end-entity, admin, CA and OCSP signer)
 * that expire within the largest window and have no replacement, works out for each the smallest
 * window it is in (a certificate first seen 6 days before its notAfter gets the 7-day notice
 * only), records each notice as it decides to send it (the table's key makes it once per
 * certificate, window and channel), sends one e-mail per recipient and one webhook POST, and
 * records each outcome: a failed notice is sent again by the next run, a sent one never. One
 * audit entry per run, with the counts. Blocking: run it off the event loop.
 */
public final class ExpiryNotices {
    private static final Logger LOG = LoggerFactory.getLogger(ExpiryNotices.class);
    static final String EMAIL = "email";
    static final String WEBHOOK = "webhook";
    private static final int PAGE = 1000;
    /** Certificates per webhook POST: a receiver's body limit is rarely below a few megabytes. */
    private static final int WEBHOOK_BATCH = 500;
    /** A notice left "sending" this long was abandoned by a stopped process: it is sent again. */
    private static final Duration ABANDONED = Duration.ofHours(1);

    /** What one run did: notices due, sent, failed, already sent (or being sent elsewhere), and certificates with no e-mail recipient. */
    public record Run(int due, int sent, int failed, int alreadySent, int noRecipient) {
    }

    private final ExpiryNoticeConfig config;
    private final ExpiryNoticeStore store;
    private final AuditLog audit;
    private final Clock clock;
    private final NoticeMail mail;
    private final NoticeWebhook webhook;

    public ExpiryNotices(ExpiryNoticeConfig config, ExpiryNoticeStore store, AuditLog audit, Clock clock, Vertx vertx) {
        this.config = config;
        this.store = store;
        this.audit = audit;
        this.clock = clock;
        this.mail = config.smtp() == null ? null : new NoticeMail(vertx, config.smtp());
        this.webhook = config.webhook() == null ? null : new NoticeWebhook(vertx, config.webhook(), clock);
    }

    public ExpiryNoticeConfig config() {
        return config;
    }

    /** One run; throws only when the inventory cannot be read (nothing was sent then). */
    public Run runOnce() {
        Instant now = clock.instant();
        Instant until = now.plus(Duration.ofDays(config.largestWindow()));
        List<Expiring> expiring = new ArrayList<>(store.expiringCas(now, until));
        Expiring after = null;
        while (true) {
            List<Expiring> page = store.expiringCertificates(now, until, after, PAGE);
            expiring.addAll(page);
            if (page.size() < PAGE) {
                break;
            }
            after = page.getLast();
        }

        List<DueNotice> due = new ArrayList<>();
        int noRecipient = 0;
        for (Expiring c : expiring) {
            int window = window(c.notAfter(), now);
            if (mail != null) {
                String to = c.ownerContact() != null ? c.ownerContact() : String.join(", ", config.defaultRecipients());
                if (to.isEmpty()) {
                    noRecipient++;
                } else {
                    due.add(new DueNotice(c, window, EMAIL, to));
                }
            }
            if (webhook != null) {
                due.add(new DueNotice(c, window, WEBHOOK, config.webhook().shown()));
            }
        }

        // Recorded as "sending" before anything goes out: two instances, or a run and its retry,
        // never send the same notice twice.
        Map<String, List<DueNotice>> mails = new LinkedHashMap<>();
        List<DueNotice> hooks = new ArrayList<>();
        int alreadySent = 0;
        for (DueNotice n : due) {
            if (!store.claim(n.notice(), now, now.minus(ABANDONED))) {
                alreadySent++;
            } else if (n.channel().equals(EMAIL)) {
                mails.computeIfAbsent(n.recipient(), r -> new ArrayList<>()).add(n);
            } else {
                hooks.add(n);
            }
        }

        int sent = 0;
        int failed = 0;
        List<String> errors = new ArrayList<>();
        for (Map.Entry<String, List<DueNotice>> m : mails.entrySet()) {
            String error = attempt(() -> mail.send(m.getKey(), m.getValue()));
            int[] counts = finish(m.getValue(), error);
            sent += counts[0];
            failed += counts[1];
            if (error != null) {
                errors.add("e-mail: " + error);
            }
        }
        for (int from = 0; from < hooks.size(); from += WEBHOOK_BATCH) {
            List<DueNotice> batch = hooks.subList(from, Math.min(hooks.size(), from + WEBHOOK_BATCH));
            String error = attempt(() -> webhook.send(batch));
            int[] counts = finish(batch, error);
            sent += counts[0];
            failed += counts[1];
            if (error != null) {
                errors.add("webhook: " + error);
            }
        }

        Run run = new Run(due.size(), sent, failed, alreadySent, noRecipient);
        Map<String, String> details = new LinkedHashMap<>();
        details.put("expiring", Integer.toString(expiring.size()));
        details.put("due", Integer.toString(run.due()));
        details.put("sent", Integer.toString(run.sent()));
        details.put("failed", Integer.toString(run.failed()));
        details.put("alreadySent", Integer.toString(run.alreadySent()));
        details.put("noRecipient", Integer.toString(run.noRecipient()));
        if (!errors.isEmpty()) {
            details.put("firstError", errors.getFirst());
        }
        audit.recordQuietly(failed == 0 ? AuditEvent.success(clock.instant(), "expiry-notices.run", "admin-api", details)
                : AuditEvent.failure(clock.instant(), "expiry-notices.run", "admin-api", details));
        if (sent > 0 || failed > 0) {
            LOG.info("expiry notices: {} sent, {} failed (retried on the next run){}", sent, failed,
                    errors.isEmpty() ? "" : "; " + errors.getFirst());
        }
        return run;
    }

    /** The smallest window {@code notAfter} is in (the job only sees certificates within the largest). */
    int window(Instant notAfter, Instant now) {
        for (int w : config.windowsDays()) {
            if (!notAfter.isAfter(now.plus(Duration.ofDays(w)))) {
                return w;
            }
        }
        return config.largestWindow();
    }

    private interface Send {
        void run() throws Exception;
    }

    /** Null when the send succeeded, else why it failed (no secret: the clients do not put one in their messages). */
    private static String attempt(Send send) {
        try {
            send.run();
            return null;
        } catch (Exception e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return message.length() <= 300 ? message : message.substring(0, 300) + "...";
        }
    }

    private int[] finish(List<DueNotice> notices, String error) {
        Instant at = clock.instant();
        for (DueNotice n : notices) {
            if (error == null) {
                store.sent(n.notice(), at);
            } else {
                store.failed(n.notice(), error, at);
            }
        }
        return error == null ? new int[] {notices.size(), 0} : new int[] {0, notices.size()};
    }
}
