package org.medpki.core.profile;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.CertificatePolicies;
import org.bouncycastle.asn1.x509.PolicyInformation;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * Whether each profile's policy OID is asserted by its issuing CA's certificate (or the CA asserts
 * anyPolicy). Where it is not, a relying party that requires an explicit policy (RFC 5280 6.1.3 d,
 * initial-explicit-policy) rejects every certificate of the profile although PKIX without a
 * policy requirement accepts it: an issuing CA made before a profile (or a CP change) added an OID.
 */
public final class PolicyCoverage {
    private static final ASN1ObjectIdentifier ANY_POLICY = new ASN1ObjectIdentifier("2.5.29.32.0");

    private PolicyCoverage() {
    }

    /** One profile whose OID its issuing CA does not assert. */
    public record Gap(String profile, String policyOid, String issuer) {
        @Override
        public String toString() {
            return "profile " + profile + ": issuing CA " + issuer + " does not assert policy " + policyOid;
        }
    }

    /** The gaps; {@code issuerCertificate} gives a CA's certificate by name (profiles of CAs it does not know are skipped). */
    public static List<Gap> gaps(Collection<CertificateProfile> profiles,
                                 Function<String, X509CertificateHolder> issuerCertificate) {
        List<Gap> gaps = new ArrayList<>();
        for (CertificateProfile p : profiles) {
            X509CertificateHolder ca = issuerCertificate.apply(p.issuer());
            if (ca != null && !asserts(ca, new ASN1ObjectIdentifier(p.policyOid()))) {
                gaps.add(new Gap(p.name(), p.policyOid(), p.issuer()));
            }
        }
        return gaps;
    }

    static boolean asserts(X509CertificateHolder ca, ASN1ObjectIdentifier policy) {
        CertificatePolicies policies = CertificatePolicies.fromExtensions(ca.getExtensions());
        if (policies == null) {
            return false;
        }
        for (PolicyInformation info : policies.getPolicyInformation()) {
            if (info.getPolicyIdentifier().equals(policy) || info.getPolicyIdentifier().equals(ANY_POLICY)) {
                return true;
            }
        }
        return false;
    }
}
