package org.medpki.core.hierarchy;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.medpki.core.keys.KeyAlgorithm;

/**
 * What a key ceremony creates (CP/CPS 6.1.1, 6.3.2): one root, the named issuing CAs, an OCSP
 * signing delegate per issuing CA, and the audit signer. URLs go into the issuing CA certificates.
 */
public record CeremonyPlan(String organisation, KeyAlgorithm rootKey, KeyAlgorithm issuingKey,
                           KeyAlgorithm delegateKey, List<String> issuingCas, Duration rootValidity,
                           Duration issuingValidity, Duration ocspSignerValidity, Duration auditSignerValidity,
                           String policyOid, String crlBaseUrl, String caIssuersBaseUrl) {
    public CeremonyPlan {
        Objects.requireNonNull(organisation, "organisation");
        Objects.requireNonNull(rootKey, "rootKey");
        Objects.requireNonNull(issuingKey, "issuingKey");
        Objects.requireNonNull(delegateKey, "delegateKey");
        Objects.requireNonNull(policyOid, "policyOid");
        issuingCas = List.copyOf(issuingCas);
        if (issuingCas.isEmpty()) {
            throw new IllegalArgumentException("a ceremony needs at least one issuing CA");
        }
        for (String name : issuingCas) {
            if (!name.matches("[a-z0-9][a-z0-9-]{0,62}")) {
                throw new IllegalArgumentException("issuing CA name '" + name
                        + "' must be lower-case letters, digits and '-' (it appears in URLs)");
            }
        }
        if (issuingValidity.compareTo(rootValidity) >= 0 || ocspSignerValidity.compareTo(issuingValidity) >= 0) {
            throw new IllegalArgumentException("each certificate must expire before the one that signs it");
        }
    }
}
