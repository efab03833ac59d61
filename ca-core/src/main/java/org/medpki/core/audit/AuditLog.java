package org.medpki.core.audit;

import java.time.Clock;
import java.util.Objects;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.store.GroupCommit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log the services write to. {@link #record} returns once the entry is durable. Many
 * threads record at once, so records are group-committed ({@link GroupCommit}) with a single
 * writer: it takes whatever has queued while the previous append ran and appends it as one batch
 * (one transaction), which keeps the chain strictly ordered and costs one commit per batch instead
 * of one per event. A failed append fails every event of its batch.
 */
public final class AuditLog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    private static final int MAX_BATCH = 2_000;

    private final AuditStore store;
    private final Clock clock;
    private final AuditChain chain = new AuditChain();
    private final GroupCommit<AuditEvent, AuditEntry> appends;

    public AuditLog(AuditStore store, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        // One writer: the chain's order is the order of the batches.
        this.appends = new GroupCommit<>("audit-writer", MAX_BATCH, 1,
                () -> new PkiException(ErrorKind.INTERNAL, "the audit log is closed"),
                events -> store.append(events, chain).stream().map(GroupCommit::written).toList());
    }

    /** Appends the event and returns its entry once stored. Throws PkiException if it could not be. */
    public AuditEntry record(AuditEvent event) {
        return appends.submit(Objects.requireNonNull(event, "event"));
    }

    /**
     * Like {@link #record} but never throws: for failure paths, where the original error matters
     * more. A failure is logged with the event's type and actor only (details may be sensitive).
     */
    public void recordQuietly(AuditEvent event) {
        try {
            record(event);
        } catch (Exception e) {
            LOG.error("could not record audit event type={} actor={} outcome={}: {} {}",
                    event.type(), event.actor(), event.outcome(),
                    e instanceof PkiException p ? p.kind() : "INTERNAL",
                    e instanceof PkiException p ? p.publicDetail() : e.getClass().getSimpleName());
        }
    }

    /**
     * Signs the current head with {@code signer} and stores the checkpoint. NOT_FOUND while the
     * log is empty.
     */
    public AuditCheckpoint checkpoint(AuditSigner signer) {
        Objects.requireNonNull(signer, "signer");
        AuditHead head = store.headMarker();
        if (head.seq() == 0) {
            throw new PkiException(ErrorKind.NOT_FOUND, "the audit log is empty: there is no head to checkpoint");
        }
        byte[] signature = signer.sign(AuditChain.checkpointPayload(head.seq(), head.hash()));
        AuditCheckpoint checkpoint = new AuditCheckpoint(head.seq(), head.hash(), AuditChain.truncate(clock.instant()),
                signer.keyLabel(), signer.algorithm(), signature);
        store.saveCheckpoint(checkpoint);
        return checkpoint;
    }

    /** Stops the writer after the events already queued are written. */
    @Override
    public void close() {
        appends.close();
    }
}
