package org.medpki.acme.validation;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.medpki.acme.AcmeException;
import org.medpki.acme.Identifier;
import org.medpki.acme.ProblemType;

/**
 * dns-persist-01 (draft-ietf-acme-dns-persist-01): a standing TXT record at
 * _validation-persist.NAME that names one of our Issuer Domain Names and the requesting account
 * ({@link DnsPersistRecord}). Read fresh at every validation: the record is the permission, so
 * removing it, letting persistUntil pass or deactivating the account stops the next validation.
 *
 * <p>Where it looks (sections 5 and 6): a name is authorized by a record at its own
 * _validation-persist name, or by a record with policy=wildcard at an ancestor's (the validated
 * name must be a proper suffix of the requested one; we stop above the top-level label). A
 * wildcard *.NAME is authorized only by a record with policy=wildcard at NAME itself, so that
 * *.dept.hospital.example needs dept.hospital.example's own consent. The first record that
 * authorizes wins; else the first refusal of a record that names us, nearest name first; else
 * unauthorized when records exist but none names this CA, incorrectResponse when there are none.
 * A failed look-up is a dns problem: it is no permission.
 */
final class DnsPersist01Validation {
    static final String LABEL = "_validation-persist";
    private final Resolver resolver;
    private final List<String> issuerDomainNames;
    private final Clock clock;

    DnsPersist01Validation(Resolver resolver, List<String> issuerDomainNames, Clock clock) {
        this.resolver = resolver;
        this.issuerDomainNames = List.copyOf(issuerDomainNames);
        this.clock = clock;
    }

    void validate(Identifier identifier, boolean wildcard, String accountUri, Deadline deadline) {
        if (issuerDomainNames.isEmpty()) {
            throw ChallengeValidator.problem(ProblemType.UNAUTHORIZED,
                    "this CA has no issuer domain names (acme.caaIdentities is empty)", identifier);
        }
        AcmeException refusal = null;
        boolean anyRecord = false;
        for (String at : namesToAsk(identifier.value(), wildcard)) {
            String name = LABEL + "." + at;
            boolean wildcardScope = wildcard || !at.equals(identifier.value());
            List<String> values;
            try {
                values = resolver.txt(name, deadline);
            } catch (DnsClient.DnsFailure e) {
                throw ChallengeValidator.failed(ProblemType.DNS, "the DNS look-up of the TXT record at " + name
                        + " failed", identifier, e.getMessage());
            }
            anyRecord |= !values.isEmpty();
            for (String value : values) {
                switch (new DnsPersistRecord(value).judge(issuerDomainNames, accountUri, wildcardScope,
                        clock.instant())) {
                    case DnsPersistRecord.Authorizes a -> {
                        return;
                    }
                    case DnsPersistRecord.NotForUs n -> {
                        // another CA's record (section 4.3.2): ignored
                    }
                    case DnsPersistRecord.Refused r -> {
                        if (refusal == null) {
                            refusal = ChallengeValidator.problem(r.type(), "the record at " + name
                                    + " for this CA " + r.detail(), identifier);
                        }
                    }
                }
            }
        }
        if (refusal != null) {
            throw refusal;
        }
        String here = LABEL + "." + identifier.value();
        throw anyRecord
                ? ChallengeValidator.problem(ProblemType.UNAUTHORIZED, "no TXT record at " + here
                        + " names this CA (issuer domain names " + String.join(", ", issuerDomainNames) + ")", identifier)
                : ChallengeValidator.problem(ProblemType.INCORRECT_RESPONSE, "no TXT record at " + here, identifier);
    }

    /** {@code name} and, unless a wildcard, its ancestors down to two labels: nearest first. */
    static List<String> namesToAsk(String name, boolean wildcard) {
        List<String> out = new ArrayList<>();
        out.add(name);
        if (!wildcard) {
            String rest = name;
            int dot;
            while ((dot = rest.indexOf('.')) >= 0 && rest.indexOf('.', dot + 1) >= 0) {
                rest = rest.substring(dot + 1);
                out.add(rest);
            }
        }
        return out;
    }
}
