package org.medpki.core.lint;

import java.util.List;
import java.util.Objects;
import java.util.Set;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.cert.X509CertificateHolder;
import org.medpki.core.inventory.CaRole;

/**
 * Lints the PKI's own certificates before the ceremony signs them: root and issuing CAs (cA=true,
 * keyCertSign+cRLSign, path length on issuing CAs), delegated OCSP signers (cA=false,
 * digitalSignature, id-kp-OCSPSigning only, id-pkix-ocsp-nocheck) and the audit signer (cA=false,
 * digitalSignature+nonRepudiation). Thread-safe.
 */
public final class CaCertificateLinter {
    private static final Set<ASN1ObjectIdentifier> MAY_BE_CRITICAL = Set.of(Extension.basicConstraints, Extension.keyUsage);
    private static final Set<ASN1ObjectIdentifier> EXPECTED = Set.of(
            Extension.basicConstraints, Extension.keyUsage, Extension.extendedKeyUsage,
            Extension.subjectKeyIdentifier, Extension.authorityKeyIdentifier, Extension.certificatePolicies,
            Extension.cRLDistributionPoints, Extension.authorityInfoAccess, OCSPObjectIdentifiers.id_pkix_ocsp_nocheck);

    /**
     * @param issuer the issuer's certificate; null for a self-signed {@link CaRole#ROOT}, which is
     *               checked against itself
     */
    public List<LintFinding> lint(TBSCertificate tbs, CaRole role, X509CertificateHolder issuer) {
        Objects.requireNonNull(role, "role");
        Findings f = new Findings();
        TBSCertificate t = TbsChecks.parse(TbsChecks.der(tbs), f);
        if (t == null) {
            return f.list();
        }
        if (role == CaRole.ROOT && issuer != null) {
            f.error("e_root_has_issuer", "a root is self-signed: lint it without an issuer certificate");
            return f.list();
        }
        if (role != CaRole.ROOT && issuer == null) {
            f.error("e_issuer_missing", "a " + role.wireName() + " certificate needs its issuer to be linted");
            return f.list();
        }
        X509CertificateHolder against = issuer != null ? issuer : selfCertificate(t);
        TbsChecks.version(t, f);
        TbsChecks.serial(t, f);
        TbsChecks.validity(t, issuer, f);
        TbsChecks.issuerName(t, against, f);
        TbsChecks.signatureAlgorithm(t, against, f);
        if (t.getSubject().getRDNs().length == 0) {
            f.error("e_subject_empty", "a PKI certificate needs a subject");
        }
        if (issuer != null) {
            TbsChecks.issuerIsCa(issuer, f);
        }
        Extensions ext = t.getExtensions();
        if (ext == null) {
            f.error("e_no_extensions", "the certificate has no extensions");
            return f.list();
        }
        TbsChecks.criticality(ext, MAY_BE_CRITICAL, EXPECTED, f);
        TbsChecks.subjectKeyId(ext, f);
        TbsChecks.authorityKeyId(ext, against, role != CaRole.ROOT, f);
        BasicConstraints bc = TbsChecks.basicConstraints(ext, f);
        int ku = TbsChecks.keyUsage(ext, f);
        Extension ekuExt = ext.getExtension(Extension.extendedKeyUsage);

        switch (role) {
            case ROOT, ISSUING -> {
                if (bc != null && !bc.isCA()) {
                    f.error("e_bc_not_ca", "a CA certificate must have cA=true");
                }
                if (role == CaRole.ISSUING && bc != null && bc.isCA() && bc.getPathLenConstraint() == null) {
                    f.error("e_bc_path_len_missing", "an issuing CA must carry a path length constraint");
                }
                if (role == CaRole.ISSUING && issuer != null) {
                    BasicConstraints parent = BasicConstraints.fromExtensions(issuer.getExtensions());
                    if (parent != null && parent.getPathLenConstraint() != null && bc != null
                            && bc.getPathLenConstraint() != null
                            && bc.getPathLenConstraint().intValue() >= parent.getPathLenConstraint().intValue()) {
                        f.error("e_bc_path_len", "the path length must be below the issuer's");
                    }
                }
                if (ku >= 0 && (ku & (KeyUsage.keyCertSign | KeyUsage.cRLSign)) != (KeyUsage.keyCertSign | KeyUsage.cRLSign)) {
                    f.error("e_ku_ca", "a CA certificate's keyUsage must contain keyCertSign and cRLSign");
                }
                if (ekuExt != null) {
                    f.warn("w_ca_eku", "a CA certificate carries extendedKeyUsage, which constrains what it can issue");
                }
            }
            case OCSP_SIGNER -> {
                requireEndEntity(bc, f);
                if (ku >= 0 && ku != KeyUsage.digitalSignature) {
                    f.error("e_ku_ocsp", "an OCSP signer's keyUsage must be digitalSignature alone");
                }
                if (ekuExt == null) {
                    f.error("e_eku_missing", "an OCSP signer needs extendedKeyUsage id-kp-OCSPSigning");
                } else {
                    KeyPurposeId[] usages = ExtendedKeyUsage.getInstance(ekuExt.getParsedValue()).getUsages();
                    if (usages.length != 1 || !usages[0].equals(KeyPurposeId.id_kp_OCSPSigning)) {
                        f.error("e_eku_ocsp", "an OCSP signer's extendedKeyUsage must be id-kp-OCSPSigning alone");
                    }
                }
                if (ext.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nocheck) == null) {
                    f.error("e_ocsp_nocheck_missing", "an OCSP signer needs id-pkix-ocsp-nocheck");
                }
            }
            case AUDIT -> {
                requireEndEntity(bc, f);
                if (ku >= 0 && ku != (KeyUsage.digitalSignature | KeyUsage.nonRepudiation)) {
                    f.error("e_ku_audit", "the audit signer's keyUsage must be digitalSignature and nonRepudiation");
                }
                if (ekuExt != null) {
                    f.error("e_eku_audit", "the audit signer carries no extendedKeyUsage");
                }
            }
        }
        if (role != CaRole.OCSP_SIGNER && ext.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nocheck) != null) {
            f.error("e_ocsp_nocheck_misplaced", "only an OCSP signer may carry id-pkix-ocsp-nocheck");
        }
        return f.list();
    }

    /** Throws PkiException(LINT_FAILED, "... certificate failed lint: ...") when there is any error. */
    public void check(TBSCertificate tbs, CaRole role, X509CertificateHolder issuer) {
        Findings.throwIfErrors(role.wireName() + " certificate", lint(tbs, role, issuer));
    }

    private static void requireEndEntity(BasicConstraints bc, Findings f) {
        if (bc != null && (bc.isCA() || bc.getPathLenConstraint() != null)) {
            f.error("e_bc_ca", "this certificate must have cA=false");
        }
    }

    /** A stand-in "issuer" for a root: the unsigned TBS itself, so its own DN, key and SKI apply. */
    private static X509CertificateHolder selfCertificate(TBSCertificate tbs) {
        return org.medpki.core.template.CertificateAssembler.assemble(tbs, new byte[] {0});
    }
}
