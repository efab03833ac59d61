package org.medpki.acme.validation;

import java.util.List;
import org.medpki.acme.Identifier;
import org.medpki.acme.ProblemType;

/**
 * A TXT record holding base64url(SHA-256(keyAuthorization)) at a validation name: dns-01 (RFC 8555
 * 8.4) at _acme-challenge.NAME, dns-account-01 (draft-ietf-acme-dns-account-label-02) at
 * _LABEL._acme-challenge.NAME ({@link DnsAccountLabel}). Only the name differs.
 */
final class Dns01Validation {
    private final Resolver resolver;

    Dns01Validation(Resolver resolver) {
        this.resolver = resolver;
    }

    /** dns-01: the record at _acme-challenge.NAME. */
    void validate(Identifier identifier, String keyAuthorization, Deadline deadline) {
        validateAt("_acme-challenge." + identifier.value(), identifier, keyAuthorization, deadline);
    }

    /** dns-account-01: the record at the account's own label under _acme-challenge.NAME. */
    void validateForAccount(Identifier identifier, String accountUri, String keyAuthorization, Deadline deadline) {
        validateAt(DnsAccountLabel.validationName(accountUri, identifier.value()), identifier, keyAuthorization,
                deadline);
    }

    private void validateAt(String name, Identifier identifier, String keyAuthorization, Deadline deadline) {
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
