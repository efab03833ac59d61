package org.medpki.core.inventory;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Objects;
import org.medpki.core.revocation.RevocationReason;

/**
 * The revocation of one of the PKI's own certificates below the root (an issuing CA or an OCSP
 * signer): which (the {@code ca} row and the certificate's serial), when, why, since when the key
 * is not to be trusted (may be null), and who revoked it.
 */
public record CaRevocation(long caId, BigInteger serial, Instant revokedAt, RevocationReason reason,
                           Instant invalidityDate, String revokedBy) {
    public CaRevocation {
        Objects.requireNonNull(serial, "serial");
        Objects.requireNonNull(revokedAt, "revokedAt");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(revokedBy, "revokedBy");
        if (serial.signum() <= 0) {
            throw new IllegalArgumentException("a certificate serial is positive");
        }
    }
}
