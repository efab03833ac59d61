package org.medpki.acme.validation;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the http-01 response check ({@link Http01Response#judge}) with a 200 answer: a body's
 * bytes against a fixed key authorization; valid exactly when the body, at most the size limit,
 * strict UTF-8 and stripped, is the key authorization; incorrect otherwise; nothing else. Seeds:
 * Http01ResponseFuzzTestInputs/body/.
 */
class Http01ResponseFuzzTest {
    private static final String KEY_AUTHORIZATION =
            "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA.9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI";

    @FuzzTest(maxDuration = "5s")
    void body(byte[] data) {
        // A body that is not valid UTF-8 may still decode leniently to the key authorization; the
        // check decodes strictly, so only a strict decoding counts as the expected pass.
        String strict;
        try {
            strict = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(data)).toString();
        } catch (CharacterCodingException e) {
            strict = null;
        }
        boolean expected = data.length <= Http01Response.MAX_BODY && strict != null
                && strict.strip().equals(KEY_AUTHORIZATION);
        Http01Response.Verdict verdict = Http01Response.judge(200, null, data, false, KEY_AUTHORIZATION);
        if (verdict instanceof Http01Response.Redirect) {
            throw new AssertionError("a 200 answer judged a redirect");
        }
        boolean passed = verdict instanceof Http01Response.Valid;
        if (passed != expected) {
            throw new AssertionError("the body check said " + verdict);
        }
    }
}
