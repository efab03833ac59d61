package org.medpki.admin.notice;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;

/**
 * What the expiry notices read and record: the expiry_notice table and the certificates about to
 * expire. Blocking; each method is one atomic statement.
 */
public interface ExpiryNoticeStore {
    /** One notice: a certificate (or CA row, serial 0), a window, a channel and whom it goes to. */
    record Notice(long caId, BigInteger serial, int windowDays, String channel, String recipient, Instant notAfter) {
    }

    /**
     * Issued, unrevoked certificates with notAfter in ({@code now}, {@code until}] that have no
     * replacement (a later-issued, unrevoked certificate of the same profile, subject and set of
     * names with a later notAfter), soonest first, after {@code after} (exclusive; null: from the
     * start), at most {@code limit}: one page of a walk over them.
     */
    List<Expiring> expiringCertificates(Instant now, Instant until, Expiring after, int limit);

    /**
     * CA rows (roots, issuing CAs, OCSP signers) whose certificate expires in ({@code now},
     * {@code until}] with no replacement: no other row of the same role and parent with a later
     * notAfter and, except for OCSP signers (whose rotation keeps the parent, not always the name),
     * the same subject.
     */
    List<Expiring> expiringCas(Instant now, Instant until);

    /**
     * Takes {@code notice} for sending, recorded as "sending" in the same statement: true when it
     * was not recorded yet, or was recorded as failed (a retry), or has been "sending" since before
     * {@code abandonedBefore} (a process that stopped mid-send); false when it was sent already
     * or another run is sending it.
     */
    boolean claim(Notice notice, Instant now, Instant abandonedBefore);

    /** The notice went out. */
    void sent(Notice notice, Instant at);

    /** The notice failed ({@code error}, cut to 500 characters); the next run tries it again. */
    void failed(Notice notice, String error, Instant at);
}
