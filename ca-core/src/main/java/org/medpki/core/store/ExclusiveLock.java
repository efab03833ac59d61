package org.medpki.core.store;

/**
 * Port: one active instance at a time. Among the instances of a service that each hold a lock of
 * the same name, at most one holds it at any moment; that one does the work (publishes CRLs,
 * rotates OCSP signers), the others stand by and try again later. Holding it is an optimisation
 * against duplicate work, not the safety net: what must never happen twice is refused by the
 * store itself. inventory-pg implements it with a PostgreSQL advisory lock. Calls may block.
 */
public interface ExclusiveLock extends AutoCloseable {

    /**
     * True if this instance holds the lock now: takes it if it is free, and keeps it held (true
     * again, no new acquisition) when it is held already. False when another instance holds it
     * or the lock cannot be reached; never throws for that.
     */
    boolean tryAcquire();

    /**
     * Whether this instance still holds the lock as far as it knows: false before the first
     * successful {@link #tryAcquire()}, and false once the lock is lost (e.g. the connection that
     * held it dropped), until a later {@code tryAcquire()} takes it again.
     */
    boolean held();

    /** Gives the lock up (if held) and frees what it uses; {@link #held()} is false afterwards. */
    @Override
    void close();
}
