package org.medpki.admin.notice;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A certificate that expires within the largest window and has no replacement: an end-entity
 * certificate of the inventory ({@code ca} false: {@code caId}/{@code serial} name it) or the
 * certificate of a CA row ({@code ca} true: a root, issuing CA, OCSP signer or audit key;
 * {@code caId} is that row, {@code profile} its role, {@code serial} its certificate's serial).
 * {@code owner} and {@code ownerContact} come from the certificate's owner, when it has one.
 */
public record Expiring(boolean ca, long caId, BigInteger serial, String profile, String subject, List<String> sans,
                       Instant notAfter, String owner, String ownerContact) {
    public Expiring {
        Objects.requireNonNull(serial, "serial");
        Objects.requireNonNull(notAfter, "notAfter");
        sans = List.copyOf(sans);
    }

    /** The serial in the notice's key: the certificate's, or 0 for a CA row's own certificate. */
    public BigInteger keySerial() {
        return ca ? BigInteger.ZERO : serial;
    }
}
