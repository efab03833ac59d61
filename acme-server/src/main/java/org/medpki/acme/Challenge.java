package org.medpki.acme;

import java.time.Instant;
import java.util.Objects;

/** One challenge of an authorization; {@code errorJson} is a problem document once it failed. */
public record Challenge(String id, String authzId, String type, String token, String status, Instant validated,
                        String errorJson) {
    public Challenge {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(token, "token");
    }
}
