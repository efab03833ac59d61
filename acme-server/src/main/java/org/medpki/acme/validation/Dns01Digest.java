package org.medpki.acme.validation;

import java.util.Base64;
import java.util.List;

/**
 * The dns-01 comparison (RFC 8555 8.4): a TXT value matches when, trimmed, it is
 * base64url(SHA-256(keyAuthorization)) without padding. Independent of how the TXT values were
 * looked up.
 */
final class Dns01Digest {
    private Dns01Digest() {
    }

    static String expected(String keyAuthorization) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(ChallengeValidator.sha256(keyAuthorization));
    }

    static boolean matches(List<String> txtValues, String keyAuthorization) {
        String expected = expected(keyAuthorization);
        return txtValues.stream().map(String::trim).anyMatch(expected::equals);
    }
}
