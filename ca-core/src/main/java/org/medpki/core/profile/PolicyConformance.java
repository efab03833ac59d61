package org.medpki.core.profile;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Checks that every certificate profile stays inside its row of the CP's table (CP 7.1.9): a
 * profile may be stricter than the CP, never looser. Used by the build (PolicyConformanceTest)
 * and by 'pki report compliance' on the profiles an installation really uses.
 *
 * <p>Rules (the codes in {@link PolicyViolation#rule()}): {@code type} (no CP row of that name),
 * {@code policy-oid}, {@code issuer}, {@code validity}, {@code key-rsa}, {@code key-ec-curve},
 * {@code key-ed25519}, {@code key-usage}, {@code eku} (a purpose the CP does not list for the
 * type, or a CP-optional one made mandatory), {@code eku-required} (a CP-required purpose left
 * out or made optional), {@code san-type}, {@code dns-wildcard}, {@code subject-attribute},
 * {@code issuer-validity} (validity.max longer than the profile's issuing CA is valid, CP 1.1).
 *
 * <p>{@link #checkHierarchy} checks the CP's own tables against each other (CP 1.1, 6.3.2):
 * {@code type-issuer} (a certificate type whose issuer is not an issuing CA of the hierarchy),
 * {@code type-validity} (a type valid longer than its issuing CA), {@code issuing-validity} (an
 * issuing CA not expiring before the root), {@code ocsp-signer-validity} (the OCSP signers not
 * expiring before an issuing CA), {@code audit-signer-validity} (the audit signer, which the root
 * certifies, not expiring before the root).
 */
public final class PolicyConformance {
    private PolicyConformance() {
    }

    /** Every way in which the profiles exceed the CP, in profile order; empty when all conform. */
    public static List<PolicyViolation> check(CertificatePolicyTables cp, Collection<CertificateProfile> profiles) {
        List<PolicyViolation> out = new ArrayList<>();
        for (CertificateProfile p : profiles) {
            var row = cp.type(p.name());
            if (row.isEmpty()) {
                out.add(new PolicyViolation(p.name(), "type", "the CP has no certificate type '" + p.name()
                        + "' (types: " + String.join(", ", cp.types().keySet()) + ")"));
                continue;
            }
            check(row.get(), cp.caHierarchy(), p, out);
        }
        return List.copyOf(out);
    }

    private static void check(CertificateTypeRules cp, CaHierarchyTable hierarchy, CertificateProfile p,
                              List<PolicyViolation> out) {
        String name = p.name();
        if (!p.policyOid().equals(cp.policyOid())) {
            out.add(new PolicyViolation(name, "policy-oid", "policyOid " + p.policyOid()
                    + " is not the CP's OID for this type, " + cp.policyOid()));
        }
        if (!p.issuer().equals(cp.issuer())) {
            out.add(new PolicyViolation(name, "issuer", "issuer " + p.issuer() + " is not the CP's issuer for this type, "
                    + cp.issuer()));
        }
        if (p.maxValidity().compareTo(cp.maxValidity()) > 0) {
            out.add(new PolicyViolation(name, "validity", "validity.max " + CertificatePolicyTables.human(p.maxValidity())
                    + " exceeds the CP's maximum of " + CertificatePolicyTables.human(cp.maxValidity())));
        }
        hierarchy.issuingValidity(p.issuer()).filter(ca -> p.maxValidity().compareTo(ca) > 0).ifPresent(ca ->
                out.add(new PolicyViolation(name, "issuer-validity", "validity.max "
                        + CertificatePolicyTables.human(p.maxValidity()) + " exceeds the validity of its issuing CA "
                        + p.issuer() + ", " + CertificatePolicyTables.human(ca))));
        keys(cp, p, out);
        Set<KeyUsageName> extraKu = minus(p.keyUsage(), cp.keyUsage(), KeyUsageName.class);
        if (!extraKu.isEmpty()) {
            out.add(new PolicyViolation(name, "key-usage", "keyUsage " + extraKu + " is not allowed by the CP (allowed: "
                    + cp.keyUsage() + ")"));
        }
        ekus(cp, p, out);
        for (SanType t : SanType.values()) {
            if (t.allowedBy(p.subjectAltNames()) && !cp.sanTypes().contains(t)) {
                out.add(new PolicyViolation(name, "san-type", "subjectAltNames allow " + t
                        + " names; the CP allows only " + (cp.sanTypes().isEmpty() ? "none" : cp.sanTypes().toString())));
            }
        }
        Set<SanType> notRequired = EnumSet.noneOf(SanType.class);
        notRequired.addAll(cp.sanRequired());
        notRequired.removeAll(p.subjectAltNames().required());
        if (!notRequired.isEmpty()) {
            out.add(new PolicyViolation(name, "san-required", "the CP requires a " + notRequired
                    + " name in every certificate; subjectAltNames.required does not"));
        }
        if (p.noRevAvail() != cp.noRevAvail()) {
            out.add(new PolicyViolation(name, "revocation-information", p.noRevAvail()
                    ? "the profile leaves revocation information out (noRevAvail); the CP promises a CRL and OCSP"
                    : "the CP says this type carries no revocation information (noRevAvail); the profile adds it"));
        }
        if (p.subjectAltNames().dnsWildcards() && !cp.dnsWildcards()) {
            out.add(new PolicyViolation(name, "dns-wildcard", "subjectAltNames.dnsWildcards is true; the CP allows no "
                    + "wildcard DNS names for this type"));
        }
        Set<SubjectAttribute> attributes = EnumSet.noneOf(SubjectAttribute.class);
        attributes.addAll(p.subject().allowed());
        if (p.subject().commonName() != CommonNameRule.FORBIDDEN) {
            attributes.add(SubjectAttribute.CN);
        }
        Set<SubjectAttribute> extraAttributes = minus(attributes, cp.subjectAttributes(), SubjectAttribute.class);
        if (!extraAttributes.isEmpty()) {
            out.add(new PolicyViolation(name, "subject-attribute", "subject attribute(s) " + extraAttributes
                    + " are not allowed by the CP (allowed: " + cp.subjectAttributes() + ")"));
        }
    }

    /**
     * Every way in which the CP's tables contradict each other on the CA hierarchy, in table
     * order; empty when each certificate type's issuer is an issuing CA that outlives it and each
     * CA certificate expires before the one that certifies it.
     */
    public static List<HierarchyViolation> checkHierarchy(CertificatePolicyTables cp) {
        List<HierarchyViolation> out = new ArrayList<>();
        CaHierarchyTable h = cp.caHierarchy();
        String root = CaHierarchyTable.ROOT_CA;
        for (CertificateTypeRules t : cp.types().values()) {
            String subject = "certificate type " + t.name();
            var issuer = h.issuingValidity(t.issuer());
            if (issuer.isEmpty()) {
                out.add(new HierarchyViolation(subject, "type-issuer", "issuer " + t.issuer()
                        + " is not an issuing CA of caHierarchy (issuing CAs: " + String.join(", ", h.issuingCaNames())
                        + ")"));
            } else if (t.maxValidity().compareTo(issuer.get()) > 0) {
                out.add(new HierarchyViolation(subject, "type-validity", "maxValidityDays "
                        + CertificatePolicyTables.human(t.maxValidity()) + " exceeds the validity of its issuing CA "
                        + t.issuer() + ", " + CertificatePolicyTables.human(issuer.get())));
            }
        }
        h.issuingCas().forEach((name, validity) -> {
            if (validity.compareTo(h.rootValidity()) >= 0) {
                out.add(new HierarchyViolation("issuing CA " + name, "issuing-validity", "validity "
                        + CertificatePolicyTables.human(validity) + " does not end before that of " + root
                        + ", its issuer, " + CertificatePolicyTables.human(h.rootValidity())));
            }
            if (h.ocspSignerValidity().compareTo(validity) >= 0) {
                out.add(new HierarchyViolation("OCSP signer of " + name, "ocsp-signer-validity", "validity "
                        + CertificatePolicyTables.human(h.ocspSignerValidity()) + " does not end before that of "
                        + name + ", its issuer, " + CertificatePolicyTables.human(validity)));
            }
        });
        if (h.auditSignerValidity().compareTo(h.rootValidity()) >= 0) {
            out.add(new HierarchyViolation(CaHierarchyTable.AUDIT_SIGNER, "audit-signer-validity", "validity "
                    + CertificatePolicyTables.human(h.auditSignerValidity()) + " does not end before that of " + root
                    + ", its issuer, " + CertificatePolicyTables.human(h.rootValidity())));
        }
        return List.copyOf(out);
    }

    private static void keys(CertificateTypeRules cp, CertificateProfile p, List<PolicyViolation> out) {
        KeyRules mine = p.keys();
        KeyRules allowed = cp.keys();
        if (mine.rsaAllowed() && !allowed.rsaAllowed()) {
            out.add(new PolicyViolation(p.name(), "key-rsa", "RSA keys are allowed; the CP allows " + allowed.describe()));
        } else if (mine.rsaAllowed() && mine.rsaMinBits() < allowed.rsaMinBits()) {
            out.add(new PolicyViolation(p.name(), "key-rsa", "rsaMinBits " + mine.rsaMinBits()
                    + " is below the CP's minimum of " + allowed.rsaMinBits()));
        }
        Set<EcCurve> extraCurves = minus(mine.ecCurves(), allowed.ecCurves(), EcCurve.class);
        if (!extraCurves.isEmpty()) {
            out.add(new PolicyViolation(p.name(), "key-ec-curve", "EC curve(s) " + extraCurves
                    + " are not allowed by the CP (allowed: " + allowed.describe() + ")"));
        }
        if (mine.ed25519() && !allowed.ed25519()) {
            out.add(new PolicyViolation(p.name(), "key-ed25519", "Ed25519 keys are allowed; the CP allows "
                    + allowed.describe()));
        }
    }

    private static void ekus(CertificateTypeRules cp, CertificateProfile p, List<PolicyViolation> out) {
        Set<KeyPurpose> required = EnumSet.noneOf(KeyPurpose.class);
        required.addAll(p.defaultExtendedKeyUsage());
        Set<KeyPurpose> optional = EnumSet.noneOf(KeyPurpose.class);
        optional.addAll(p.optionalExtendedKeyUsage());
        Set<KeyPurpose> cpAll = EnumSet.noneOf(KeyPurpose.class);
        cpAll.addAll(cp.ekuRequired());
        cpAll.addAll(cp.ekuOptional());

        Set<KeyPurpose> all = EnumSet.copyOf(required);
        all.addAll(optional);
        Set<KeyPurpose> foreign = minus(all, cpAll, KeyPurpose.class);
        if (!foreign.isEmpty()) {
            out.add(new PolicyViolation(p.name(), "eku", "extended key usage " + foreign + " is not allowed by the CP "
                    + "(required " + cp.ekuRequired() + ", optional " + cp.ekuOptional() + ")"));
        }
        Set<KeyPurpose> forced = EnumSet.noneOf(KeyPurpose.class);
        for (KeyPurpose k : required) {
            if (cp.ekuOptional().contains(k)) {
                forced.add(k);
            }
        }
        if (!forced.isEmpty()) {
            out.add(new PolicyViolation(p.name(), "eku", "extended key usage " + forced
                    + " is optional under the CP but put in every certificate by the profile"));
        }
        Set<KeyPurpose> missing = minus(cp.ekuRequired(), required, KeyPurpose.class);
        if (!missing.isEmpty()) {
            out.add(new PolicyViolation(p.name(), "eku-required", "extended key usage " + missing
                    + " is required by the CP but not put in every certificate by the profile"));
        }
    }

    private static <T extends Enum<T>> Set<T> minus(Set<T> a, Set<T> b, Class<T> type) {
        Set<T> out = EnumSet.noneOf(type);
        out.addAll(a);
        out.removeAll(b);
        return out;
    }
}
