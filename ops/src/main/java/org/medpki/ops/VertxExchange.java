package org.medpki.ops;

import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * An HTTP exchange of a Vert.x client, begun from a thread outside Vert.x (a command's main
 * thread, a benchmark's virtual thread) and waited for there. The exchange runs entirely on one
 * event-loop context: begun from the calling thread, an answer that came back within
 * microseconds was now and then received on the connection but never reached the request's
 * future, and the caller waited out its timeout (seen against Pebble, whose answers are that fast).
 */
public final class VertxExchange {
    private VertxExchange() {
    }

    /** Runs {@code exchange} on {@code context}; the returned future completes with its outcome. */
    public static <T> CompletableFuture<T> on(Context context, Supplier<Future<T>> exchange) {
        CompletableFuture<T> done = new CompletableFuture<>();
        context.runOnContext(v -> {
            try {
                exchange.get().onComplete(done::complete, done::completeExceptionally);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }
}
