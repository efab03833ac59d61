package org.medpki.device.est;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Fuzzes what EST reads from a device before the enrollment service sees it: the Authorization
 * header ({@link BasicCredentials#parse}, raw and as base64 of the input) and the enroll body
 * ({@link EstCodec#csr}, raw and base64). Each input is tried as all four. The only accepted outcomes are a result or the
 * documented refusal ({@link BasicCredentials.Malformed}, {@link EstCodec.BadRequest}); a refusal's
 * reason is one of the fixed texts, so that it never echoes the password it was given. Seeds: EstCodecFuzzTestInputs/estInput/.
 */
class EstCodecFuzzTest {
    /** The reasons of {@link BasicCredentials.Malformed}, collected from one bad header of each kind. */
    private static final Set<String> REASONS = Stream.of("Bearer x", "Basic !!!",
                    "Basic " + Base64.getEncoder().encodeToString(new byte[] {(byte) 0xff}), basic("no colon"),
                    basic(":code"), basic("DEV-1:"))
            .map(EstCodecFuzzTest::reason).collect(Collectors.toUnmodifiableSet());

    private static String basic(String userColonPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8));
    }

    private static String reason(String authorization) {
        try {
            BasicCredentials.parse(authorization);
            throw new IllegalStateException("accepted: " + authorization);
        } catch (BasicCredentials.Malformed e) {
            return e.getMessage();
        }
    }

    /** Every input is tried as each of the four: one fuzz target per class, as the fuzz phase runs one per JVM. */
    @FuzzTest(maxDuration = "15s")
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
            // The serial is the only part of the input that toString() may show.
            if (!c.toString().equals("BasicCredentials[serial=" + c.serial() + "]")) {
                throw new AssertionError("toString() shows more than the serial: " + c.serial());
            }
        } catch (BasicCredentials.Malformed e) {
            // The reasons are fixed texts: one outside the set would be echoing the input (the password).
            if (!REASONS.contains(e.getMessage())) {
                throw new AssertionError("a refusal whose reason is not one of the fixed ones: " + e.getMessage());
            }
            if (e.claimed() != null && (!BasicCredentials.printable(e.claimed())
                    || e.claimed().length() > BasicCredentials.MAX_SERIAL)) {
                throw new AssertionError("a claimed serial that is not printable ASCII: " + e.claimed());
            }
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
