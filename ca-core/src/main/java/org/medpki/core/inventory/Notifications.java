package org.medpki.core.inventory;

import java.util.function.Consumer;

/**
 * Port: what the inventory announces when a change commits (PostgreSQL NOTIFY in inventory-pg),
 * so that services caching what the inventory holds hear of it at once. Channels and payloads:
 * {@link Inventory#REVOCATION_CHANNEL} and {@link Inventory#ISSUANCE_CHANNEL} carry
 * {@code <caId>:<serial in lower-case hex>}; {@link org.medpki.core.crl.CrlStore#PUBLISHED_CHANNEL}
 * carries {@code <caId>:<shard>:<kind>:<CRL number>}.
 */
public interface Notifications {

    /**
     * Subscribes to one channel; returns once the subscription is active (DATABASE_UNAVAILABLE if
     * it cannot be made). Payloads reach {@code onPayload} in order, on a thread of the
     * subscription's own, so the callback may block. Announcements made while a subscription was
     * interrupted are lost: once it is back, {@code onReconnect} runs, and the subscriber re-reads
     * what it caches.
     */
    Subscription subscribe(String channel, Consumer<String> onPayload, Runnable onReconnect);

    /** An active subscription; closing it stops the deliveries. */
    interface Subscription extends AutoCloseable {
        /** True while announcements are being received (false while reconnecting or once closed). */
        boolean isListening();

        @Override
        void close();
    }
}
