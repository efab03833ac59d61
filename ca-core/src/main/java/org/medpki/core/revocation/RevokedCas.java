package org.medpki.core.revocation;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.inventory.CaRevocation;
import org.medpki.core.inventory.Inventory;

/**
 * Which CA certificates are revoked, read from the inventory at most every {@link #MAX_AGE_NANOS}
 * (so that a revocation made by another process, such as 'pki ca revoke', stops this one within
 * two seconds) and otherwise answered from memory: issuance asks on every certificate. Thread-safe.
 */
public final class RevokedCas {
    static final long MAX_AGE_NANOS = 2_000_000_000L;

    private record Snapshot(Map<Long, CaRevocation> byCa, long readAt) {
    }

    private final Inventory inventory;
    private volatile Snapshot snapshot;

    public RevokedCas(Inventory inventory) {
        this.inventory = Objects.requireNonNull(inventory, "inventory");
    }

    /** The revocation of this CA certificate, if it was revoked. */
    public Optional<CaRevocation> of(long caId) {
        Snapshot s = snapshot;
        long now = System.nanoTime();
        if (s == null || now - s.readAt() > MAX_AGE_NANOS) {
            s = new Snapshot(inventory.caRevocations().stream()
                    .collect(Collectors.toUnmodifiableMap(CaRevocation::caId, Function.identity())), now);
            snapshot = s;
        }
        return Optional.ofNullable(s.byCa().get(caId));
    }

    /** CONFLICT, naming when and why, if {@code issuer} was revoked: a revoked CA signs no certificate. */
    public void refuseIfRevoked(CaCertificate issuer) {
        of(issuer.record().id()).ifPresent(r -> {
            throw new PkiException(ErrorKind.CONFLICT, "the issuing CA '" + issuer.name() + "' was revoked at "
                    + r.revokedAt() + " (" + r.reason().rfcName() + "): it signs no certificate any more");
        });
    }
}
