package org.medpki.acme.validation;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * Fuzzes the judgement of a _validation-persist TXT value ({@link DnsPersistRecord}). Documented
 * outcomes only: authorizes, not for us, or refused with malformed or unauthorized; never an
 * exception; and nothing authorizes unless it names us and this account. Input: byte 0 bit 0 =
 * wildcard scope, the rest the TXT value (UTF-8). Seeds: DnsPersistRecordFuzzTestInputs/txtValue/.
 */
class DnsPersistRecordFuzzTest {
    private static final List<String> US = List.of("ca.hospital.test");
    private static final String ACCOUNT = "https://acme.hospital.test/acme/account/a1";

    @FuzzTest(maxDuration = "5s")
    void txtValue(byte[] data) {
        if (data.length == 0) {
            return;
        }
        String value = new String(data, 1, data.length - 1, StandardCharsets.UTF_8);
        DnsPersistRecord.Verdict verdict = new DnsPersistRecord(value).judge(US, ACCOUNT, (data[0] & 1) != 0,
                Instant.parse("2026-12-06T12:00:00Z"));
        switch (verdict) {
            case DnsPersistRecord.Authorizes a -> {
                if (!value.contains(ACCOUNT) || !value.toLowerCase(java.util.Locale.ROOT).contains(US.getFirst())) {
                    throw new AssertionError("authorized without naming us and the account: " + value);
                }
            }
            case DnsPersistRecord.NotForUs n -> {
            }
            case DnsPersistRecord.Refused r -> {
                if (r.type() != org.medpki.acme.ProblemType.MALFORMED
                        && r.type() != org.medpki.acme.ProblemType.UNAUTHORIZED) {
                    throw new AssertionError("refused with " + r.type());
                }
            }
        }
    }
}
