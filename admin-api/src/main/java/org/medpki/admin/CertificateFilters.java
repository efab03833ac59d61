package org.medpki.admin;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.medpki.core.inventory.CaRecord;
import org.medpki.core.inventory.CertificateQuery;
import org.medpki.core.inventory.CertificateStatus;
import org.medpki.core.inventory.Inventory;

/**
 * The certificate filters of the admin API, one parser for the inventory search (query
 * parameters, {@code GET /api/v1/certificates}) and for a revocation by query (a JSON object,
 * {@code POST /api/v1/revocations}): each value checked strictly, a bad one a 422 naming it.
 */
final class CertificateFilters {
    /** Every filter; the search also takes {@code status} and {@code limit}. */
    static final Set<String> NAMES = Set.of("profile", "san", "owner", "tag", "issuer", "issuedAfter", "issuedBefore",
            "expiringWithinDays", "acmeAccount", "eabKey", "keySha256");
    private static final Pattern PROFILE = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");

    private final Inventory inventory;
    private final Owners owners;
    private final Clock clock;

    CertificateFilters(Inventory inventory, Owners owners, Clock clock) {
        this.inventory = inventory;
        this.owners = owners;
        this.clock = clock;
    }

    /**
     * The query for the filters {@code value} gives (null when absent; a String, or for
     * expiringWithinDays also an Integer); field names in problems start with {@code prefix}.
     */
    CertificateQuery parse(Function<String, Object> value, String prefix, CertificateStatus status, int limit) {
        String profile = text(value, prefix, "profile", 64);
        if (profile != null && !PROFILE.matcher(profile).matches()) {
            throw Problem.badInput(prefix + "profile", prefix + "profile must be a profile name (lower-case letters, "
                    + "digits, hyphens)");
        }
        String san = text(value, prefix, "san", 253);
        if (san != null && san.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
            throw Problem.badInput(prefix + "san", prefix + "san must be one name (1-253 printable characters, no spaces)");
        }
        Instant expiringBefore = null;
        Object within = value.apply("expiringWithinDays");
        if (within != null) {
            int days = within instanceof Integer i ? i
                    : within instanceof String s && s.matches("[0-9]{1,9}") ? Integer.parseInt(s) : -1;
            if (days < 1 || days > 3650) {
                throw Problem.badInput(prefix + "expiringWithinDays", prefix + "expiringWithinDays must be a whole "
                        + "number from 1 to 3650");
            }
            expiringBefore = clock.instant().plus(Duration.ofDays(days));
        }
        CertificateQuery query = new CertificateQuery(profile, status, expiringBefore, san, limit);
        String owner = text(value, prefix, "owner", 128);
        if (owner != null && !Owners.NAME.matcher(owner).matches()) {
            throw Problem.badInput(prefix + "owner", prefix + "owner must be an owner's name");
        }
        String tag = text(value, prefix, "tag", 64);
        if (tag != null && !Owners.TAG.matcher(tag).matches()) {
            throw Problem.badInput(prefix + "tag", prefix + "tag must be a tag (letters, digits, . _ : / -)");
        }
        query = query.withOwner(owner, tag);
        String issuer = text(value, prefix, "issuer", 128);
        if (issuer != null) {
            query = query.withCa(inventory.ca(issuer).map(CaRecord::id)
                    .orElseThrow(() -> Problem.badInput(prefix + "issuer", "no CA is named " + cut(issuer))));
        }
        Instant after = time(value, prefix, "issuedAfter");
        Instant before = time(value, prefix, "issuedBefore");
        if (after != null && before != null && !after.isBefore(before)) {
            throw Problem.badInput(prefix + "issuedBefore", prefix + "issuedBefore must be later than issuedAfter");
        }
        query = query.withIssued(after, before);
        String key = text(value, prefix, "keySha256", 64);
        if (key != null) {
            if (!SHA256_HEX.matcher(key).matches()) {
                throw Problem.badInput(prefix + "keySha256", prefix + "keySha256 must be the SHA-256 of the "
                        + "certificate's SubjectPublicKeyInfo in hex (64 digits)");
            }
            query = query.withKey(HexFormat.of().parseHex(key));
        }
        String account = id(value, prefix, "acmeAccount");
        String eabKey = id(value, prefix, "eabKey");
        if (account != null && eabKey != null) {
            throw Problem.badInput(prefix + "eabKey", "give acmeAccount or eabKey, not both");
        }
        if (account != null) {
            query = query.withSerials(owners.serialsOfAccount(account, RevocationDesk.MAX_CERTIFICATES));
        } else if (eabKey != null) {
            query = query.withSerials(owners.serialsOfEabKey(eabKey, RevocationDesk.MAX_CERTIFICATES));
        }
        return query;
    }

    /** Whether {@code query} filters on anything beyond status and limit (a revocation by query must). */
    static boolean filters(CertificateQuery q) {
        return q.profile() != null || q.san() != null || q.expiringBefore() != null || q.usesExtendedFilters();
    }

    private static String text(Function<String, Object> value, String prefix, String name, int max) {
        Object v = value.apply(name);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String s) || s.isEmpty() || s.length() > max) {
            throw Problem.badInput(prefix + name, prefix + name + " must be a non-empty string of at most " + max
                    + " characters");
        }
        return s;
    }

    private static String id(Function<String, Object> value, String prefix, String name) {
        String id = text(value, prefix, name, 128);
        if (id != null && !ID.matcher(id).matches()) {
            throw Problem.badInput(prefix + name, prefix + name + " must be an id (letters, digits, _ and -)");
        }
        return id;
    }

    private static Instant time(Function<String, Object> value, String prefix, String name) {
        String text = text(value, prefix, name, 40);
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw Problem.badInput(prefix + name, prefix + name + " must be a time like 2026-12-01T00:00:00Z");
        }
    }

    private static String cut(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
