package org.medpki.device.est;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Fuzzes what EST reads from a device before the enrollment service sees it: the Authorization
 * header ({@link BasicCredentials#parse}, raw and as base64 of the input) and the enroll body
 * ({@link EstCodec#csr}, raw and base64). Each input is tried as all four. The only accepted outcomes are a result or the
 * documented refusal ({@link BasicCredentials.Malformed}, {@link EstCodec.BadRequest}); a refusal
 * must not repeat the password it was given. Seeds: EstCodecFuzzTestInputs/estInput/.
 */
class EstCodecFuzzTest {

    /** Every input is tried as each of the four: one fuzz target per class, as the fuzz phase runs one per JVM. */
    @FuzzTest(maxDuration = "30s")
    void estInput(byte[] data) {
        credentials(new String(data, StandardCharsets.UTF_8));
        credentials("Basic " + Base64.getEncoder().encodeToString(data));
        body(data);
        body(EstCodec.base64(data));
    }

    private static void credentials(String authorization) {
        try {
            BasicCredentials c = BasicCredentials.parse(authorization);
            if (c.serial().isEmpty() || c.serial().length() > BasicCredentials.MAX_SERIAL
                    || !BasicCredentials.printable(c.serial())) {
                throw new AssertionError("a serial that is not printable ASCII of 1 to 64 characters was accepted");
            }
            if (c.code().isEmpty() || c.code().chars().anyMatch(Character::isISOControl)) {
                throw new AssertionError("an empty code or one with control characters was accepted");
            }
            if (c.toString().contains(c.code()) && !c.serial().contains(c.code()) && !"BasicCredentials[serial=]".contains(c.code())) {
                throw new AssertionError("toString() shows the enrollment code");
            }
        } catch (BasicCredentials.Malformed e) {
            String password = password(authorization);
            if (password != null && password.length() > 3 && e.getMessage().contains(password)) {
                throw new AssertionError("a refusal repeats the password: " + e.getMessage());
            }
            if (e.claimed() != null && (!BasicCredentials.printable(e.claimed())
                    || e.claimed().length() > BasicCredentials.MAX_SERIAL)) {
                throw new AssertionError("a claimed serial that is not printable ASCII: " + e.claimed());
            }
        }
    }

    /** The password part of Basic credentials, if there is one to look for. */
    private static String password(String authorization) {
        try {
            String text = new String(Base64.getDecoder().decode(authorization.substring(authorization.indexOf(' ') + 1)
                    .strip()), StandardCharsets.UTF_8);
            int colon = text.indexOf(':');
            return colon < 0 ? null : text.substring(colon + 1);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static void body(byte[] body) {
        try {
            byte[] der = EstCodec.csr("application/pkcs10", body);
            if (der.length == 0) {
                throw new AssertionError("an empty request was accepted");
            }
        } catch (EstCodec.BadRequest e) {
            if (e.getMessage() == null || e.getMessage().isBlank()) {
                throw new AssertionError("a refusal without a reason");
            }
        }
    }
}
