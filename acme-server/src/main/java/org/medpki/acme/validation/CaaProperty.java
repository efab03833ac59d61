package org.medpki.acme.validation;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One CAA property (RFC 8659 4.1: flags, tag, value) and the decision over a found record set,
 * independent of how the records were looked up. {@link #refusal} allows issuance only if an
 * issue (for a wildcard: issuewild when the set has one, else issue) property names one of our
 * CAA identities; an unknown critical property forbids it; a set without issue properties allows.
 */
record CaaProperty(int flags, String tag, String value) {
    private static final List<String> KNOWN_OTHERS = List.of("iodef", "contactemail", "contactphone", "issuemail",
            "issuevmc");

    /** A CAA RDATA (flags, tag length, tag, value); null when it is too short to be one. */
    static CaaProperty fromRdata(byte[] r) {
        if (r.length < 2) {
            return null;
        }
        int flags = r[0] & 0xff;
        int tagLength = r[1] & 0xff;
        if (2 + tagLength > r.length) {
            return null;
        }
        return new CaaProperty(flags, new String(r, 2, tagLength, StandardCharsets.US_ASCII),
                new String(r, 2 + tagLength, r.length - 2 - tagLength, StandardCharsets.UTF_8));
    }

    boolean critical() {
        return (flags & 0x80) != 0;
    }

    /** The issuer-domain-name of an issue or issuewild value (before any ';' parameters), lower case. */
    String issuerDomain() {
        return value.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    }

    /**
     * Why the record set forbids issuance, or null when it allows it. {@code identities} are our
     * CAA identities in lower case.
     */
    static String refusal(List<CaaProperty> set, boolean wildcard, List<String> identities) {
        List<CaaProperty> issue = new ArrayList<>();
        List<CaaProperty> issueWild = new ArrayList<>();
        for (CaaProperty p : set) {
            String tag = p.tag().toLowerCase(Locale.ROOT);
            if (tag.equals("issue")) {
                issue.add(p);
            } else if (tag.equals("issuewild")) {
                issueWild.add(p);
            } else if (!KNOWN_OTHERS.contains(tag) && p.critical()) {
                return "an unknown critical CAA property '" + tag + "'";
            }
        }
        List<CaaProperty> relevant = wildcard && !issueWild.isEmpty() ? issueWild : issue;
        if (relevant.isEmpty()) {
            return null;
        }
        for (CaaProperty p : relevant) {
            String domain = p.issuerDomain();
            if (!domain.isEmpty() && identities.contains(domain)) {
                return null;
            }
        }
        return "CAA records that do not name this CA";
    }
}
