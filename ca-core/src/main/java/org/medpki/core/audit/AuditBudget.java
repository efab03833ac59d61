package org.medpki.core.audit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bounds the audit entries that refusals a sender can provoke at will (bad signatures, unknown
 * kids, replayed nonces, rate limits) so that the append-only, hash-chained audit log cannot be
 * used to amplify a flood: at most {@code perWindow} entries per key and window; the rest are
 * counted, and the count rides on the next entry written for that key. Keys are event types
 * chosen in code, never a sender's address or kid, so memory stays bounded whatever arrives.
 */
public final class AuditBudget {
    /** What {@link #admit} returns when the entry is to be skipped. */
    public static final long SKIP = -1;
    private final int perWindow;
    private final Duration window;
    private final Clock clock;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    private static final class Window {
        private Instant start;
        private int written;
        private long skipped;
    }

    public AuditBudget(int perWindow, Duration window, Clock clock) {
        if (perWindow < 1 || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("an audit budget needs at least one entry per positive window");
        }
        this.perWindow = perWindow;
        this.window = window;
        this.clock = clock;
    }

    /** {@link #SKIP}, or how many entries of this key were skipped since the last one written. */
    public long admit(String key) {
        Window w = windows.computeIfAbsent(key, k -> new Window());
        synchronized (w) {
            Instant now = clock.instant();
            if (w.start == null || !now.isBefore(w.start.plus(window))) {
                w.start = now;
                w.written = 0;
            }
            if (w.written >= perWindow) {
                w.skipped++;
                return SKIP;
            }
            w.written++;
            long skipped = w.skipped;
            w.skipped = 0;
            return skipped;
        }
    }
}
