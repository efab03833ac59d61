package org.medpki.core.testpki;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.medpki.core.inventory.Notifications;

/**
 * The {@link Notifications} port in memory. Unlike PostgreSQL's, deliveries are synchronous, on
 * the announcing thread, so a test sees their effect as soon as the announcing call returns.
 * {@link #interrupt()} and {@link #reconnect()} play a lost LISTEN connection: announcements made
 * in between are lost, and the subscribers' onReconnect runs when it is back.
 */
public final class InMemoryNotifications implements Notifications {
    private final List<Sub> subscriptions = new CopyOnWriteArrayList<>();

    private final class Sub implements Subscription {
        private final String channel;
        private final Consumer<String> onPayload;
        private final Runnable onReconnect;
        private volatile boolean listening = true;
        private volatile boolean closed;

        private Sub(String channel, Consumer<String> onPayload, Runnable onReconnect) {
            this.channel = channel;
            this.onPayload = onPayload;
            this.onReconnect = onReconnect;
        }

        @Override
        public boolean isListening() {
            return listening && !closed;
        }

        @Override
        public void close() {
            closed = true;
            subscriptions.remove(this);
        }
    }

    @Override
    public Subscription subscribe(String channel, Consumer<String> onPayload, Runnable onReconnect) {
        Sub s = new Sub(channel, onPayload, onReconnect == null ? () -> { } : onReconnect);
        subscriptions.add(s);
        return s;
    }

    /** What the inventory does when a change commits: every listening subscriber of the channel hears it. */
    public void announce(String channel, String payload) {
        for (Sub s : subscriptions) {
            if (s.channel.equals(channel) && s.isListening()) {
                s.onPayload.accept(payload);
            }
        }
    }

    /** The connection is lost: nothing is heard until {@link #reconnect()}. */
    public void interrupt() {
        subscriptions.forEach(s -> s.listening = false);
    }

    /** The connection is back: every subscriber listens again and re-reads what it caches. */
    public void reconnect() {
        for (Sub s : subscriptions) {
            s.listening = true;
            s.onReconnect.run();
        }
    }

    /** How many subscriptions are open. */
    public int subscriptions() {
        return subscriptions.size();
    }
}
