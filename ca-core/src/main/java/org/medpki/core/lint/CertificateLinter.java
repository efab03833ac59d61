package org.medpki.core.lint;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import org.bouncycastle.asn1.ASN1Null;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.CertificatePolicies;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.cert.X509CertificateHolder;
import org.medpki.core.error.PkiException;
import org.medpki.core.policy.KeyPolicy;
import org.medpki.core.policy.NamePolicy;
import org.medpki.core.policy.SubjectPolicy;
import org.medpki.core.profile.CertificateProfile;
import org.medpki.core.profile.KeyFamily;
import org.medpki.core.profile.KeyPurpose;
import org.medpki.core.profile.KeyUsageName;
import org.medpki.core.profile.SanType;

/**
 * Lints an end-entity to-be-signed certificate against its profile and issuer before anything is
 * signed (CP 7.1; RFC 5280 and the CA/Browser Forum rules that make sense for a private PKI).
 * Finding codes start with "e_" (error: do not sign) or "w_" (warning). Thread-safe.
 */
public final class CertificateLinter {
    private static final Set<ASN1ObjectIdentifier> MAY_BE_CRITICAL = Set.of(
            Extension.basicConstraints, Extension.keyUsage, Extension.subjectAlternativeName);
    private static final Set<ASN1ObjectIdentifier> EXPECTED = Set.of(
            Extension.basicConstraints, Extension.keyUsage, Extension.extendedKeyUsage,
            Extension.subjectKeyIdentifier, Extension.authorityKeyIdentifier, Extension.subjectAlternativeName,
            Extension.certificatePolicies, Extension.cRLDistributionPoints, Extension.authorityInfoAccess,
            Extension.freshestCRL, Extension.noRevAvail);

    public List<LintFinding> lint(TBSCertificate tbs, CertificateProfile profile, X509CertificateHolder issuer) {
        return lintEncoded(TbsChecks.der(tbs), profile, issuer);
    }

    /** Lints DER as it will be signed (also finds duplicate extensions, which a parsed TBS cannot hold). */
    public List<LintFinding> lintEncoded(byte[] tbsDer, CertificateProfile profile, X509CertificateHolder issuer) {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(issuer, "issuer");
        Findings f = new Findings();
        TBSCertificate tbs = TbsChecks.parse(tbsDer, f);
        if (tbs != null) {
            run(tbs, profile, issuer, f);
        }
        return f.list();
    }

    /** Throws PkiException(LINT_FAILED, "certificate failed lint: ...") when there is any error. */
    public void check(TBSCertificate tbs, CertificateProfile profile, X509CertificateHolder issuer) {
        Findings.throwIfErrors("certificate", lint(tbs, profile, issuer));
    }

    private static void run(TBSCertificate tbs, CertificateProfile profile, X509CertificateHolder issuer, Findings f) {
        TbsChecks.version(tbs, f);
        TbsChecks.serial(tbs, f);
        Duration length = TbsChecks.validity(tbs, issuer, f);
        if (length.compareTo(profile.maxValidity()) > 0) {
            f.error("e_validity_too_long", "the validity period is " + describe(length) + "; profile "
                    + profile.name() + " allows at most " + describe(profile.maxValidity()));
        }
        TbsChecks.issuerName(tbs, issuer, f);
        TbsChecks.signatureAlgorithm(tbs, issuer, f);
        TbsChecks.issuerIsCa(issuer, f);
        try {
            KeyPolicy.check(tbs.getSubjectPublicKeyInfo(), profile.keys(), profile.name());
        } catch (PkiException e) {
            f.error("e_key", e.detail());
        }

        Extensions ext = tbs.getExtensions();
        if (ext == null) {
            f.error("e_no_extensions", "the certificate has no extensions");
            return;
        }
        TbsChecks.criticality(ext, MAY_BE_CRITICAL, EXPECTED, f);
        TbsChecks.subjectKeyId(ext, f);
        TbsChecks.authorityKeyId(ext, issuer, true, f);

        BasicConstraints bc = TbsChecks.basicConstraints(ext, f);
        if (bc != null && (bc.isCA() || bc.getPathLenConstraint() != null)) {
            f.error("e_bc_ca", "an end-entity certificate must have cA=false and no path length");
        }
        keyUsage(tbs, ext, profile, f);
        extendedKeyUsage(ext, profile, f);
        List<GeneralName> sans = subjectAltNames(tbs, ext, profile, f);
        try {
            SubjectPolicy.check(tbs.getSubject(), profile.subject(), sans, profile.name());
        } catch (PkiException e) {
            f.error("e_subject", e.detail());
        }

        CertificatePolicies policies = CertificatePolicies.fromExtensions(ext);
        if (policies == null || policies.getPolicyInformation(new ASN1ObjectIdentifier(profile.policyOid())) == null) {
            f.error("e_policy_missing", "certificatePolicies must contain the profile's policy " + profile.policyOid());
        }
        if (profile.noRevAvail()) {
            noRevAvail(ext, profile, length, f);
        } else {
            if (ext.getExtension(Extension.cRLDistributionPoints) == null) {
                f.error("e_crldp_missing", "cRLDistributionPoints is missing");
            }
            if (ext.getExtension(Extension.noRevAvail) != null) {
                f.error("e_no_rev_avail_not_allowed", "noRevAvail is set but profile " + profile.name()
                        + " publishes revocation information");
            }
        }
        freshestCrl(ext, f);
        AuthorityInformationAccess aia = AuthorityInformationAccess.fromExtensions(ext);
        boolean ocsp = false;
        boolean caIssuers = false;
        if (aia != null) {
            for (AccessDescription d : aia.getAccessDescriptions()) {
                ocsp |= d.getAccessMethod().equals(AccessDescription.id_ad_ocsp);
                caIssuers |= d.getAccessMethod().equals(AccessDescription.id_ad_caIssuers);
            }
        }
        if (!ocsp && !profile.noRevAvail()) {
            f.error("e_aia_ocsp_missing", "authorityInfoAccess has no OCSP responder URL");
        }
        if (ocsp && profile.noRevAvail()) {
            f.error("e_no_rev_avail_ocsp", "a certificate with noRevAvail must not name an OCSP responder (RFC 9608)");
        }
        if (!caIssuers) {
            f.error("e_aia_ca_issuers_missing", "authorityInfoAccess has no caIssuers URL");
        }
    }

    /**
     * RFC 9608: noRevAvail present, not critical, its value NULL; no CRL distribution point or
     * Freshest CRL beside it; and the certificate short enough to need none.
     */
    private static void noRevAvail(Extensions ext, CertificateProfile profile, Duration length, Findings f) {
        Extension e = ext.getExtension(Extension.noRevAvail);
        if (e == null) {
            f.error("e_no_rev_avail_missing", "profile " + profile.name() + " carries no revocation information "
                    + "and needs the noRevAvail extension");
        } else {
            if (e.isCritical()) {
                f.error("e_no_rev_avail_critical", "noRevAvail must not be critical (RFC 9608)");
            }
            if (!(e.getParsedValue() instanceof ASN1Null)) {
                f.error("e_no_rev_avail_value", "noRevAvail's value must be NULL (RFC 9608)");
            }
        }
        if (ext.getExtension(Extension.cRLDistributionPoints) != null || ext.getExtension(Extension.freshestCRL) != null) {
            f.error("e_no_rev_avail_crldp", "a certificate with noRevAvail must not name a CRL (RFC 9608)");
        }
        if (length.compareTo(CertificateProfile.NO_REV_AVAIL_MAX) > 0) {
            f.error("e_no_rev_avail_too_long", "a certificate without revocation information may live at most "
                    + describe(CertificateProfile.NO_REV_AVAIL_MAX) + ", not " + describe(length));
        }
    }

    /**
     * Freshest CRL (RFC 5280 4.2.1.15) is optional (present when the CA publishes delta CRLs);
     * when present it must be non-critical and name exactly one http(s) URL, next to a CDP.
     */
    private static void freshestCrl(Extensions ext, Findings f) {
        Extension e = ext.getExtension(Extension.freshestCRL);
        if (e == null) {
            return;
        }
        if (e.isCritical()) {
            f.error("e_freshest_crl_critical", "Freshest CRL must not be critical");
        }
        try {
            DistributionPoint[] points = CRLDistPoint.getInstance(e.getParsedValue()).getDistributionPoints();
            DistributionPointName name = points.length == 1 ? points[0].getDistributionPoint() : null;
            GeneralName[] names = name != null && name.getType() == DistributionPointName.FULL_NAME
                    ? GeneralNames.getInstance(name.getName()).getNames() : new GeneralName[0];
            if (names.length != 1 || names[0].getTagNo() != GeneralName.uniformResourceIdentifier
                    || !names[0].getName().toString().matches("https?://.+")) {
                f.error("e_freshest_crl_malformed", "Freshest CRL must name exactly one http(s) URL");
            }
        } catch (RuntimeException bad) {
            f.error("e_freshest_crl_malformed", "Freshest CRL cannot be parsed: " + bad.getMessage());
        }
    }

    private static void keyUsage(TBSCertificate tbs, Extensions ext, CertificateProfile profile, Findings f) {
        int bits = TbsChecks.keyUsage(ext, f);
        if (bits < 0) {
            return;
        }
        KeyFamily family = KeyFamily.of(tbs.getSubjectPublicKeyInfo());
        if ((bits & (KeyUsage.keyCertSign | KeyUsage.cRLSign)) != 0) {
            f.error("e_ku_ca_usage", "an end-entity certificate must not have keyCertSign or cRLSign");
        }
        if (family != KeyFamily.RSA && (bits & (KeyUsage.keyEncipherment | KeyUsage.dataEncipherment)) != 0) {
            f.error("e_ku_key_type", "keyEncipherment/dataEncipherment need an RSA key, not " + family);
        }
        if (family != KeyFamily.EC && (bits & KeyUsage.keyAgreement) != 0) {
            f.error("e_ku_key_type", "keyAgreement needs an EC key, not " + family);
        }
        if (family != null) {
            int want = 0;
            for (KeyUsageName k : profile.keyUsageFor(family)) {
                want |= k.bit();
            }
            if (bits != want) {
                f.error("e_ku_mismatch", "keyUsage is not what profile " + profile.name() + " sets for a "
                        + family + " key (" + profile.keyUsageFor(family) + ")");
            }
        }
    }

    private static void extendedKeyUsage(Extensions ext, CertificateProfile profile, Findings f) {
        Extension e = ext.getExtension(Extension.extendedKeyUsage);
        if (e == null) {
            f.error("e_eku_missing", "extendedKeyUsage is missing");
            return;
        }
        if (e.isCritical()) {
            f.error("e_eku_critical", "extendedKeyUsage must not be critical");
        }
        ExtendedKeyUsage eku = ExtendedKeyUsage.getInstance(e.getParsedValue());
        Set<KeyPurpose> present = new HashSet<>();
        for (KeyPurposeId id : eku.getUsages()) {
            if (id.equals(KeyPurposeId.anyExtendedKeyUsage)) {
                f.error("e_eku_any", "extendedKeyUsage must not contain anyExtendedKeyUsage");
                continue;
            }
            KeyPurpose p = KeyPurpose.ofOid(id.toOID());
            if (p == null || !profile.extendedKeyUsage().contains(p)) {
                f.error("e_eku_not_allowed", "extended key usage " + (p == null ? id.toOID().getId() : p)
                        + " is not allowed by profile " + profile.name());
            } else {
                present.add(p);
            }
        }
        for (KeyPurpose p : profile.defaultExtendedKeyUsage()) {
            if (!present.contains(p)) {
                f.error("e_eku_required_missing", "extended key usage " + p + " required by profile "
                        + profile.name() + " is missing");
            }
        }
    }

    private static List<GeneralName> subjectAltNames(TBSCertificate tbs, Extensions ext, CertificateProfile profile,
                                                     Findings f) {
        List<GeneralName> out = new ArrayList<>();
        boolean emptySubject = tbs.getSubject().getRDNs().length == 0;
        Extension san = ext.getExtension(Extension.subjectAlternativeName);
        if (san == null) {
            if (profile.subjectAltNames().minimum() > 0 || emptySubject) {
                f.error("e_san_missing", "subjectAltName is missing");
            }
            return out;
        }
        if (san.isCritical() != emptySubject) {
            f.error("e_san_criticality", "subjectAltName must be critical exactly when the subject is empty");
        }
        GeneralName[] names = GeneralNames.getInstance(san.getParsedValue()).getNames();
        if (names.length == 0) {
            f.error("e_san_empty", "subjectAltName has no names");
        }
        for (GeneralName n : names) {
            try {
                GeneralName normal = NamePolicy.check(n, profile.subjectAltNames(), profile.name());
                if (!normal.equals(n)) {
                    f.error("e_san_not_normalised", "SAN " + NamePolicy.render(n) + " is not in canonical (lower) case");
                }
                out.add(n);
            } catch (PkiException e) {
                f.error("e_san_not_allowed", e.detail());
            }
        }
        if (names.length < profile.subjectAltNames().minimum()) {
            f.error("e_san_too_few", "profile " + profile.name() + " needs at least "
                    + profile.subjectAltNames().minimum() + " SAN(s)");
        }
        var missing = profile.subjectAltNames().missingRequired(out.stream().map(SanType::of).toList());
        if (!missing.isEmpty()) {
            f.error("e_san_required_missing", "profile " + profile.name() + " needs a SAN of type " + missing);
        }
        return out;
    }

    private static String describe(Duration d) {
        long s = d.toSeconds();
        return s % 86400 == 0 ? (s / 86400) + " days" : d.toString();
    }
}
