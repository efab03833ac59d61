package org.medpki.core.profile;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The CP's CA hierarchy table (CP 1.1, 6.3.2): the issuing CAs the key ceremony creates under the
 * root, and how long each certificate of the PKI itself is valid: the root, each issuing CA, the
 * OCSP signer delegated by each issuing CA, and the audit signer. 'pki init' makes exactly these;
 * the compliance report compares the installed CA certificates against them.
 *
 * <p>The root's and the audit signer's names are the product's ({@link #ROOT_CA}, {@link
 * #AUDIT_SIGNER}: URLs, PEM files and key labels use them), not the table's. Whether each
 * certificate outlives its issuer, and whether each certificate type's issuer is one of these
 * issuing CAs, is {@link PolicyConformance#checkHierarchy}'s to say, so that every inconsistency
 * is reported at once rather than the first refused at load.
 */
public record CaHierarchyTable(Duration rootValidity, Map<String, Duration> issuingCas, Duration ocspSignerValidity,
                               Duration auditSignerValidity) {
    public static final String ROOT_CA = "root-ca";
    public static final String AUDIT_SIGNER = "audit-signer";
    /** Issuing CA names appear in URLs, file names and key labels. */
    private static final String NAME = "[a-z0-9][a-z0-9-]{0,62}";

    public CaHierarchyTable {
        positive(rootValidity, "caHierarchy.root.validityDays");
        positive(ocspSignerValidity, "caHierarchy.ocspSigner.validityDays");
        positive(auditSignerValidity, "caHierarchy.auditSigner.validityDays");
        issuingCas = Collections.unmodifiableMap(new LinkedHashMap<>(issuingCas));
        if (issuingCas.isEmpty()) {
            throw new IllegalArgumentException("caHierarchy.issuingCas must name at least one issuing CA");
        }
        issuingCas.forEach((name, validity) -> {
            if (!name.matches(NAME)) {
                throw new IllegalArgumentException("caHierarchy.issuingCas: name '" + name
                        + "' must be lower-case letters, digits and '-' (it appears in URLs)");
            }
            if (name.equals(ROOT_CA) || name.equals(AUDIT_SIGNER)) {
                throw new IllegalArgumentException("caHierarchy.issuingCas: name '" + name
                        + "' is the root's or the audit signer's");
            }
            positive(validity, "caHierarchy.issuingCas[" + name + "].validityDays");
        });
    }

    /** The issuing CAs' names, in the table's order (the ceremony's). */
    public List<String> issuingCaNames() {
        return List.copyOf(issuingCas.keySet());
    }

    public Optional<Duration> issuingValidity(String name) {
        return Optional.ofNullable(issuingCas.get(name));
    }

    private static void positive(Duration d, String key) {
        Objects.requireNonNull(d, key);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(key + " must be positive");
        }
    }
}
