package org.medpki.core.settings;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * The one duration syntax of every setting: a number and s, m, h or d ({@code 90s}, {@code 5m},
 * {@code 6h}, {@code 7d}), or ISO-8601 ({@code PT24H}, {@code P7D}), so that a value means the
 * same in every section and in the environment.
 */
public final class Durations {
    private Durations() {
    }

    /** The duration {@code text}; IllegalArgumentException naming {@code key} when it is not one. */
    public static Duration parse(String key, String text) {
        String t = text == null ? "" : text.trim();
        String lower = t.toLowerCase(Locale.ROOT);
        if (lower.matches("[0-9]{1,9}[smhd]")) {
            long n = Long.parseLong(lower.substring(0, lower.length() - 1));
            return switch (lower.charAt(lower.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        if (lower.startsWith("p") || lower.startsWith("-p")) {
            try {
                Duration d = Duration.parse(t.toUpperCase(Locale.ROOT));
                if (!d.isNegative()) {
                    return d;
                }
            } catch (DateTimeParseException e) {
                // fall through to the message below
            }
        }
        throw new IllegalArgumentException(key + " '" + text + "' is not a duration such as 90s, 5m, 6h, 7d or PT24H");
    }

    /** {@link #parse} when {@code text} is set, else {@code fallback}. */
    public static Duration parse(String key, String text, Duration fallback) {
        return text == null ? fallback : parse(key, text);
    }
}
