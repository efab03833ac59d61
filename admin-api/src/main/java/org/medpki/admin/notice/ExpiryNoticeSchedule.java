package org.medpki.admin.notice;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.medpki.core.audit.AuditEvent;
import org.medpki.core.audit.AuditLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link ExpiryNotices} in the admin service: first {@code firstRunAfter} after start, then
 * every {@code checkEvery}, each run on a virtual thread (it reads the database and waits for the
 * relay), never two at once. A run that fails is logged and audited; the next one tries again.
 */
public final class ExpiryNoticeSchedule extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(ExpiryNoticeSchedule.class);
    private final ExpiryNotices notices;
    private final AuditLog audit;
    private final Clock clock;
    private final AtomicBoolean running = new AtomicBoolean();

    public ExpiryNoticeSchedule(ExpiryNotices notices, AuditLog audit, Clock clock) {
        this.notices = notices;
        this.audit = audit;
        this.clock = clock;
    }

    @Override
    public Future<?> start() {
        ExpiryNoticeConfig c = notices.config();
        vertx.setTimer(Math.max(1, c.firstRunAfter().toMillis()), t -> {
            runInBackground();
            vertx.setPeriodic(c.checkEvery().toMillis(), p -> runInBackground());
        });
        return Future.succeededFuture();
    }

    private void runInBackground() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        Thread.ofVirtual().name("expiry-notices").start(() -> {
            try {
                notices.runOnce();
            } catch (RuntimeException e) {
                LOG.warn("expiry notices: the run failed, the next one tries again: {}", e.getMessage());
                Map<String, String> details = new LinkedHashMap<>();
                details.put("error", e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
                audit.recordQuietly(AuditEvent.failure(clock.instant(), "expiry-notices.run", "admin-api", details));
            } finally {
                running.set(false);
            }
        });
    }
}
