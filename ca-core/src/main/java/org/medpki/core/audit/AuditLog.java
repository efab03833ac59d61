package org.medpki.core.audit;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log the services write to. {@link #record} returns once the entry is durable. Many
 * threads record at once, so records are group-committed: one writer thread takes whatever has
 * queued while the previous append ran and appends it as one batch (one transaction), which keeps
 * the chain strictly ordered and costs one commit per batch instead of one per event.
 */
public final class AuditLog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    private static final int MAX_BATCH = 2_000;

    private final AuditStore store;
    private final Clock clock;
    private final AuditChain chain = new AuditChain();
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean closed;

    private record Pending(AuditEvent event, CompletableFuture<AuditEntry> done) {
    }

    /** Queued by close(): the writer stops when it reaches it. */
    private static final Pending STOP = new Pending(null, new CompletableFuture<>());

    public AuditLog(AuditStore store, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.writer = Thread.ofPlatform().daemon().name("medpki-audit-writer").start(this::writeLoop);
    }

    /** Appends the event and returns its entry once stored. Throws PkiException if it could not be. */
    public AuditEntry record(AuditEvent event) {
        Objects.requireNonNull(event, "event");
        if (closed) {
            throw new PkiException(ErrorKind.INTERNAL, "the audit log is closed");
        }
        Pending pending = new Pending(event, new CompletableFuture<>());
        queue.add(pending);
        if (closed) {
            // close() may have drained the queue just before our add: do not wait forever.
            pending.done.completeExceptionally(new PkiException(ErrorKind.INTERNAL, "the audit log is closed"));
        }
        try {
            return pending.done.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof PkiException p) {
                // A fresh exception per caller: a batch failure is shared by every event in it.
                throw new PkiException(p.kind(), p.detail(), p);
            }
            throw new PkiException(ErrorKind.INTERNAL, "audit append failed", e.getCause());
        }
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
        if (closed) {
            return;
        }
        closed = true;
        queue.add(STOP);
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Pending> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(p -> p.done.completeExceptionally(new PkiException(ErrorKind.INTERNAL, "the audit log is closed")));
    }

    private void writeLoop() {
        List<Pending> batch = new ArrayList<>();
        boolean stop = false;
        while (!stop) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                // Only close() ends the writer, and it does so with STOP, after the queue.
                continue;
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            int stopAt = batch.indexOf(STOP);
            if (stopAt >= 0) {
                stop = true;
                List<Pending> after = batch.subList(stopAt, batch.size());
                after.forEach(p -> p.done.completeExceptionally(
                        new PkiException(ErrorKind.INTERNAL, "the audit log is closed")));
                after.clear();
            }
            if (!batch.isEmpty()) {
                write(batch);
            }
            batch.clear();
        }
    }

    private void write(List<Pending> batch) {
        List<AuditEvent> events = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            events.add(p.event);
        }
        try {
            List<AuditEntry> entries = store.append(events, chain);
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).done.complete(entries.get(i));
            }
        } catch (Exception e) {
            for (Pending p : batch) {
                p.done.completeExceptionally(e);
            }
        }
    }
}
