package org.medpki.core.keys;

import java.util.Objects;

/**
 * What the token answered when a key pair was destroyed (C_DestroyObject): the label, how many
 * objects (private key, public key, anything else under the label or the key's CKA_ID) went, and
 * the token's answer in its own words (CKR_OK, then what a search for the label found afterwards),
 * recorded as evidence.
 */
public record DestroyedKey(String label, int objects, String tokenAnswer) {
    public DestroyedKey {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(tokenAnswer, "tokenAnswer");
    }
}
