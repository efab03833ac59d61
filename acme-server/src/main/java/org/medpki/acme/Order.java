package org.medpki.acme;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** An ACME order; {@code certSerial} and {@code certChain} are set once it is valid. */
public record Order(String id, String accountId, String status, List<Identifier> identifiers, String profile,
                    Instant expires, Instant notBefore, Instant notAfter, String errorJson, String certSerial,
                    String certChain, String replaces, List<String> authorizationIds) {
    public Order {
        Objects.requireNonNull(id, "id");
        identifiers = List.copyOf(identifiers);
        authorizationIds = List.copyOf(authorizationIds);
    }
}
