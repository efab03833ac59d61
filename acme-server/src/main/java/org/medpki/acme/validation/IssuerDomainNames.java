package org.medpki.acme.validation;

import java.net.IDN;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The Issuer Domain Names that dns-persist-01 records must name (draft-ietf-acme-dns-persist-01
 * section 3.1): our CAA identities, so that the names a hospital already writes into CAA are the
 * ones it writes into its standing records. Normalized as the draft asks (A-labels, lower case, no
 * trailing dot), without repeats, at most {@value #MAX} (the draft's limit), each at most 253 octets.
 */
public final class IssuerDomainNames {
    static final int MAX = 10;

    private IssuerDomainNames() {
    }

    /** The names for {@code caaIdentities}; empty when there are none (then dns-persist-01 is not offered). */
    public static List<String> of(List<String> caaIdentities) {
        List<String> out = new ArrayList<>();
        for (String identity : caaIdentities) {
            String name = normalized(identity);
            if (name != null && !out.contains(name) && out.size() < MAX) {
                out.add(name);
            }
        }
        return List.copyOf(out);
    }

    /** {@code name} as a lower-case A-label name without a trailing dot; null when it is not a usable domain name. */
    static String normalized(String name) {
        String n = name.strip();
        if (n.endsWith(".")) {
            n = n.substring(0, n.length() - 1);
        }
        try {
            n = IDN.toASCII(n, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return n.isEmpty() || n.length() > 253 ? null : n;
    }
}
