package org.medpki.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

/**
 * The one group-commit mechanism (AuditLog's single writer, PgInventory's several): per-item
 * outcomes, a failed batch failing each of its callers with an exception of its own, close
 * writing what was queued. Batches are made deterministic by holding the writer on a first item
 * until the others are queued.
 */
class GroupCommitTest {

    private static PkiException closed() {
        return new PkiException(ErrorKind.DATABASE_UNAVAILABLE, "closed for the test");
    }

    @Test
    void eachCallerGetsItsOwnResultOrItsOwnFailure() throws Exception {
        GroupCommit.BatchWriter<Integer, String> writer = batch -> batch.stream()
                .map(i -> i % 2 == 0 ? GroupCommit.written("#" + i)
                        : GroupCommit.<String>failed(new PkiException(ErrorKind.CONFLICT, "odd " + i)))
                .toList();
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try (GroupCommit<Integer, String> commit = new GroupCommit<>("test", 50, 3, GroupCommitTest::closed, writer)) {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                int item = i;
                results.add(callers.submit(() -> {
                    try {
                        return commit.submit(item);
                    } catch (PkiException e) {
                        return e.kind() + ":" + e.detail();
                    }
                }));
            }
            for (int i = 0; i < results.size(); i++) {
                assertThat(results.get(i).get(1, TimeUnit.MINUTES))
                        .isEqualTo(i % 2 == 0 ? "#" + i : "CONFLICT:odd " + i);
            }
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void aSingleWriterWritesOneBatchAtATimeInQueueOrder() throws Exception {
        List<Integer> written = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger mostInFlight = new AtomicInteger();
        GroupCommit.BatchWriter<Integer, Integer> writer = batch -> {
            mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            written.addAll(batch);
            inFlight.decrementAndGet();
            return batch.stream().map(GroupCommit::written).toList();
        };
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try (GroupCommit<Integer, Integer> commit = new GroupCommit<>("test", 10, 1, GroupCommitTest::closed, writer)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                done.add(callers.submit(() -> {
                    for (int i = 0; i < 100; i++) {
                        assertThat(commit.submit(thread * 1000 + i)).isEqualTo(thread * 1000 + i);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(1, TimeUnit.MINUTES);
            }
        } finally {
            callers.shutdownNow();
        }
        assertThat(mostInFlight).hasValue(1);
        assertThat(written).hasSize(800);
        // Each caller waits for its item, so its items were queued, and written, in its order.
        for (int t = 0; t < 8; t++) {
            int thread = t;
            assertThat(written.stream().filter(i -> i / 1000 == thread).toList()).isSorted();
        }
    }

    @Test
    void aFailedBatchFailsEveryCallerInItWithAnExceptionOfItsOwn() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
        PkiException down = new PkiException(ErrorKind.DATABASE_UNAVAILABLE, "the database went away");
        GroupCommit.BatchWriter<String, Void> writer = batch -> {
            batchSizes.add(batch.size());
            if (batch.contains("first")) {
                entered.countDown();
                await(release);
                return batch.stream().map(x -> GroupCommit.<Void>written(null)).toList();
            }
            throw down;
        };
        try (GroupCommit<String, Void> commit = new GroupCommit<>("test", 10, 1, GroupCommitTest::closed, writer)) {
            Caller<Void> first = Caller.start(() -> commit.submit("first"));
            await(entered);
            Caller<Void> a = Caller.start(() -> commit.submit("a"));
            Caller<Void> b = Caller.start(() -> commit.submit("b"));
            a.waitUntilQueued();
            b.waitUntilQueued();
            release.countDown();
            first.result.get(1, TimeUnit.MINUTES);
            PkiException fa = a.failure();
            PkiException fb = b.failure();
            assertThat(batchSizes).containsExactly(1, 2);
            assertThat(fa).isNotSameAs(fb).isNotSameAs(down);
            for (PkiException f : List.of(fa, fb)) {
                assertThat(f.kind()).isEqualTo(ErrorKind.DATABASE_UNAVAILABLE);
                assertThat(f.detail()).isEqualTo("the database went away");
                assertThat(f.getCause()).isSameAs(down);
            }
        }
    }

    @Test
    void closeWritesWhatWasQueuedAndRefusesWhatComesAfter() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> written = Collections.synchronizedList(new ArrayList<>());
        GroupCommit.BatchWriter<String, String> writer = batch -> {
            if (batch.contains("first")) {
                entered.countDown();
                await(release);
            }
            written.addAll(batch);
            return batch.stream().map(s -> GroupCommit.written(s.toUpperCase(java.util.Locale.ROOT))).toList();
        };
        GroupCommit<String, String> commit = new GroupCommit<>("test", 10, 1, GroupCommitTest::closed, writer);
        Caller<String> first = Caller.start(() -> commit.submit("first"));
        await(entered);
        Caller<String> second = Caller.start(() -> commit.submit("second"));
        second.waitUntilQueued();
        Thread closer = Thread.ofPlatform().start(commit::close);
        release.countDown();
        closer.join();
        assertThat(first.result.get(1, TimeUnit.MINUTES)).isEqualTo("FIRST");
        assertThat(second.result.get(1, TimeUnit.MINUTES)).isEqualTo("SECOND");
        assertThatThrownBy(() -> commit.submit("late")).isInstanceOfSatisfying(PkiException.class,
                e -> assertThat(e.detail()).isEqualTo("closed for the test"));
        assertThat(written).containsExactly("first", "second");
    }

    @Test
    void aWriterReportingTheWrongNumberOfOutcomesFailsTheBatch() {
        try (GroupCommit<String, Void> commit = new GroupCommit<>("short", 10, 1, GroupCommitTest::closed,
                batch -> List.of())) {
            assertThatThrownBy(() -> commit.submit("x")).isInstanceOfSatisfying(PkiException.class,
                    e -> assertThat(e.kind()).isEqualTo(ErrorKind.INTERNAL));
        }
    }

    /** A caller on a thread of its own. */
    private record Caller<R>(Thread thread, CompletableFuture<R> result) {
        static <R> Caller<R> start(java.util.function.Supplier<R> call) {
            CompletableFuture<R> result = new CompletableFuture<>();
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    result.complete(call.get());
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            });
            return new Caller<>(t, result);
        }

        /** Parked in submit's wait for its item, so the item is queued. */
        void waitUntilQueued() {
            while (!(thread.getState() == Thread.State.WAITING
                    && LockSupport.getBlocker(thread) != null
                    && LockSupport.getBlocker(thread).getClass().getName().startsWith(
                            CompletableFuture.class.getName()))) {
                if (!thread.isAlive()) {
                    throw new AssertionError("the caller ended without waiting");
                }
                Thread.onSpinWait();
            }
        }

        PkiException failure() throws Exception {
            try {
                result.get(1, TimeUnit.MINUTES);
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof PkiException p) {
                    return p;
                }
                throw e;
            }
            throw new AssertionError("the call did not fail");
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
