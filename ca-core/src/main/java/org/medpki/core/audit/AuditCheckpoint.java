package org.medpki.core.audit;

import java.time.Instant;
import java.util.Objects;

/**
 * A signature by the audit key in the HSM over the chain head at {@code seq}: the key signs
 * {@link AuditChain#checkpointPayload(long, byte[])} of {@code seq} and {@code hash}.
 */
public record AuditCheckpoint(long seq, byte[] hash, Instant signedAt, String keyLabel,
                              String signatureAlgorithm, byte[] signature) {
    public AuditCheckpoint {
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(signedAt, "signedAt");
        Objects.requireNonNull(keyLabel, "keyLabel");
        Objects.requireNonNull(signatureAlgorithm, "signatureAlgorithm");
        Objects.requireNonNull(signature, "signature");
        if (seq <= 0) {
            throw new IllegalArgumentException("a checkpoint covers an entry: seq must be positive");
        }
        hash = hash.clone();
        signature = signature.clone();
    }

    @Override
    public byte[] hash() {
        return hash.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }
}
