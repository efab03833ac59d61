package org.medpki.acme;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/**
 * Runs a blocking call (the CA's issuance and revocation, challenge validation over the network,
 * an audit entry waiting for its commit) on a virtual thread of its own and awaits it as a Vert.x
 * future. A virtual-thread verticle runs its context's tasks one at a time and switches only at
 * {@code Future.await}: a call that blocks any other way would hold every other ACME request
 * behind it, for as long as a slow validation target cares to take.
 */
final class OffContext {
    private OffContext() {
    }

    private record Outcome<T>(T value, Throwable failure) {
    }

    static <T> T call(Supplier<T> work) {
        if (Vertx.currentContext() == null) {
            return work.get();   // not on the verticle (start-up, tools): nothing to free
        }
        Promise<Outcome<T>> done = Promise.promise();
        Thread.ofVirtual().name("acme-blocking").start(() -> {
            try {
                done.complete(new Outcome<>(work.get(), null));
            } catch (Throwable t) {
                done.complete(new Outcome<>(null, t));
            }
        });
        Outcome<T> outcome = done.future().await();
        return switch (outcome.failure()) {
            case null -> outcome.value();
            case RuntimeException e -> throw e;
            case Error e -> throw e;
            default -> throw new IllegalStateException(outcome.failure());
        };
    }

    static void run(Runnable work) {
        call(() -> {
            work.run();
            return null;
        });
    }
}
