package org.medpki.core.hierarchy;

import java.time.Instant;
import java.util.Objects;

/**
 * One rollover of an issuing CA to a new key: the generation it makes of the CA that profiles name
 * ({@code issuerName}, the first generation's name), the key's label in the CA token (recorded
 * before the key is generated, so that no key exists without its record), when issuance switches
 * to it, and once certified by the root the new generation's CA row ({@code caId}, null while the
 * rollover is only planned).
 */
public record CaRollover(long id, String issuerName, int generation, long previousCaId, String keyLabel,
                         Instant switchAt, String requestedBy, Instant plannedAt, Long caId, Instant completedAt) {
    public CaRollover {
        Objects.requireNonNull(issuerName, "issuerName");
        Objects.requireNonNull(keyLabel, "keyLabel");
        Objects.requireNonNull(switchAt, "switchAt");
        Objects.requireNonNull(requestedBy, "requestedBy");
        if (generation < 2) {
            throw new IllegalArgumentException("a rollover makes generation 2 or later, not " + generation);
        }
        if ((caId == null) != (completedAt == null)) {
            throw new IllegalArgumentException("a rollover is complete exactly when it has its CA row");
        }
    }

    public boolean completed() {
        return caId != null;
    }

    /** The CA row name of generation {@code generation} of the CA that profiles call {@code issuerName}. */
    public static String generationName(String issuerName, int generation) {
        return generation == 1 ? issuerName : issuerName + "-g" + generation;
    }

    /** The name profiles use for the CA row {@code caName}: without the "-g{n}" of a later generation. */
    public static String firstGenerationName(String caName) {
        return caName.replaceFirst("-g[0-9]+$", "");
    }

    /** This rollover's CA row name. */
    public String caName() {
        return generationName(issuerName, generation);
    }
}
