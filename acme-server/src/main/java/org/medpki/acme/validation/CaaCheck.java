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

    void check(Identifier identifier, boolean wildcard) {
        String name = identifier.value();
        if (resolver.fromHostsFile(name)) {
            return;
        }
        String[] labels = name.split("\\.");
        for (int i = 0; i < labels.length - 1; i++) {
            String at = String.join(".", java.util.Arrays.copyOfRange(labels, i, labels.length));
            List<byte[]> records;
            try {
                records = resolver.dns().query(at, DnsClient.CAA);
            } catch (DnsClient.DnsFailure e) {
                throw ChallengeValidator.problem(ProblemType.DNS, "CAA look-up failed: " + e.getMessage(), identifier);
            }
            if (!records.isEmpty()) {
                decide(records, wildcard, identifier, at);
                return;
            }
        }
    }

    private void decide(List<byte[]> records, boolean wildcard, Identifier identifier, String at) {
        List<CaaProperty> set = new ArrayList<>();
        for (byte[] r : records) {
            CaaProperty p = CaaProperty.fromRdata(r);
            if (p != null) {
                set.add(p);
            }
        }
        String why = CaaProperty.refusal(set, wildcard, identities);
        if (why != null) {
            throw refused(identifier, at, why);
        }
    }

    private static AcmeException refused(Identifier identifier, String at, String why) {
        return ChallengeValidator.problem(ProblemType.CAA, at + " has " + why, identifier);
    }
}
