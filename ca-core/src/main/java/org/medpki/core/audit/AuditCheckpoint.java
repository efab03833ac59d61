package org.medpki.core.audit;

import java.time.Instant;

/** A signature by the audit key in the HSM over the chain head at {@code seq}. */
public record AuditCheckpoint(long seq, byte[] hash, Instant signedAt, String keyLabel,
                              String signatureAlgorithm, byte[] signature) {
}
