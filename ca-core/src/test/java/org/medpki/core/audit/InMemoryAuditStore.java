package org.medpki.core.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** A small hand-written store for the pure audit logic; the real one is PgAuditStore. */
public class InMemoryAuditStore implements AuditStore {

    final TreeMap<Long, AuditEntry> entries = new TreeMap<>();
    final List<AuditCheckpoint> checkpoints = new ArrayList<>();
    final AtomicInteger appends = new AtomicInteger();
    final List<Integer> batchSizes = new ArrayList<>();
    AuditHead head = new AuditHead(0, new byte[32]);

    @Override
    public synchronized List<AuditEntry> append(List<AuditEvent> events, AuditChain chain) {
        appends.incrementAndGet();
        batchSizes.add(events.size());
        List<AuditEntry> out = new ArrayList<>();
        long seq = head.seq();
        byte[] prev = head.hash();
        for (AuditEvent e : events) {
            AuditEntry entry = chain.link(++seq, prev, e);
            entries.put(entry.seq(), entry);
            out.add(entry);
            prev = entry.hash();
        }
        head = new AuditHead(seq, prev);
        return out;
    }

    @Override
    public synchronized void forEach(long fromSeq, Consumer<AuditEntry> consumer) {
        new ArrayList<>(entries.tailMap(fromSeq, true).values()).forEach(consumer);
    }

    @Override
    public synchronized Optional<AuditEntry> head() {
        return Optional.ofNullable(entries.get(head.seq()));
    }

    @Override
    public synchronized AuditHead headMarker() {
        return head;
    }

    @Override
    public synchronized void saveCheckpoint(AuditCheckpoint checkpoint) {
        checkpoints.add(checkpoint);
    }

    @Override
    public synchronized List<AuditCheckpoint> checkpoints() {
        return List.copyOf(checkpoints);
    }

    @Override
    public synchronized long count() {
        return entries.size();
    }

    @Override
    public synchronized Optional<AuditEntry> oldest() {
        return entries.isEmpty() ? Optional.empty() : Optional.of(entries.firstEntry().getValue());
    }
}
