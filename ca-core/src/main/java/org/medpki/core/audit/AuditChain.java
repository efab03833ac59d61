package org.medpki.core.audit;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The hash chain of the audit log. Each entry's hash is SHA-256 over
 * <pre>
 *   lp("medpki-audit-v1") || lp(prevHash) || be64(seq) || be64(epochMicros(at))
 *   || lp(utf8(type)) || lp(utf8(actor)) || lp(utf8(outcome)) || lp(utf8(details))
 * </pre>
 * where {@code lp(x)} is the 4-byte big-endian length of {@code x} followed by {@code x}, so no two
 * different field tuples encode to the same bytes. Timestamps are hashed in microseconds because
 * PostgreSQL's timestamptz keeps microseconds: instants are truncated before hashing and storing
 * so that what is read back hashes the same. The first entry's previous hash is 32 zero bytes.
 */
public final class AuditChain {

    /** Length of every hash in the chain (SHA-256). */
    public static final int HASH_LENGTH = 32;

    private static final byte[] DOMAIN = "medpki-audit-v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CHECKPOINT_DOMAIN =
            "medpki-audit-checkpoint".getBytes(StandardCharsets.US_ASCII);

    /** The previous hash of the first entry. */
    public byte[] genesisHash() {
        return new byte[HASH_LENGTH];
    }

    /** The instant as the log keeps it: truncated to microseconds. */
    public static Instant truncate(Instant at) {
        return at.truncatedTo(ChronoUnit.MICROS);
    }

    /** The stored outcome word of an event: success or failure. */
    public static String outcomeName(AuditEvent.Outcome outcome) {
        return outcome.name().toLowerCase(Locale.ROOT);
    }

    /** Chains an event after {@code prevHash} as entry {@code seq}. */
    public AuditEntry link(long seq, byte[] prevHash, AuditEvent event) {
        Instant at = truncate(event.at());
        String outcome = outcomeName(event.outcome());
        String details = canonicalJson(event.details());
        byte[] hash = hash(prevHash, seq, at, event.type(), event.actor(), outcome, details);
        return new AuditEntry(seq, at, event.type(), event.actor(), outcome, details, prevHash.clone(), hash);
    }

    /** True when the entry's stored hash is the hash of its stored contents. */
    public boolean matches(AuditEntry entry) {
        byte[] expected = hash(entry.prevHash(), entry.seq(), entry.at(), entry.type(), entry.actor(),
                entry.outcome(), entry.details());
        return MessageDigest.isEqual(expected, entry.hash());
    }

    public byte[] hash(byte[] prevHash, long seq, Instant at, String type, String actor, String outcome,
                       String details) {
        MessageDigest sha256 = sha256();
        update(sha256, DOMAIN);
        update(sha256, prevHash);
        sha256.update(ByteBuffer.allocate(16).putLong(seq).putLong(epochMicros(at)).array());
        update(sha256, type.getBytes(StandardCharsets.UTF_8));
        update(sha256, actor.getBytes(StandardCharsets.UTF_8));
        update(sha256, outcome.getBytes(StandardCharsets.UTF_8));
        update(sha256, details.getBytes(StandardCharsets.UTF_8));
        return sha256.digest();
    }

    /**
     * What a checkpoint signs: the ASCII bytes of {@code medpki-audit-checkpoint} (23 bytes), the
     * sequence number as 8 bytes big-endian, then the 32-byte hash of that entry.
     */
    public static byte[] checkpointPayload(long seq, byte[] hash) {
        if (hash.length != HASH_LENGTH) {
            throw new IllegalArgumentException("an audit hash has " + HASH_LENGTH + " bytes, not " + hash.length);
        }
        return ByteBuffer.allocate(CHECKPOINT_DOMAIN.length + 8 + HASH_LENGTH)
                .put(CHECKPOINT_DOMAIN).putLong(seq).put(hash).array();
    }

    /**
     * Canonical JSON of a details map: one object, keys sorted by their UTF-16 code units, no
     * whitespace, strings escaped the same way every time (quote, backslash and control
     * characters escaped; lone surrogates as {@code \\uXXXX} so that nothing is lost in UTF-8).
     * A null value is written as {@code null}.
     */
    public static String canonicalJson(Map<String, String> details) {
        StringBuilder json = new StringBuilder(64).append('{');
        boolean first = true;
        for (Map.Entry<String, String> e : new TreeMap<>(details).entrySet()) {
            if (!first) {
                json.append(',');
            }
            first = false;
            appendString(json, e.getKey());
            json.append(':');
            if (e.getValue() == null) {
                json.append("null");
            } else {
                appendString(json, e.getValue());
            }
        }
        return json.append('}').toString();
    }

    private static void appendString(StringBuilder json, String s) {
        json.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                case '\b' -> json.append("\\b");
                case '\f' -> json.append("\\f");
                default -> {
                    if (c < 0x20 || isLoneSurrogate(s, i)) {
                        json.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }

    private static boolean isLoneSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        }
        return false;
    }

    static long epochMicros(Instant at) {
        return Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000L), at.getNano() / 1_000);
    }

    private static void update(MessageDigest digest, byte[] field) {
        digest.update(ByteBuffer.allocate(4).putInt(field.length).array());
        digest.update(field);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    static String hex(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(bytes);
    }

    static boolean isZero(byte[] hash) {
        return Arrays.equals(hash, new byte[HASH_LENGTH]);
    }
}
