package org.medpki.core.hierarchy;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.medpki.core.error.PkiException;
import org.medpki.core.inventory.Inventory;

/**
 * The CA hierarchy with its generations as issuance sees it: read from the inventory at most every
 * {@link #MAX_AGE_NANOS}, so that a rollover completed by another process ('pki ca rollover' on the
 * CA host) or through the CA API reaches a running CA service within two seconds, and issuance
 * switches at the switch time without a restart. When the database does not answer a re-read,
 * what was read before stands. Thread-safe.
 */
public final class ActiveIssuers {
    static final long MAX_AGE_NANOS = 2_000_000_000L;

    private record Snapshot(IssuerGenerations generations, long readAt) {
    }

    private final Supplier<IssuerGenerations> reader;
    private final boolean follows;
    private volatile Snapshot snapshot;

    private ActiveIssuers(Supplier<IssuerGenerations> reader, boolean follows) {
        this.reader = reader;
        this.follows = follows;
    }

    /** A hierarchy that never changes and has no later generations (tests and tools). */
    public static ActiveIssuers fixed(Hierarchy hierarchy) {
        IssuerGenerations g = new IssuerGenerations(hierarchy, List.of());
        return new ActiveIssuers(() -> g, false);
    }

    /** Follows the inventory's CA rows and the completed rollovers. */
    public static ActiveIssuers following(Inventory inventory, CaRollovers rollovers) {
        Objects.requireNonNull(inventory, "inventory");
        Objects.requireNonNull(rollovers, "rollovers");
        return new ActiveIssuers(() -> new IssuerGenerations(Hierarchy.load(inventory), rollovers.all()), true);
    }

    public IssuerGenerations current() {
        Snapshot s = snapshot;
        long now = System.nanoTime();
        if (s == null || follows && now - s.readAt() > MAX_AGE_NANOS) {
            try {
                s = new Snapshot(reader.get(), now);
            } catch (PkiException e) {
                if (s == null) {
                    throw e;
                }
                return s.generations();
            }
            snapshot = s;
        }
        return s.generations();
    }

    /** The generation of {@code issuerName} that signs at {@code now}. */
    public CaCertificate active(String issuerName, Instant now) {
        return current().active(issuerName, now);
    }
}
