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
 * issuewild, else issue) property names one of our CAA identities with RFC 8657 parameters that
 * admit the requesting account and validation method (see {@link CaaProperty#refusal}); an
 * unknown critical property forbids it. A failed look-up is no permission: it is a dns problem.
 * Names from the lab hosts file are not looked up (they have no public DNS).
 */
final class CaaCheck {
    private final Resolver resolver;
    private final List<String> identities;

    CaaCheck(Resolver resolver, List<String> identities) {
        this.resolver = resolver;
        this.identities = identities.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
    }

    /**
     * Throws caa when the relevant record set forbids issuance to {@code accountUri} (the ACME
     * account's URL) for an identifier validated by {@code validationMethod} (the challenge type),
     * dns when a look-up fails.
     */
    void check(Identifier identifier, boolean wildcard, String accountUri, String validationMethod,
               Deadline deadline) {
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
                decide(records, wildcard, accountUri, validationMethod, identifier, at);
                return;
            }
        }
    }

    private void decide(List<DnsClient.Caa> records, boolean wildcard, String accountUri, String validationMethod,
                        Identifier identifier, String at) {
        String why = CaaProperty.refusal(records.stream().map(r -> new CaaProperty(r.flags(), r.tag(), r.value()))
                .toList(), wildcard, identities, accountUri, validationMethod);
        if (why != null) {
            throw refused(identifier, at, why);
        }
    }

    private static AcmeException refused(Identifier identifier, String at, String why) {
        return ChallengeValidator.problem(ProblemType.CAA, at + " has " + why, identifier);
    }
}
