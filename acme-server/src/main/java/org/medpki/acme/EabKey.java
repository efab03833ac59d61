package org.medpki.acme;

import java.util.List;
import java.util.Objects;

/**
 * An External Account Binding key: the HMAC secret (never logged), the profiles its account may use
 * (the first is the one an order that names none gets) and the name patterns it may order
 * ({@code name} exactly, or {@code *.domain} for any name strictly below domain). {@code accountId}
 * is set once an account is bound to it.
 */
public record EabKey(String kid, byte[] hmacKey, List<String> profiles, List<String> namePatterns, String accountId) {
    public EabKey {
        Objects.requireNonNull(kid, "kid");
        profiles = List.copyOf(new java.util.LinkedHashSet<>(profiles));
        if (profiles.isEmpty()) {
            throw new IllegalArgumentException("an external account key needs at least one profile");
        }
        hmacKey = hmacKey.clone();
        namePatterns = List.copyOf(namePatterns);
    }

    /** The profile of an order that names none. */
    public String profile() {
        return profiles.getFirst();
    }

    @Override
    public byte[] hmacKey() {
        return hmacKey.clone();
    }

    /** Whether an identifier lies inside the key's patterns; a wildcard needs a "*." pattern. */
    public boolean permits(Identifier identifier) {
        String value = identifier.value();
        for (String pattern : namePatterns) {
            if (pattern.startsWith("*.")) {
                if (value.endsWith("." + pattern.substring(2))) {
                    return true;
                }
            } else if (value.equals(pattern)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "EabKey[" + kid + ", profiles " + profiles + ", " + namePatterns + "]";
    }
}
