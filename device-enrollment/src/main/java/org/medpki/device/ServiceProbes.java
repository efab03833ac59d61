package org.medpki.device;

import io.vertx.core.http.HttpServerResponse;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The /health and /metrics of an enrollment front end, as every service of the PKI serves them:
 * {@code ready} says whether the inventory answers (it blocks, so it runs on a virtual thread),
 * {@code metrics} gives the Prometheus text of the service's own counts.
 */
public record ServiceProbes(BooleanSupplier ready, Supplier<String> metrics) {

    /** 200 {"status":"UP"} or 503 {"status":"DOWN"}. */
    public void health(HttpServerResponse response) {
        Thread.ofVirtual().name("enrollment-health").start(() -> {
            boolean up;
            try {
                up = ready.getAsBoolean();
            } catch (RuntimeException e) {
                up = false;
            }
            response.setStatusCode(up ? 200 : 503).putHeader("Content-Type", "application/json")
                    .putHeader("Cache-Control", "no-store")
                    .end(up ? "{\"status\":\"UP\"}" : "{\"status\":\"DOWN\",\"database\":\"DOWN\"}");
        });
    }

    /** The counts, followed by {@code listener}'s (the connection guard's). */
    public void metrics(HttpServerResponse response, String listener) {
        response.putHeader("Content-Type", "text/plain; version=0.0.4").putHeader("Cache-Control", "no-store")
                .end(metrics.get() + listener);
    }
}
