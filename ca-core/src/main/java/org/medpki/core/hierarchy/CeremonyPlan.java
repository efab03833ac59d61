package org.medpki.core.hierarchy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.medpki.core.keys.KeyAlgorithm;

/**
 * What a key ceremony creates (CP/CPS 6.1.1, 6.3.2): one root, the named issuing CAs, an OCSP
 * signing delegate per issuing CA, and the audit signer. URLs go into the issuing CA certificates,
 * and so do {@code issuingPolicies}: per issuing CA, the policy OIDs of the certificates it issues.
 */
public record CeremonyPlan(String organisation, KeyAlgorithm rootKey, KeyAlgorithm issuingKey,
                           KeyAlgorithm delegateKey, List<String> issuingCas, Duration rootValidity,
                           Duration issuingValidity, Duration ocspSignerValidity, Duration auditSignerValidity,
                           Map<String, List<String>> issuingPolicies, String crlBaseUrl, String caIssuersBaseUrl) {
    public CeremonyPlan {
        Objects.requireNonNull(organisation, "organisation");
        Objects.requireNonNull(rootKey, "rootKey");
        Objects.requireNonNull(issuingKey, "issuingKey");
        Objects.requireNonNull(delegateKey, "delegateKey");
        issuingCas = List.copyOf(issuingCas);
        issuingPolicies = Map.copyOf(issuingPolicies);
        if (issuingCas.isEmpty()) {
            throw new IllegalArgumentException("a ceremony needs at least one issuing CA");
        }
        for (String name : issuingCas) {
            if (!name.matches("[a-z0-9][a-z0-9-]{0,62}")) {
                throw new IllegalArgumentException("issuing CA name '" + name
                        + "' must be lower-case letters, digits and '-' (it appears in URLs)");
            }
            if (issuingPolicies.getOrDefault(name, List.of()).isEmpty()) {
                throw new IllegalArgumentException("issuing CA '" + name + "' has no policy OID to assert");
            }
        }
        if (issuingValidity.compareTo(rootValidity) >= 0 || ocspSignerValidity.compareTo(issuingValidity) >= 0) {
            throw new IllegalArgumentException("each certificate must expire before the one that signs it");
        }
    }
}
