package org.medpki.core.retirement;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.medpki.core.inventory.CaRole;

/**
 * The record of one of the PKI's own keys destroyed in its token (table key_destruction, final):
 * which key (the CA row it was found through, its role, label, token and SPKI SHA-256 in hex),
 * on what grounds ({@code expired}: every certificate of the key and under it expired or was
 * revoked; {@code compromised}: a certificate of the key was revoked for keyCompromise or
 * cACompromise), the last expiry of what it certified, the final CRL signed before (issuing CAs;
 * null for an OCSP signer), who asked, who approved (empty on the CA host's break-glass path), and
 * what the token answered.
 */
public record KeyDestruction(long caId, String ca, CaRole role, String keyLabel, String token, String keySha256,
                             String grounds, Instant lastExpiry, BigInteger finalCrlNumber,
                             Instant finalCrlNextUpdate, String requestedBy, List<String> approvers,
                             boolean breakGlass, String tokenAnswer, Instant destroyedAt) {
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    public KeyDestruction {
        Objects.requireNonNull(ca, "ca");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(keyLabel, "keyLabel");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(grounds, "grounds");
        Objects.requireNonNull(requestedBy, "requestedBy");
        Objects.requireNonNull(tokenAnswer, "tokenAnswer");
        Objects.requireNonNull(destroyedAt, "destroyedAt");
        if (keySha256 == null || !SHA256_HEX.matcher(keySha256).matches()) {
            throw new IllegalArgumentException("keySha256 is 64 lower-case hex digits");
        }
        if (!grounds.equals("expired") && !grounds.equals("compromised")) {
            throw new IllegalArgumentException("grounds are expired or compromised");
        }
        approvers = approvers == null ? List.of() : List.copyOf(approvers);
    }
}
