package org.medpki.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

class EnrollmentCodesTest {

    @Test
    void codesAre32CharactersOfAnUnambiguousAlphabetAndNeverRepeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String code = EnrollmentCodes.newCode();
            assertThat(code).hasSize(32).matches("[0-9A-HJKMNP-TV-Z]{32}");
            assertThat(seen.add(code)).isTrue();
        }
    }

    @Test
    void theHashIgnoresCaseSpacesAndGroupingHyphens() {
        String code = EnrollmentCodes.newCode();
        String grouped = code.substring(0, 8).toLowerCase() + "-" + code.substring(8, 16) + " " + code.substring(16);
        assertThat(EnrollmentCodes.hash(grouped)).isEqualTo(EnrollmentCodes.hash(code));
        assertThat(EnrollmentCodes.hash(code)).isNotEqualTo(EnrollmentCodes.hash(EnrollmentCodes.newCode()));
    }

    @Test
    void aSealedCodeOpensOnlyWithItsKeyAndForItsDevice() {
        EnrollmentCodes codes = new EnrollmentCodes(EnrollmentCodes.newKey());
        String code = EnrollmentCodes.newCode();
        byte[] sealed = codes.seal(code, 7);
        assertThat(new String(codes.unseal(sealed, 7), StandardCharsets.US_ASCII)).isEqualTo(code);
        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain(code);
        // Moved to another device's row, or opened with another installation's key: refused.
        assertThatThrownBy(() -> codes.unseal(sealed, 8)).isInstanceOf(PkiException.class)
                .satisfies(e -> assertThat(((PkiException) e).kind()).isEqualTo(ErrorKind.CONFIGURATION));
        assertThatThrownBy(() -> new EnrollmentCodes(EnrollmentCodes.newKey()).unseal(sealed, 7))
                .isInstanceOf(PkiException.class);
        assertThatThrownBy(() -> new EnrollmentCodes(new byte[16])).isInstanceOf(PkiException.class);
    }
}
