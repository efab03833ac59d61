package org.medpki.core.audit;

import java.time.Instant;
import java.util.Objects;

/**
 * A stored, chained audit entry. {@code details} is the canonical JSON text that was hashed;
 * {@code hash} = SHA-256 over the previous entry's hash and this entry's fields (see
 * {@link AuditChain}).
 */
public record AuditEntry(long seq, Instant at, String type, String actor, String outcome,
                         String details, byte[] prevHash, byte[] hash) {
    public AuditEntry {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(details, "details");
        Objects.requireNonNull(prevHash, "prevHash");
        Objects.requireNonNull(hash, "hash");
    }
}
