package org.medpki.admin;

import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.util.Set;

/** What every desk of the admin API does with request bodies and ids, in one place. */
final class Bodies {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Bodies() {
    }

    /** An unknown member of {@code body} is 422 naming it ({@code prefix}, e.g. "query.", before its name). */
    static void only(JsonObject body, Set<String> known, String prefix) {
        for (String name : body.fieldNames()) {
            if (!known.contains(name)) {
                throw Problem.badInput(prefix + cut(name), "unknown member " + prefix + cut(name) + " (known: "
                        + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    /** A request id: 128 random bits in hex (ids appear in URLs and must not be guessable). */
    static String newId() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        // Hex, not base64url: an id that began with '-' would read as an option on a command line.
        return java.util.HexFormat.of().formatHex(b);
    }

    /** At most 64 characters of something the client sent, for a message. */
    static String cut(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
