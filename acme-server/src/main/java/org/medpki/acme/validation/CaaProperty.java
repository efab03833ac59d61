package org.medpki.acme.validation;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One CAA property (RFC 8659 4.1: flags, tag, value) and the decision over a found record set,
 * independent of how the records were looked up. {@link #refusal} allows issuance only if an
 * issue (for a wildcard: issuewild when the set has one, else issue) property names one of our
 * CAA identities and its RFC 8657 parameters admit the request (accounturi: this ACME account;
 * validationmethods: the challenge type that validated it); an unknown critical property forbids
 * it; a set without issue properties allows.
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

    /**
     * The issuer-domain-name of an issue or issuewild value, lower case; empty when the value has
     * none or does not parse (see {@link IssueValue#parse}).
     */
    String issuerDomain() {
        IssueValue v = IssueValue.parse(value);
        return v == null ? "" : v.issuerDomain();
    }

    /**
     * Why the record set forbids issuance, or null when it allows it. {@code identities} are our
     * CAA identities in lower case; {@code accountUri} is the requesting ACME account's URL and
     * {@code validationMethod} the challenge type that validated the identifier (RFC 8657; either
     * may be null when unknown, and then no property restricted by it authorizes).
     */
    static String refusal(List<CaaProperty> set, boolean wildcard, List<String> identities, String accountUri,
                          String validationMethod) {
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
        String restricted = null;
        for (CaaProperty p : relevant) {
            IssueValue v = IssueValue.parse(p.value());
            if (v == null || v.issuerDomain().isEmpty() || !identities.contains(v.issuerDomain())) {
                continue;
            }
            String why = v.restriction(accountUri, validationMethod);
            if (why == null) {
                return null;
            }
            if (restricted == null) {
                restricted = why;
            }
        }
        return restricted != null ? "CAA records that name this CA " + restricted
                : "CAA records that do not name this CA";
    }

    /** One parameter of an issue value: its tag (lower case) and value as written. */
    record Parameter(String tag, String value) {
    }

    /**
     * An issue or issuewild property value (RFC 8659 4.2): the issuer-domain-name in lower case
     * (empty when the value names no issuer) and the parameters in order.
     */
    record IssueValue(String issuerDomain, List<Parameter> parameters) {
        IssueValue {
            parameters = List.copyOf(parameters);
        }

        /**
         * {@code value} parsed strictly by the RFC 8659 4.2 grammar:
         * <pre>
         * issue-value = *WSP [issuer-domain-name *WSP] [";" *WSP [parameters *WSP]]
         * issuer-domain-name = label *("." label)
         * label = (ALPHA / DIGIT) *( *("-") (ALPHA / DIGIT))
         * parameters = (parameter *WSP ";" *WSP parameters) / parameter
         * parameter = tag *WSP "=" *WSP value
         * tag = (ALPHA / DIGIT) *( *("-") (ALPHA / DIGIT))
         * value = *(%x21-3A / %x3C-7E)
         * </pre>
         * Null when it does not match. Such a property names no issuer we could rely on, so it
         * authorizes no one, exactly as RFC 8659 4.2 has an issue property without an
         * issuer-domain-name authorize no one; being an issue property it still restricts the set
         * (RFC 8659 4: a set with issue properties allows only the issuers they authorize). Reading
         * a broken value leniently could turn a restriction its owner meant (a garbled
         * accounturi) into a permission.
         */
        static IssueValue parse(String value) {
            Scanner s = new Scanner(value);
            s.skipWsp();
            String domain = "";
            if (s.atLabel()) {
                domain = s.domainName();
                if (domain == null) {
                    return null;
                }
                s.skipWsp();
            }
            List<Parameter> parameters = new ArrayList<>();
            if (s.atEnd()) {
                return new IssueValue(domain, parameters);
            }
            if (!s.take(';')) {
                return null;
            }
            s.skipWsp();
            if (s.atEnd()) {
                return new IssueValue(domain, parameters);
            }
            while (true) {
                String tag = s.label();
                if (tag == null) {
                    return null;
                }
                s.skipWsp();
                if (!s.take('=')) {
                    return null;
                }
                s.skipWsp();
                parameters.add(new Parameter(tag.toLowerCase(Locale.ROOT), s.parameterValue()));
                s.skipWsp();
                if (s.atEnd()) {
                    return new IssueValue(domain, parameters);
                }
                // another parameter must follow a ';' (no trailing ';' in the grammar)
                if (!s.take(';')) {
                    return null;
                }
                s.skipWsp();
            }
        }

        /**
         * Why RFC 8657's parameters keep this property from authorizing a request by
         * {@code accountUri} validated by {@code validationMethod}, or null when they do not.
         * accounturi must equal the account URL exactly (RFC 8657 3); validationmethods must list
         * the method (RFC 8657 4). A parameter given twice has no one meaning, so the property then
         * authorizes no one. Parameters we do not know are ignored (RFC 8659 4.2).
         */
        String restriction(String accountUri, String validationMethod) {
            List<String> accountUris = values("accounturi");
            List<String> methods = values("validationmethods");
            if (accountUris.size() > 1 || methods.size() > 1) {
                return "with an accounturi or validationmethods parameter given twice";
            }
            if (accountUris.size() == 1 && !accountUris.getFirst().equals(accountUri)) {
                return "only for another ACME account (accounturi)";
            }
            if (methods.size() == 1) {
                List<String> listed = validationMethods(methods.getFirst());
                if (listed == null) {
                    return "with a validationmethods parameter that is not a list of method names";
                }
                if (!listed.contains(validationMethod)) {
                    return "only for other validation methods (validationmethods)"
                            + (validationMethod == null ? "" : ", not " + validationMethod);
                }
            }
            return null;
        }

        private List<String> values(String tag) {
            return parameters.stream().filter(p -> p.tag().equals(tag)).map(Parameter::value).toList();
        }

        /**
         * The labels of a validationmethods value (RFC 8657 4: {@code value = [*(label ",") label]},
         * label as in RFC 8659), compared as written; null when it does not match.
         */
        static List<String> validationMethods(String value) {
            List<String> out = new ArrayList<>();
            if (value.isEmpty()) {
                return out;
            }
            Scanner s = new Scanner(value);
            while (true) {
                String label = s.label();
                if (label == null) {
                    return null;
                }
                out.add(label);
                if (s.atEnd()) {
                    return out;
                }
                if (!s.take(',')) {
                    return null;
                }
            }
        }
    }

    /** A cursor over a property value for the RFC 8659 4.2 grammar (ASCII only; anything else does not match). */
    private static final class Scanner {
        private final String text;
        private int at;

        Scanner(String text) {
            this.text = text;
        }

        boolean atEnd() {
            return at == text.length();
        }

        boolean atLabel() {
            return !atEnd() && alphaDigit(text.charAt(at));
        }

        void skipWsp() {
            while (!atEnd() && (text.charAt(at) == ' ' || text.charAt(at) == '\t')) {
                at++;
            }
        }

        boolean take(char c) {
            if (!atEnd() && text.charAt(at) == c) {
                at++;
                return true;
            }
            return false;
        }

        /** {@code label = (ALPHA / DIGIT) *( *("-") (ALPHA / DIGIT))}; null (nothing consumed) when none is here. */
        String label() {
            if (!atLabel()) {
                return null;
            }
            int start = at++;
            while (true) {
                int next = at;
                while (next < text.length() && text.charAt(next) == '-') {
                    next++;
                }
                if (next < text.length() && alphaDigit(text.charAt(next))) {
                    at = next + 1;
                } else {
                    return text.substring(start, at);   // hyphens not followed by a letter or digit stay unread
                }
            }
        }

        /** {@code issuer-domain-name = label *("." label)}, lower case; null when a '.' is not followed by a label. */
        String domainName() {
            int start = at;
            label();
            while (take('.')) {
                if (label() == null) {
                    return null;
                }
            }
            return text.substring(start, at).toLowerCase(Locale.ROOT);
        }

        /** {@code value = *(%x21-3A / %x3C-7E)}: up to a space, tab, ';' or anything outside printable ASCII. */
        String parameterValue() {
            int start = at;
            while (!atEnd()) {
                char c = text.charAt(at);
                if (c < 0x21 || c > 0x7e || c == ';') {
                    break;
                }
                at++;
            }
            return text.substring(start, at);
        }

        private static boolean alphaDigit(char c) {
            return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
        }
    }
}
