package org.medpki.core.inventory;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.medpki.core.revocation.RevocationReason;

/**
 * An end-entity certificate as the inventory knows it. {@code der} is null while PENDING;
 * {@code revokedAt} and {@code reason} are set only when REVOKED.
 */
public record CertificateRecord(long caId, BigInteger serial, String profile, String subject,
                                List<String> sans, Instant notBefore, Instant notAfter,
                                CertificateStatus status, Instant revokedAt, RevocationReason reason,
                                Instant invalidityDate, byte[] der, String requester,
                                Instant createdAt) {
    public CertificateRecord {
        Objects.requireNonNull(serial, "serial");
        Objects.requireNonNull(status, "status");
        sans = List.copyOf(sans);
    }

    /** The serial as lower-case hex without leading zeros, as the CLI shows and takes it. */
    public String serialHex() {
        return serial.toString(16);
    }
}
