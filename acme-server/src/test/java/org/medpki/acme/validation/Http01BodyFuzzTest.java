package org.medpki.acme.validation;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import org.medpki.acme.AcmeException;
import org.medpki.acme.Identifier;
import org.medpki.acme.ProblemType;

/**
 * Fuzzes the http-01 body check ({@link Http01Body#check}): a body's bytes against a fixed key
 * authorization; it returns exactly when the body, at most the size limit and trimmed, is the key
 * authorization, and otherwise refuses with incorrectResponse; nothing else. Seeds:
 * Http01BodyFuzzTestInputs/body/.
 */
class Http01BodyFuzzTest {
    private static final Identifier ID = new Identifier("dns", "www.hospital.test");
    private static final String KEY_AUTHORIZATION =
            "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA.9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI";

    @FuzzTest(maxDuration = "5s")
    void body(byte[] data) {
        boolean expected = data.length <= Http01Body.MAX_BYTES
                && new String(data, StandardCharsets.UTF_8).trim().equals(KEY_AUTHORIZATION);
        boolean passed;
        try {
            Http01Body.check(data, KEY_AUTHORIZATION, ID);
            passed = true;
        } catch (AcmeException e) {
            if (e.type() != ProblemType.INCORRECT_RESPONSE || !ID.equals(e.identifier())) {
                throw new AssertionError("refusal of type " + e.type(), e);
            }
            passed = false;
        }
        if (passed != expected) {
            throw new AssertionError("the body check said " + passed);
        }
    }
}
