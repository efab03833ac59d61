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
 * out or made optional), {@code san-type}, {@code dns-wildcard}, {@code subject-attribute}.
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
            check(row.get(), p, out);
        }
        return List.copyOf(out);
    }

    private static void check(CertificateTypeRules cp, CertificateProfile p, List<PolicyViolation> out) {
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
