package org.medpki.acme.validation;

import java.util.List;
import org.medpki.acme.Identifier;
import org.medpki.acme.ProblemType;

/** dns-01 (RFC 8555 8.4): a TXT record at _acme-challenge.NAME holding base64url(SHA-256(keyAuthorization)). */
final class Dns01Validation {
    private final Resolver resolver;

    Dns01Validation(Resolver resolver) {
        this.resolver = resolver;
    }

    void validate(Identifier identifier, String keyAuthorization, Deadline deadline) {
        String name = "_acme-challenge." + identifier.value();
        List<String> values;
        try {
            values = resolver.txt(name, deadline);
        } catch (DnsClient.DnsFailure e) {
            throw ChallengeValidator.failed(ProblemType.DNS, "the DNS look-up of the TXT record at " + name + " failed",
                    identifier, e.getMessage());
        }
        if (!Dns01Digest.matches(values, keyAuthorization)) {
            throw ChallengeValidator.problem(ProblemType.INCORRECT_RESPONSE, values.isEmpty()
                    ? "no TXT record at " + name : "no TXT record at " + name + " holds the expected digest", identifier);
        }
    }
}
