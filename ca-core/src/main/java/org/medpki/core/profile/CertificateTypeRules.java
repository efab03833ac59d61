package org.medpki.core.profile;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * One row of the CP's certificate-type table (CP 1.4, 6.1, 7.1): the most a profile of this type
 * may allow. A profile may be stricter; {@link PolicyConformance} reports where it is looser.
 * {@code subjectAttributes} includes CN when a commonName may appear. {@code sanRequired}: name forms
 * every certificate of the type carries; {@code noRevAvail}: the type's certificates carry no
 * revocation information (RFC 9608), which only a short life allows.
 */
public record CertificateTypeRules(String name, String policyOid, String issuer, Duration maxValidity,
                                   KeyRules keys, Set<KeyUsageName> keyUsage, Set<KeyPurpose> ekuRequired,
                                   Set<KeyPurpose> ekuOptional, Set<SanType> sanTypes, boolean dnsWildcards,
                                   Set<SubjectAttribute> subjectAttributes, Set<SanType> sanRequired,
                                   boolean noRevAvail) {
    public CertificateTypeRules {
        Objects.requireNonNull(name, "name");
        CertificateProfile.requireOid(policyOid);
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(maxValidity, "maxValidity");
        Objects.requireNonNull(keys, "keys");
        keyUsage = Set.copyOf(keyUsage);
        ekuRequired = Set.copyOf(ekuRequired);
        ekuOptional = Set.copyOf(ekuOptional);
        sanTypes = Set.copyOf(sanTypes);
        subjectAttributes = Set.copyOf(subjectAttributes);
        sanRequired = Set.copyOf(sanRequired);
        if (!sanTypes.containsAll(sanRequired)) {
            throw new IllegalArgumentException(name + ": sanRequired " + sanRequired + " must be among sanTypes");
        }
        if (noRevAvail && maxValidity.compareTo(CertificateProfile.NO_REV_AVAIL_MAX) > 0) {
            throw new IllegalArgumentException(name + ": noRevAvail allows at most "
                    + CertificateProfile.NO_REV_AVAIL_MAX.toDays() + " days of validity");
        }
        if (maxValidity.isNegative() || maxValidity.isZero()) {
            throw new IllegalArgumentException(name + ": maxValidityDays must be positive");
        }
        if (ekuRequired.isEmpty()) {
            throw new IllegalArgumentException(name + ": ekuRequired must name at least one purpose");
        }
        for (KeyPurpose p : ekuOptional) {
            if (ekuRequired.contains(p)) {
                throw new IllegalArgumentException(name + ": EKU " + p + " is both required and optional");
            }
        }
        if (dnsWildcards && !sanTypes.contains(SanType.DNS)) {
            throw new IllegalArgumentException(name + ": dnsWildcards needs the dns SAN type");
        }
    }
}
