package org.medpki.core.profile;

import java.util.Objects;
import java.util.Set;

/**
 * Which subject DN attributes a profile allows and requires. Every attribute may appear at most
 * once, each RDN single-valued; the commonName is governed by {@link #commonName()} alone.
 */
public record SubjectRules(Set<SubjectAttribute> allowed, Set<SubjectAttribute> required, CommonNameRule commonName) {
    public SubjectRules {
        allowed = Set.copyOf(Objects.requireNonNull(allowed, "allowed"));
        required = Set.copyOf(Objects.requireNonNull(required, "required"));
        Objects.requireNonNull(commonName, "commonName");
        if (allowed.contains(SubjectAttribute.CN) || required.contains(SubjectAttribute.CN)) {
            throw new IllegalArgumentException("list CN under subject.commonName, not allowed/required");
        }
        if (!allowed.containsAll(required)) {
            throw new IllegalArgumentException("every required attribute must also be allowed");
        }
    }

    /** Whether the attribute may appear at all. */
    public boolean allows(SubjectAttribute a) {
        return a == SubjectAttribute.CN ? commonName != CommonNameRule.FORBIDDEN : allowed.contains(a);
    }

    /** Whether the attribute must appear. */
    public boolean requires(SubjectAttribute a) {
        return a == SubjectAttribute.CN ? commonName == CommonNameRule.REQUIRED : required.contains(a);
    }
}
