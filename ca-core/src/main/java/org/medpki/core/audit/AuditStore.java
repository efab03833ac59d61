package org.medpki.core.audit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Port: where the chained audit log is kept. Calls block; keep them off event loops. Failures are
 * {@link org.medpki.core.error.PkiException}s (DATABASE_UNAVAILABLE, CONFLICT, INTERNAL).
 */
public interface AuditStore {

    /**
     * Appends the events, in order, after the current head in one transaction: locks the head,
     * chains each event with {@code chain} from the head's hash, stores the entries and moves the
     * head. Returns the stored entries. Concurrent appends are serialised by the head lock.
     */
    List<AuditEntry> append(List<AuditEvent> events, AuditChain chain);

    /**
     * Streams the stored entries with {@code seq >= fromSeq} in ascending seq order to {@code
     * consumer}, without holding them all in memory.
     */
    void forEach(long fromSeq, Consumer<AuditEntry> consumer);

    /**
     * At most {@code limit} entries with {@code seq >= fromSeq} and, unless {@code since} is null,
     * {@code at >= since}, in ascending seq order: one page for a reader that resumes after the
     * last seq it got. (This default reads on to the end; stores override it with a bounded read.)
     */
    default List<AuditEntry> page(long fromSeq, Instant since, int limit) {
        List<AuditEntry> page = new ArrayList<>();
        forEach(fromSeq, e -> {
            if (page.size() < limit && (since == null || !e.at().isBefore(since))) {
                page.add(e);
            }
        });
        return page;
    }

    /** The entry that the head marker points to; empty while the log is empty or if it is missing. */
    Optional<AuditEntry> head();

    /** The head marker itself (seq 0 and the genesis hash while the log is empty). */
    AuditHead headMarker();

    /** Stores a signed checkpoint. CONFLICT if one exists for that seq. */
    void saveCheckpoint(AuditCheckpoint checkpoint);

    /** All checkpoints in ascending seq order. */
    List<AuditCheckpoint> checkpoints();

    /** Number of stored entries. */
    long count();

    /** The stored entry with the smallest seq. */
    Optional<AuditEntry> oldest();
}
