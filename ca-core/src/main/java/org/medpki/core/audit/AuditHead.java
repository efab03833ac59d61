package org.medpki.core.audit;

import java.util.Objects;

/**
 * The head marker the store keeps beside the entries: the sequence number and hash of the last
 * appended entry ({@code seq} 0 and the genesis hash while the log is empty). A head beyond the
 * last stored entry means entries were cut off the tail.
 */
public record AuditHead(long seq, byte[] hash) {
    public AuditHead {
        Objects.requireNonNull(hash, "hash");
        if (seq < 0) {
            throw new IllegalArgumentException("audit head seq must not be negative");
        }
        hash = hash.clone();
    }

    @Override
    public byte[] hash() {
        return hash.clone();
    }
}
