package org.medpki.core.crl;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Objects;
import org.medpki.core.revocation.RevocationReason;

/** One CRL entry: serial, revocation date, reason and, where known, the invalidity date. */
public record RevokedEntry(BigInteger serial, Instant revokedAt, RevocationReason reason, Instant invalidityDate) {
    public RevokedEntry {
        Objects.requireNonNull(serial, "serial");
        Objects.requireNonNull(revokedAt, "revokedAt");
        Objects.requireNonNull(reason, "reason");
    }
}
