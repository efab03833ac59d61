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
        String why = CaaProperty.refusal(records.stream().map(r -> new CaaProperty(r.flags(), r.tag(), r.value()))
                .toList(), wildcard, identities);
        if (why != null) {
            throw refused(identifier, at, why);
        }
    }

    private static AcmeException refused(Identifier identifier, String at, String why) {
        return ChallengeValidator.problem(ProblemType.CAA, at + " has " + why, identifier);
    }
}
