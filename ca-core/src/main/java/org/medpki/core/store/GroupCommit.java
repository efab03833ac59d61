package org.medpki.core.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Supplier;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

/**
 * Group commit: callers on many threads submit one item each and block; writer threads take
 * whatever has queued while the previous batch was being written and write it as one batch (one
 * transaction). Under load the batch grows by itself, so the commit cost is paid per batch, not
 * per item; with one caller it degenerates to one item per transaction, without added delay.
 * <p>
 * With one writer, batches are written one after another in the order the items were queued
 * (what a hash chain needs); with several, batches may be in flight at once. The batch writer
 * says per item whether it was written ({@link Outcome}); if it throws, every item of the batch
 * fails, each caller with an exception of its own. {@link #close()} writes what was queued before
 * it, then stops the writers; items submitted afterwards fail with the {@code closed} exception.
 *
 * @param <T> the item
 * @param <R> what a written item returns to its caller ({@code Void} for nothing)
 */
public final class GroupCommit<T, R> implements AutoCloseable {

    /** Writes a batch. Returns, per item and in order, what became of it; throws to fail them all. */
    @FunctionalInterface
    public interface BatchWriter<T, R> {
        List<Outcome<R>> write(List<T> batch);
    }

    /** What became of one item of a batch. */
    public sealed interface Outcome<R> {
        record Written<R>(R result) implements Outcome<R> {
        }

        record Failed<R>(PkiException failure) implements Outcome<R> {
            public Failed {
                Objects.requireNonNull(failure, "failure");
            }
        }
    }

    public static <R> Outcome<R> written(R result) {
        return new Outcome.Written<>(result);
    }

    public static <R> Outcome<R> failed(PkiException failure) {
        return new Outcome.Failed<>(failure);
    }

    private record Pending<T, R>(T item, CompletableFuture<R> done) {
    }

    private final String name;
    private final int maxBatch;
    private final Supplier<PkiException> closedFailure;
    private final BatchWriter<T, R> writer;
    private final LinkedBlockingQueue<Pending<T, R>> queue = new LinkedBlockingQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Pending<T, R> stop = new Pending<>(null, new CompletableFuture<>());
    private volatile boolean closed;

    /**
     * @param name    names the writer threads (medpki-NAME-i) and failures
     * @param writers how many batches may be in flight at once (each writer thread has one); 1
     *                keeps batches in queue order
     * @param closed  the failure of an item submitted after (or left over at) {@link #close()}
     */
    public GroupCommit(String name, int maxBatch, int writers, Supplier<PkiException> closed,
                       BatchWriter<T, R> writer) {
        this.name = Objects.requireNonNull(name, "name");
        if (maxBatch < 1 || writers < 1) {
            throw new IllegalArgumentException("a group commit needs at least one writer and one item per batch");
        }
        this.maxBatch = maxBatch;
        this.closedFailure = Objects.requireNonNull(closed, "closed");
        this.writer = Objects.requireNonNull(writer, "writer");
        for (int i = 0; i < writers; i++) {
            threads.add(Thread.ofPlatform().daemon().name("medpki-" + name + "-" + i).start(this::loop));
        }
    }

    /** Blocks until the item's batch is written; returns the item's result or throws its failure. */
    public R submit(T item) {
        if (closed) {
            throw closedFailure.get();
        }
        Pending<T, R> pending = new Pending<>(Objects.requireNonNull(item, "item"), new CompletableFuture<>());
        queue.add(pending);
        if (closed) {
            // close() may have drained the queue just before our add: do not wait forever.
            pending.done.completeExceptionally(closedFailure.get());
        }
        try {
            return pending.done.join();
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
        List<Pending<T, R>> batch = new ArrayList<>();
        while (true) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                // Only close() ends a writer, and it does so with a stop marker, after the queue.
                continue;
            }
            queue.drainTo(batch, maxBatch - 1);
            int stopAt = batch.indexOf(stop);
            if (stopAt >= 0) {
                for (Pending<T, R> p : batch.subList(stopAt + 1, batch.size())) {
                    if (p == stop) {
                        queue.add(stop); // another writer's marker: pass it on
                    } else {
                        p.done.completeExceptionally(closedFailure.get());
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

    private void write(List<Pending<T, R>> batch) {
        List<T> items = new ArrayList<>(batch.size());
        batch.forEach(p -> items.add(p.item));
        List<Outcome<R>> outcomes;
        try {
            outcomes = writer.write(items);
            if (outcomes.size() != batch.size()) {
                throw new PkiException(ErrorKind.INTERNAL, name + " reported " + outcomes.size() + " outcomes for "
                        + batch.size() + " items");
            }
        } catch (Exception e) {
            batch.forEach(p -> p.done.completeExceptionally(e));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            CompletableFuture<R> done = batch.get(i).done;
            switch (outcomes.get(i)) {
                case Outcome.Written<R> w -> done.complete(w.result());
                case Outcome.Failed<R> f -> done.completeExceptionally(f.failure());
            }
        }
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
        List<Pending<T, R>> left = new ArrayList<>();
        queue.drainTo(left);
        left.stream().filter(p -> p != stop).forEach(p -> p.done.completeExceptionally(closedFailure.get()));
    }
}
