package org.medpki.core.keys;

import java.util.List;
import java.util.Optional;

/**
 * Port: the keys of the PKI itself, held in an HSM. Implementations generate keys inside the
 * token (sensitive, never extractable), find them by label, and sign with them. They are safe for
 * concurrent use by many threads. Failures are {@link org.medpki.core.error.PkiException}s with
 * kinds TOKEN_UNAVAILABLE, TOKEN_LOGIN_FAILED or KEY_NOT_FOUND; none carries the PIN.
 */
public interface SigningKeys extends AutoCloseable {

    /** The token these keys live in. */
    TokenDescription token();

    /**
     * Generates a key pair inside the token under a new label. Fails with CONFLICT when the label
     * is already taken.
     */
    KeyPairInfo generate(KeyAlgorithm algorithm, String label);

    /** Looks a key pair up by its label. */
    Optional<KeyPairInfo> find(String label);

    /** Labels of all private keys in the token. */
    List<String> labels();

    /** The private key's protection attributes as the token reports them. */
    KeyProtection protection(String label);

    /**
     * Signs {@code data} (the whole message; hashing happens as the algorithm says) with the
     * private key under {@code label}. ECDSA signatures come back DER-encoded.
     */
    byte[] sign(String label, SignatureAlgorithm algorithm, byte[] data);

    /**
     * Destroys the key pair under {@code label} in the token (C_DestroyObject on the private key,
     * the public key and any other object of that label or CKA_ID) and checks that the token no
     * longer finds it. KEY_NOT_FOUND when the token holds no private key of that label. Key
     * retirement only ({@link org.medpki.core.retirement.KeyRetirementService}); irreversible.
     */
    default DestroyedKey destroy(String label) {
        throw new org.medpki.core.error.PkiException(org.medpki.core.error.ErrorKind.CONFIGURATION,
                "the token '" + token().label() + "' is not opened by a way that can destroy keys");
    }

    /** Whether the token can make this kind of signature (for example Ed25519). */
    boolean supports(SignatureAlgorithm algorithm);

    @Override
    void close();
}
