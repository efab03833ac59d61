package org.medpki.listener;

import java.time.Duration;
import java.util.Objects;

/**
 * What one public HTTP listener allows a client: {@code idleTimeout}, no byte either way for this
 * long closes the connection; {@code headTimeout}, a connection must complete a request head
 * within this long of opening or of its previous request (a client that trickles its headers, or
 * keeps a connection open doing nothing, is closed); {@code bodyTimeout}, a request's body must
 * have arrived this long after its head; {@code maxConnections}, open connections beyond this are
 * closed at once (and counted).
 */
public record ListenerLimits(Duration idleTimeout, Duration headTimeout, Duration bodyTimeout, int maxConnections) {
    public static final ListenerLimits DEFAULTS = new ListenerLimits(Duration.ofSeconds(30), Duration.ofSeconds(10),
            Duration.ofSeconds(30), 1024);

    public ListenerLimits {
        atLeastASecond(idleTimeout, "idleTimeout");
        atLeastASecond(headTimeout, "headTimeout");
        atLeastASecond(bodyTimeout, "bodyTimeout");
        if (maxConnections < 1 || maxConnections > 1_000_000) {
            throw new IllegalArgumentException("maxConnections must be between 1 and 1000000, not " + maxConnections);
        }
    }

    private static void atLeastASecond(Duration d, String key) {
        if (Objects.requireNonNull(d, key).compareTo(Duration.ofSeconds(1)) < 0 || d.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException(key + " must be between 1 second and 1 hour, not " + d);
        }
    }
}
