package org.medpki.acme.validation;

import java.nio.charset.StandardCharsets;
import org.medpki.acme.Identifier;
import org.medpki.acme.ProblemType;

/**
 * The http-01 response body against the key authorization (RFC 8555 8.3), however the body was
 * fetched: at most {@value #MAX_BYTES} bytes, read as UTF-8, equal to the key authorization once
 * surrounding whitespace is trimmed. A refusal is an incorrectResponse problem for the identifier.
 */
final class Http01Body {
    static final int MAX_BYTES = 16 * 1024;

    private Http01Body() {
    }

    /** The body as text; refused when it is larger than {@value #MAX_BYTES} bytes. */
    static String decode(byte[] body, Identifier identifier) {
        if (body.length > MAX_BYTES) {
            throw ChallengeValidator.problem(ProblemType.INCORRECT_RESPONSE, "the http-01 response body is too large",
                    identifier);
        }
        return new String(body, StandardCharsets.UTF_8);
    }

    /** Returns when the body is the key authorization; throws the refusal otherwise. */
    static void check(byte[] body, String keyAuthorization, Identifier identifier) {
        check(decode(body, identifier), keyAuthorization, identifier);
    }

    static void check(String body, String keyAuthorization, Identifier identifier) {
        if (!body.trim().equals(keyAuthorization)) {
            throw ChallengeValidator.problem(ProblemType.INCORRECT_RESPONSE,
                    "the http-01 response is not the key authorization", identifier);
        }
    }
}
