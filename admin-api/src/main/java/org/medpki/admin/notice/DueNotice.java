package org.medpki.admin.notice;

/** A certificate whose notice of window {@code windowDays} is due on one channel, to {@code recipient}. */
record DueNotice(Expiring certificate, int windowDays, String channel, String recipient) {
    ExpiryNoticeStore.Notice notice() {
        return new ExpiryNoticeStore.Notice(certificate.caId(), certificate.keySerial(), windowDays, channel, recipient,
                certificate.notAfter());
    }
}
