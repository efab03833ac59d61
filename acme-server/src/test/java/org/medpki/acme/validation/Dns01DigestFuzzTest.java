package org.medpki.acme.validation;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes the dns-01 comparison of TXT values with the key authorization's digest: never an
 * exception, and the expected digest (with surrounding whitespace) among the values always
 * matches. Input: UTF-8 lines, the first the key authorization, the others TXT values. Seeds:
 * Dns01DigestFuzzTestInputs/txtValues/.
 */
class Dns01DigestFuzzTest {

    @FuzzTest(maxDuration = "5s")
    void txtValues(byte[] data) {
        List<String> lines = Arrays.asList(new String(data, StandardCharsets.UTF_8).split("\n", -1));
        String keyAuthorization = lines.get(0);
        List<String> values = new ArrayList<>(lines.subList(1, lines.size()));
        boolean matched = Dns01Digest.matches(values, keyAuthorization);
        values.add(" " + Dns01Digest.expected(keyAuthorization) + "\t");
        if (!Dns01Digest.matches(values, keyAuthorization)) {
            throw new AssertionError("the expected digest does not match itself");
        }
        if (matched && values.size() == 1) {
            throw new AssertionError("no values matched");
        }
    }
}
