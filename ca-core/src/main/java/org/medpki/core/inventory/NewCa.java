package org.medpki.core.inventory;

import java.time.Instant;
import java.util.Objects;

/** A PKI certificate to be recorded, made at a ceremony or at a signer rotation. */
public record NewCa(String name, CaRole role, Long parentId, String keyLabel, byte[] certificate,
                    Instant notBefore, Instant notAfter) {
    public NewCa {
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
