package org.medpki.acme.validation;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.medpki.acme.AcmeException;
import org.medpki.acme.Identifier;
import org.medpki.acme.ProblemType;

/**
 * CAA (RFC 8659): climbs from the name towards the root until a CAA record set is found; none
 * anywhere allows issuance. A found set allows issuance only if an issue (for a wildcard:
 * issuewild, else issue) property names one of our CAA identities; an unknown critical property
 * forbids it. Names from the lab hosts file are not looked up (they have no public DNS).
 */
final class CaaCheck {
    private final Resolver resolver;
    private final List<String> identities;

    CaaCheck(Resolver resolver, List<String> identities) {
        this.resolver = resolver;
        this.identities = identities.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
    }

    void check(Identifier identifier, boolean wildcard, Deadline deadline) {
        String name = identifier.value();
        if (resolver.fromHostsFile(name)) {
            return;
        }
        String[] labels = name.split("\\.");
        for (int i = 0; i < labels.length - 1; i++) {
            String at = String.join(".", java.util.Arrays.copyOfRange(labels, i, labels.length));
            List<DnsClient.Caa> records;
            try {
                records = resolver.caa(at, deadline);
            } catch (DnsClient.DnsFailure e) {
                throw ChallengeValidator.failed(ProblemType.DNS, "the CAA look-up at " + at + " failed", identifier,
                        e.getMessage());
            }
            if (!records.isEmpty()) {
                decide(records, wildcard, identifier, at);
                return;
            }
        }
    }

    private void decide(List<DnsClient.Caa> records, boolean wildcard, Identifier identifier, String at) {
        List<String> issue = new ArrayList<>();
        List<String> issueWild = new ArrayList<>();
        for (DnsClient.Caa r : records) {
            int flags = r.flags();
            String tag = r.tag().toLowerCase(Locale.ROOT);
            String value = r.value();
            switch (tag) {
                case "issue" -> issue.add(value);
                case "issuewild" -> issueWild.add(value);
                case "iodef", "contactemail", "contactphone", "issuemail", "issuevmc" -> {
                }
                default -> {
                    if ((flags & 0x80) != 0) {
                        throw refused(identifier, at, "an unknown critical CAA property '" + tag + "'");
                    }
                }
            }
        }
        List<String> relevant = wildcard && !issueWild.isEmpty() ? issueWild : issue;
        if (relevant.isEmpty()) {
            return;
        }
        for (String v : relevant) {
            String domain = v.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
            if (!domain.isEmpty() && identities.contains(domain)) {
                return;
            }
        }
        throw refused(identifier, at, "CAA records that do not name this CA");
    }

    private static AcmeException refused(Identifier identifier, String at, String why) {
        return ChallengeValidator.problem(ProblemType.CAA, at + " has " + why, identifier);
    }
}
