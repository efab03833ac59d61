package org.medpki.core.inventory;

import java.time.Instant;
import java.util.Objects;

/**
 * A certificate of the PKI itself (root, issuing CA, OCSP signer, audit key) as the inventory
 * holds it. {@code parentId} is null for a root.
 */
public record CaRecord(long id, String name, CaRole role, Long parentId, String keyLabel,
                       byte[] certificate, Instant notBefore, Instant notAfter, Instant createdAt) {
    public CaRecord {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(keyLabel, "keyLabel");
        Objects.requireNonNull(certificate, "certificate");
        certificate = certificate.clone();
    }

    @Override
    public byte[] certificate() {
        return certificate.clone();
    }
}
