package org.medpki.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.medpki.core.inventory.CertificateQuery;
import org.medpki.core.inventory.CertificateRecord;
import org.medpki.core.inventory.CertificateStatus;

/** The keyset cursor of the sorted certificate list: it comes back as it went out; anything else is a 422. */
class ListOrderTest {
    private static final CertificateRecord LAST = new CertificateRecord(3, new BigInteger("abcdef0123", 16), "tls-server",
            "CN=x", List.of(), Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2027-01-01T00:00:00.123456Z"),
            CertificateStatus.ISSUED, null, null, null, new byte[1], "me", Instant.parse("2026-01-01T00:00:01.5Z"));

    @Test
    void aCursorComesBackAsTheRowItWasMadeOf() {
        String next = ListOrder.cursor(CertificateQuery.SortKey.NOT_AFTER, LAST);
        CertificateQuery.Order order = ListOrder.parse("notAfter", "desc", next);
        assertThat(order.descending()).isTrue();
        assertThat(order.after()).isEqualTo(new CertificateQuery.Cursor(LAST.notAfter(), 3, LAST.serial()));
        CertificateQuery.Order bySerial = ListOrder.parse("serial", null,
                ListOrder.cursor(CertificateQuery.SortKey.SERIAL, LAST));
        assertThat(bySerial.descending()).isFalse();
        assertThat(bySerial.after().time()).isNull();
        assertThat(ListOrder.parse(null, null, null))
                .isEqualTo(new CertificateQuery.Order(CertificateQuery.SortKey.CREATED_AT, true, null));
    }

    @Test
    void aForgedOrForeignCursorOrAnUnknownSortIsBadInput() {
        String notAfter = ListOrder.cursor(CertificateQuery.SortKey.NOT_AFTER, LAST);
        for (String[] c : new String[][] {{"serial", "asc", notAfter}, {"notAfter", "asc", "%%%"},
                {"notAfter", "asc", b64("NOT_AFTER|yesterday|3|ab")}, {"notAfter", "asc", b64("NOT_AFTER|2026-01-01T00:00:00Z|3|xyz")},
                {"notAfter", "asc", b64("NOT_AFTER|2026-01-01T00:00:00Z|-3|ab")}, {"notAfter", "asc", "A".repeat(300)},
                {"colour", "asc", null}, {"notAfter", "up", null}}) {
            assertThatThrownBy(() -> ListOrder.parse(c[0], c[1], c[2])).as(String.join(" ", c[0], c[1], String.valueOf(c[2])))
                    .isInstanceOfSatisfying(Problem.class, p -> assertThat(p.status()).isEqualTo(422));
        }
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
    }
}
