package org.medpki.acme;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** An ACME authorization of one identifier (a wildcard's base name with {@code wildcard} set). */
public record Authorization(String id, String accountId, Identifier identifier, boolean wildcard, String status,
                            Instant expires, List<Challenge> challenges) {
    public Authorization {
        Objects.requireNonNull(id, "id");
        challenges = List.copyOf(challenges);
    }
}
