package org.medpki.core.name;

import java.util.Locale;

/**
 * Syntax of DNS names as they may appear in a dNSName SAN (RFC 5280 4.2.1.6, RFC 1034 preferred
 * name syntax, RFC 5890 A-labels): LDH labels of 1-63 octets, at most 253 octets in all, no
 * trailing dot, lower case, at least two labels, a top label that is not all digits. A leftmost
 * "*" label is a wildcard and is accepted only when the caller allows it.
 */
public final class DnsNameSyntax {
    public static final int MAX_NAME_LENGTH = 253;
    public static final int MAX_LABEL_LENGTH = 63;

    private DnsNameSyntax() {
    }

    /** Lower-cases ASCII; names are compared and issued in lower case. */
    public static String normalize(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    /** Null when {@code name} is well-formed, otherwise why it is not. */
    public static String problem(String name, boolean wildcardAllowed) {
        if (name.isEmpty()) {
            return "it is empty";
        }
        if (name.length() > MAX_NAME_LENGTH) {
            return "it is longer than " + MAX_NAME_LENGTH + " characters";
        }
        if (name.endsWith(".")) {
            return "it ends with a dot";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c > 0x7e || c < 0x21) {
                return "it contains a character that is not printable ASCII (use IDNA A-labels, xn--...)";
            }
        }
        String[] labels = name.split("\\.", -1);
        if (labels.length < 2) {
            return "it has a single label";
        }
        for (int i = 0; i < labels.length; i++) {
            String label = labels[i];
            if (i == 0 && label.equals("*")) {
                if (!wildcardAllowed) {
                    return "it is a wildcard name, which is not allowed here";
                }
                if (labels.length < 3) {
                    return "a wildcard must stand above at least two labels";
                }
                continue;
            }
            String p = labelProblem(label);
            if (p != null) {
                return "label '" + label + "' " + p;
            }
        }
        if (labels[labels.length - 1].chars().allMatch(Character::isDigit)) {
            return "its top label is all digits (an IP address belongs in an iPAddress SAN)";
        }
        return null;
    }

    private static String labelProblem(String label) {
        if (label.isEmpty()) {
            return "is empty";
        }
        if (label.length() > MAX_LABEL_LENGTH) {
            return "is longer than " + MAX_LABEL_LENGTH + " characters";
        }
        if (label.contains("*")) {
            return "contains '*' (a wildcard may only be the whole leftmost label)";
        }
        for (int i = 0; i < label.length(); i++) {
            char c = label.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
            if (!ok) {
                return (c >= 'A' && c <= 'Z') ? "is not lower case" : "contains '" + c + "' (only letters, digits and hyphens)";
            }
        }
        if (label.startsWith("-") || label.endsWith("-")) {
            return "starts or ends with a hyphen";
        }
        // RFC 5890: "??--" labels are reserved, except the xn-- A-labels of IDNA.
        if (label.length() >= 4 && label.charAt(2) == '-' && label.charAt(3) == '-' && !label.startsWith("xn--")) {
            return "is a reserved LDH label (hyphens in positions 3 and 4 are only for xn--)";
        }
        if (label.startsWith("xn--") && label.length() == 4) {
            return "is an empty A-label";
        }
        return null;
    }

    /**
     * Whether {@code name} is {@code domain} itself or lies below it, matched on label boundaries
     * ("evil-hospital.test" is not below "hospital.test"). Both in lower case.
     */
    public static boolean isAtOrBelow(String name, String domain) {
        return name.equals(domain) || name.endsWith("." + domain);
    }
}
