package org.medpki.core.hierarchy;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.medpki.core.keys.KeyAlgorithm;
import org.medpki.core.profile.CaHierarchyTable;

/**
 * What a key ceremony creates (CP/CPS 6.1.1, 6.3.2): one root, the issuing CAs, an OCSP signing
 * delegate per issuing CA, and the audit signer, each valid as long as given. URLs go into the
 * issuing CA certificates, and so does each issuing CA's {@code policyOids}: the policy OIDs of the
 * certificates it issues. An installation's plan is {@link #of} the CP's hierarchy table.
 */
public record CeremonyPlan(String organisation, KeyAlgorithm rootKey, KeyAlgorithm issuingKey,
                           KeyAlgorithm delegateKey, Duration rootValidity, List<IssuingCa> issuingCas,
                           Duration ocspSignerValidity, Duration auditSignerValidity, String crlBaseUrl,
                           String caIssuersBaseUrl) {

    /** One issuing CA: its name (in URLs and key labels), its validity and the policy OIDs it asserts. */
    public record IssuingCa(String name, Duration validity, List<String> policyOids) {
        public IssuingCa {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(validity, "validity");
            policyOids = List.copyOf(policyOids);
            if (!name.matches("[a-z0-9][a-z0-9-]{0,62}")) {
                throw new IllegalArgumentException("issuing CA name '" + name
                        + "' must be lower-case letters, digits and '-' (it appears in URLs)");
            }
            if (policyOids.isEmpty()) {
                throw new IllegalArgumentException("issuing CA '" + name + "' has no policy OID to assert");
            }
        }
    }

    public CeremonyPlan {
        Objects.requireNonNull(organisation, "organisation");
        Objects.requireNonNull(rootKey, "rootKey");
        Objects.requireNonNull(issuingKey, "issuingKey");
        Objects.requireNonNull(delegateKey, "delegateKey");
        Objects.requireNonNull(rootValidity, "rootValidity");
        Objects.requireNonNull(ocspSignerValidity, "ocspSignerValidity");
        Objects.requireNonNull(auditSignerValidity, "auditSignerValidity");
        issuingCas = List.copyOf(issuingCas);
        if (issuingCas.isEmpty()) {
            throw new IllegalArgumentException("a ceremony needs at least one issuing CA");
        }
        Set<String> names = new HashSet<>();
        for (IssuingCa ca : issuingCas) {
            if (!names.add(ca.name())) {
                throw new IllegalArgumentException("issuing CA '" + ca.name() + "' is planned twice");
            }
            if (ca.validity().compareTo(rootValidity) >= 0 || ocspSignerValidity.compareTo(ca.validity()) >= 0) {
                throw new IllegalArgumentException("each certificate must expire before the one that signs it ("
                        + ca.name() + ": " + ca.validity().toDays() + " days, root " + rootValidity.toDays()
                        + ", OCSP signer " + ocspSignerValidity.toDays() + ")");
            }
        }
        if (auditSignerValidity.compareTo(rootValidity) >= 0) {
            throw new IllegalArgumentException("each certificate must expire before the one that signs it (audit signer "
                    + auditSignerValidity.toDays() + " days, root " + rootValidity.toDays() + ")");
        }
    }

    /**
     * Every issuing CA of {@code issuingCas} valid for {@code issuingValidity}, asserting its entry
     * of {@code issuingPolicies} (tests and tools; an installation's plan is {@link #of} the CP).
     */
    public CeremonyPlan(String organisation, KeyAlgorithm rootKey, KeyAlgorithm issuingKey, KeyAlgorithm delegateKey,
                        List<String> issuingCas, Duration rootValidity, Duration issuingValidity,
                        Duration ocspSignerValidity, Duration auditSignerValidity,
                        Map<String, List<String>> issuingPolicies, String crlBaseUrl, String caIssuersBaseUrl) {
        this(organisation, rootKey, issuingKey, delegateKey, rootValidity, issuingCas.stream()
                        .map(name -> new IssuingCa(name, issuingValidity, issuingPolicies.getOrDefault(name, List.of())))
                        .toList(), ocspSignerValidity, auditSignerValidity, crlBaseUrl, caIssuersBaseUrl);
    }

    /**
     * The ceremony of the CP's hierarchy table: its issuing CAs in its order, each certificate
     * valid as long as the table says. {@code issuingPolicies}: per issuing CA, the OIDs it asserts.
     */
    public static CeremonyPlan of(CaHierarchyTable table, String organisation, KeyAlgorithm rootKey,
                                  KeyAlgorithm issuingKey, KeyAlgorithm delegateKey,
                                  Map<String, List<String>> issuingPolicies, String crlBaseUrl,
                                  String caIssuersBaseUrl) {
        List<IssuingCa> issuing = table.issuingCas().entrySet().stream()
                .map(e -> new IssuingCa(e.getKey(), e.getValue(), issuingPolicies.getOrDefault(e.getKey(), List.of())))
                .toList();
        return new CeremonyPlan(organisation, rootKey, issuingKey, delegateKey, table.rootValidity(), issuing,
                table.ocspSignerValidity(), table.auditSignerValidity(), crlBaseUrl, caIssuersBaseUrl);
    }
}
