package org.medpki.acme.validation;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.medpki.acme.ProblemType;

/**
 * What one TXT value at _validation-persist.NAME says to this CA (draft-ietf-acme-dns-persist-01
 * section 4.1), independent of how it was looked up. The value is an RFC 8659 issue-value, read
 * by the same strict parser as CAA ({@link CaaProperty.IssueValue#parse}):
 * {@code issuer-domain-name; accounturi=URL[; policy=wildcard][; persistUntil=UNIX-SECONDS]}.
 *
 * <p>A record that names another issuer is none of our business (section 4.3.2). One that names
 * us is judged in this order, with the problems of section 9.3.1: broken syntax, a missing
 * accounturi, a parameter given twice or a persistUntil that is not a base-10 integer is
 * malformed; another account's URL (compared exactly, section 4.1) or a persistUntil in the past
 * is unauthorized; a record without policy=wildcard (compared without regard to case; any other
 * value counts as none, section 4.1 item 4) is unauthorized for a wildcard or a subdomain.
 * Parameters we do not know are ignored (section 4.1 item 1).
 */
record DnsPersistRecord(String value) {

    /** The verdict on one record. */
    sealed interface Verdict {
    }

    /** The record authorizes the request. */
    record Authorizes() implements Verdict {
    }

    /** The record names another issuer (or none we can read): it neither authorizes nor refuses. */
    record NotForUs() implements Verdict {
    }

    /** The record names us but does not authorize: the problem and a detail for the client. */
    record Refused(ProblemType type, String detail) implements Verdict {
    }

    /**
     * The verdict for a request by the account at {@code accountUri} at {@code now};
     * {@code issuerDomainNames} are ours (normalized), {@code wildcardScope} whether the request
     * needs policy=wildcard (a wildcard, or a subdomain of the name the record is at).
     */
    Verdict judge(List<String> issuerDomainNames, String accountUri, boolean wildcardScope, Instant now) {
        CaaProperty.IssueValue v = CaaProperty.IssueValue.parse(value);
        if (v == null) {
            return issuerDomainNames.contains(leadingName()) ? new Refused(ProblemType.MALFORMED,
                    "does not follow the issue-value syntax (RFC 8659 section 4.2)") : new NotForUs();
        }
        if (!issuerDomainNames.contains(v.issuerDomain())) {
            return new NotForUs();
        }
        List<String> accountUris = values(v, "accounturi");
        List<String> policies = values(v, "policy");
        List<String> persistUntil = values(v, "persistuntil");
        if (accountUris.size() > 1 || policies.size() > 1 || persistUntil.size() > 1) {
            return new Refused(ProblemType.MALFORMED, "gives accounturi, policy or persistUntil more than once");
        }
        if (accountUris.isEmpty()) {
            return new Refused(ProblemType.MALFORMED, "has no accounturi parameter");
        }
        Long until = null;
        if (!persistUntil.isEmpty()) {
            until = unixSeconds(persistUntil.getFirst());
            if (until == null) {
                return new Refused(ProblemType.MALFORMED, "has a persistUntil that is not a base-10 integer of seconds");
            }
        }
        if (!accountUris.getFirst().equals(accountUri)) {
            return new Refused(ProblemType.UNAUTHORIZED, "names another ACME account (accounturi)");
        }
        if (until != null && now.getEpochSecond() > until) {
            return new Refused(ProblemType.UNAUTHORIZED, "expired at " + Instant.ofEpochSecond(until) + " (persistUntil)");
        }
        boolean wildcard = !policies.isEmpty() && policies.getFirst().toLowerCase(Locale.ROOT).equals("wildcard");
        if (wildcardScope && !wildcard) {
            return new Refused(ProblemType.UNAUTHORIZED, "does not allow wildcards or subdomains (no policy=wildcard)");
        }
        return new Authorizes();
    }

    private static List<String> values(CaaProperty.IssueValue v, String tag) {
        return v.parameters().stream().filter(p -> p.tag().equals(tag)).map(CaaProperty.Parameter::value).toList();
    }

    /** Up to 18 digits (no sign): a base-10 count of seconds that fits a long; null otherwise. */
    private static Long unixSeconds(String text) {
        if (text.isEmpty() || text.length() > 18 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return null;
        }
        return Long.parseLong(text);
    }

    /** The text before the first ';' or blank, lower case: whom a record we cannot parse was meant for. */
    private String leadingName() {
        String t = value.strip();
        int end = 0;
        while (end < t.length() && t.charAt(end) != ';' && !Character.isWhitespace(t.charAt(end))) {
            end++;
        }
        return t.substring(0, end).toLowerCase(Locale.ROOT);
    }
}
