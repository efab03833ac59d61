package org.medpki.inventory.pg;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

/**
 * Group commit: callers on many threads submit one item each and block; writer threads take
 * whatever has queued while the previous batch was being written and write it as one batch (one
 * transaction). Under load the batch grows by itself, so the commit cost is paid per batch, not
 * per item; with one caller it degenerates to one item per transaction, without added delay.
 *
 * @param <T> the item
 */
final class GroupCommit<T> implements AutoCloseable {

    /** Writes a batch. Returns, per item and in order, null for success or the item's own failure. */
    @FunctionalInterface
    interface BatchWriter<T> {
        List<PkiException> write(List<T> batch);
    }

    private record Pending<T>(T item, CompletableFuture<Void> done) {
    }

    private final String name;
    private final int maxBatch;
    private final BatchWriter<T> writer;
    private final LinkedBlockingQueue<Pending<T>> queue = new LinkedBlockingQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Pending<T> stop = new Pending<>(null, new CompletableFuture<>());
    private volatile boolean closed;

    /**
     * @param writers how many batches may be in flight at once (each writer thread has one)
     */
    GroupCommit(String name, int maxBatch, int writers, BatchWriter<T> writer) {
        this.name = Objects.requireNonNull(name, "name");
        this.maxBatch = maxBatch;
        this.writer = Objects.requireNonNull(writer, "writer");
        for (int i = 0; i < writers; i++) {
            threads.add(Thread.ofPlatform().daemon().name("medpki-" + name + "-" + i).start(this::loop));
        }
    }

    /** Blocks until the item's batch is committed; rethrows the item's failure. */
    void submit(T item) {
        if (closed) {
            throw closedException();
        }
        Pending<T> pending = new Pending<>(Objects.requireNonNull(item, "item"), new CompletableFuture<>());
        queue.add(pending);
        if (closed) {
            pending.done.completeExceptionally(closedException());
        }
        try {
            pending.done.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof PkiException p) {
                // A fresh exception on the caller's stack; a batch failure is shared by its items.
                throw new PkiException(p.kind(), p.detail(), p);
            }
            throw new PkiException(ErrorKind.INTERNAL, name + " failed", cause);
        }
    }

    private void loop() {
        List<Pending<T>> batch = new ArrayList<>();
        while (true) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                continue;
            }
            queue.drainTo(batch, maxBatch - 1);
            int stopAt = indexOfStop(batch);
            if (stopAt >= 0) {
                List<Pending<T>> after = batch.subList(stopAt + 1, batch.size());
                for (Pending<T> p : after) {
                    if (p == stop) {
                        queue.add(stop); // another writer's marker: pass it on
                    } else {
                        p.done.completeExceptionally(closedException());
                    }
                }
                batch.subList(stopAt, batch.size()).clear();
            }
            if (!batch.isEmpty()) {
                write(batch);
            }
            batch.clear();
            if (stopAt >= 0) {
                return;
            }
        }
    }

    private int indexOfStop(List<Pending<T>> batch) {
        for (int i = 0; i < batch.size(); i++) {
            if (batch.get(i) == stop) {
                return i;
            }
        }
        return -1;
    }

    private void write(List<Pending<T>> batch) {
        List<T> items = new ArrayList<>(batch.size());
        batch.forEach(p -> items.add(p.item));
        try {
            List<PkiException> results = writer.write(items);
            for (int i = 0; i < batch.size(); i++) {
                PkiException failure = results.get(i);
                if (failure == null) {
                    batch.get(i).done.complete(null);
                } else {
                    batch.get(i).done.completeExceptionally(failure);
                }
            }
        } catch (Exception e) {
            batch.forEach(p -> p.done.completeExceptionally(e));
        }
    }

    private PkiException closedException() {
        return new PkiException(ErrorKind.DATABASE_UNAVAILABLE, "the inventory is closed (" + name + ")");
    }

    /** Writes what is queued, then stops the writer threads. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        threads.forEach(t -> queue.add(stop));
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<Pending<T>> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(p -> p.done.completeExceptionally(closedException()));
    }
}
