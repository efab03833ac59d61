package org.medpki.core.keys;

import java.security.PublicKey;
import java.util.Objects;

/**
 * A key pair held in the token: its label (how the PKI names it), the CKA_ID, its type and the
 * public half. The private half never leaves the token.
 */
public record KeyPairInfo(String label, byte[] id, KeyAlgorithm algorithm, PublicKey publicKey) {
    public KeyPairInfo {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(publicKey, "publicKey");
        id = id.clone();
    }

    @Override
    public byte[] id() {
        return id.clone();
    }
}
