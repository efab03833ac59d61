package org.medpki.admin;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import org.medpki.core.inventory.CertificateQuery;
import org.medpki.core.inventory.CertificateRecord;

/**
 * The order of {@code GET /api/v1/certificates} with {@code sort}, {@code order} and {@code after}:
 * keyset paging, where {@code after} is the opaque {@code next} of the previous page (the sort key
 * and the last row's sort value, CA and serial), checked strictly like any parameter.
 */
final class ListOrder {
    private ListOrder() {
    }

    static CertificateQuery.Order parse(String sort, String order, String after) {
        CertificateQuery.SortKey key = switch (sort == null ? "issuedAt" : sort) {
            case "notAfter" -> CertificateQuery.SortKey.NOT_AFTER;
            case "issuedAt" -> CertificateQuery.SortKey.CREATED_AT;
            case "serial" -> CertificateQuery.SortKey.SERIAL;
            default -> throw Problem.badInput("sort", "sort must be notAfter, issuedAt or serial");
        };
        boolean descending = switch (order == null ? (sort == null ? "desc" : "asc") : order) {
            case "asc" -> false;
            case "desc" -> true;
            default -> throw Problem.badInput("order", "order must be asc or desc");
        };
        return new CertificateQuery.Order(key, descending, after == null ? null : cursor(key, after));
    }

    /** The {@code next} of a page whose last row is {@code last}. */
    static String cursor(CertificateQuery.SortKey key, CertificateRecord last) {
        Instant time = switch (key) {
            case NOT_AFTER -> last.notAfter();
            case CREATED_AT -> last.createdAt();
            case SERIAL -> null;
        };
        String text = key.name() + "|" + (time == null ? "" : time.toString()) + "|" + last.caId() + "|"
                + last.serial().toString(16);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static CertificateQuery.Cursor cursor(CertificateQuery.SortKey key, String after) {
        Problem bad = Problem.badInput("after", "after must be the next value of a previous page with the same sort");
        if (after.length() > 200) {
            throw bad;
        }
        String text;
        try {
            text = new String(Base64.getUrlDecoder().decode(after), StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException e) {
            throw bad;
        }
        String[] parts = text.split("\\|", -1);
        if (parts.length != 4 || !parts[0].equals(key.name()) || !parts[2].matches("[0-9]{1,18}")
                || !parts[3].matches("[0-9a-f]{1,40}")) {
            throw bad;
        }
        Instant time = null;
        if (key != CertificateQuery.SortKey.SERIAL) {
            try {
                time = Instant.parse(parts[1]);
            } catch (DateTimeParseException e) {
                throw bad;
            }
        } else if (!parts[1].isEmpty()) {
            throw bad;
        }
        return new CertificateQuery.Cursor(time, Long.parseLong(parts[2]), new BigInteger(parts[3], 16));
    }
}
