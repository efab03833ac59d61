package org.medpki.acme;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.medpki.core.audit.AuditChain;
import org.medpki.core.audit.AuditCheckpoint;
import org.medpki.core.audit.AuditEntry;
import org.medpki.core.audit.AuditEvent;
import org.medpki.core.audit.AuditHead;
import org.medpki.core.audit.AuditStore;

/** An {@link AuditStore} in memory, so that a test can see which audit entries the handlers wrote. */
final class RecordingAuditStore implements AuditStore {
    private final List<AuditEntry> entries = new ArrayList<>();
    private AuditHead head = new AuditHead(0, new byte[AuditChain.HASH_LENGTH]);

    /** The types of the entries written so far (e.g. acme.account_created), oldest first. */
    synchronized List<String> types() {
        return entries.stream().map(AuditEntry::type).toList();
    }

    /** The details (JSON text) of the entries of {@code type} written so far, oldest first. */
    synchronized List<String> details(String type) {
        return entries.stream().filter(e -> e.type().equals(type)).map(AuditEntry::details).toList();
    }

    @Override
    public synchronized List<AuditEntry> append(List<AuditEvent> events, AuditChain chain) {
        List<AuditEntry> out = new ArrayList<>();
        long seq = head.seq();
        byte[] prev = head.hash();
        for (AuditEvent e : events) {
            AuditEntry entry = chain.link(++seq, prev, e);
            out.add(entry);
            prev = entry.hash();
        }
        entries.addAll(out);
        head = new AuditHead(seq, prev);
        return out;
    }

    @Override
    public synchronized void forEach(long fromSeq, Consumer<AuditEntry> consumer) {
        List.copyOf(entries).stream().filter(e -> e.seq() >= fromSeq).forEach(consumer);
    }

    @Override
    public synchronized Optional<AuditEntry> head() {
        return entries.isEmpty() ? Optional.empty() : Optional.of(entries.getLast());
    }

    @Override
    public synchronized AuditHead headMarker() {
        return head;
    }

    @Override
    public void saveCheckpoint(AuditCheckpoint checkpoint) {
        throw new UnsupportedOperationException("no checkpoints in ACME tests");
    }

    @Override
    public List<AuditCheckpoint> checkpoints() {
        return List.of();
    }

    @Override
    public synchronized long count() {
        return entries.size();
    }

    @Override
    public synchronized Optional<AuditEntry> oldest() {
        return entries.isEmpty() ? Optional.empty() : Optional.of(entries.getFirst());
    }
}
