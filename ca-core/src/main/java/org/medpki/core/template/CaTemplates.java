package org.medpki.core.template;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

/**
 * The PKI's own certificates (CP 7.1.2, CA profiles): a self-signed root, issuing CAs, delegated
 * OCSP signers (RFC 6960 4.2.2.2) and the audit checkpoint signer. Validity is taken as given;
 * {@link org.medpki.core.lint.CaCertificateLinter} checks it against the issuer.
 */
public final class CaTemplates {
    /** anyPolicy (RFC 5280 4.2.1.4), accepted among an issuing CA's policy OIDs. */
    public static final String ANY_POLICY = "2.5.29.32.0";

    /** Self-signed root: cA=true without path length, keyCertSign+cRLSign, SKI; no AKI. */
    public TBSCertificate root(X500Name subject, SubjectPublicKeyInfo key, AlgorithmIdentifier sigAlg,
                               BigInteger serial, Instant notBefore, Instant notAfter) {
        Objects.requireNonNull(subject, "subject");
        if (!SignatureAlgorithms.fits(sigAlg, key)) {
            throw new PkiException(ErrorKind.BAD_SIGNATURE_ALGORITHM, "signature algorithm "
                    + sigAlg.getAlgorithm().getId() + " does not fit the root key");
        }
        requireSubject(subject);
        ExtensionsGenerator ext = new ExtensionsGenerator();
        TbsParts.add(ext, Extension.basicConstraints, true, new BasicConstraints(true));
        TbsParts.add(ext, Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        TbsParts.keyIdentifiers(ext, key, null);
        return TbsParts.frame(serial, sigAlg, subject, notBefore, notAfter, subject, key, ext);
    }

    /**
     * Issuing CA under {@code root}: cA=true with {@code pathLen} (0: it issues only end
     * entities), keyCertSign+cRLSign, SKI, AKI, certificatePolicies {@code policyOids} (the
     * policies of the certificates it issues, so that a relying party that requires an explicit
     * policy finds each leaf's OID on the whole path (RFC 5280 6.1.3 d); {@link #ANY_POLICY}
     * allowed; empty for none), and when given the root's CRL URL and the root certificate's URL
     * (AIA caIssuers).
     */
    public TBSCertificate issuing(IssuerInfo root, X500Name subject, SubjectPublicKeyInfo key, BigInteger serial,
                                  Instant notBefore, Instant notAfter, int pathLen, List<String> policyOids,
                                  String crlUrl, String caIssuersUrl) {
        Objects.requireNonNull(root, "root");
        requireSubject(subject);
        if (pathLen < 0) {
            throw new PkiException(ErrorKind.MALFORMED, "pathLen must not be negative");
        }
        ExtensionsGenerator ext = new ExtensionsGenerator();
        TbsParts.add(ext, Extension.basicConstraints, true, new BasicConstraints(pathLen));
        TbsParts.add(ext, Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        TbsParts.keyIdentifiers(ext, key, KeyIdentifiers.ofIssuer(root.certificate()));
        if (!policyOids.isEmpty()) {
            TbsParts.policies(ext, policyOids);
        }
        if (crlUrl != null) {
            TbsParts.crlDistributionPoint(ext, crlUrl);
        }
        TbsParts.authorityInfoAccess(ext, null, caIssuersUrl);
        return TbsParts.frame(serial, root.signatureAlgorithm(), root.certificate().getSubject(), notBefore, notAfter,
                subject, key, ext);
    }

    /**
     * Delegated OCSP responder certificate: cA=false, keyUsage digitalSignature, EKU
     * id-kp-OCSPSigning, id-pkix-ocsp-nocheck (so clients do not ask for its own status; keep it
     * short-lived instead), SKI, AKI.
     */
    public TBSCertificate ocspSigner(IssuerInfo issuingCa, X500Name subject, SubjectPublicKeyInfo key,
                                     BigInteger serial, Instant notBefore, Instant notAfter) {
        Objects.requireNonNull(issuingCa, "issuingCa");
        requireSubject(subject);
        ExtensionsGenerator ext = new ExtensionsGenerator();
        TbsParts.add(ext, Extension.basicConstraints, true, new BasicConstraints(false));
        TbsParts.add(ext, Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        TbsParts.add(ext, Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_OCSPSigning));
        TbsParts.add(ext, OCSPObjectIdentifiers.id_pkix_ocsp_nocheck, false, DERNull.INSTANCE);
        TbsParts.keyIdentifiers(ext, key, KeyIdentifiers.ofIssuer(issuingCa.certificate()));
        return TbsParts.frame(serial, issuingCa.signatureAlgorithm(), issuingCa.certificate().getSubject(),
                notBefore, notAfter, subject, key, ext);
    }

    /**
     * The audit checkpoint signer: cA=false, keyUsage digitalSignature+nonRepudiation
     * (contentCommitment: it vouches for the log's content), no EKU, SKI, AKI.
     */
    public TBSCertificate auditSigner(IssuerInfo issuer, X500Name subject, SubjectPublicKeyInfo key,
                                      BigInteger serial, Instant notBefore, Instant notAfter) {
        Objects.requireNonNull(issuer, "issuer");
        requireSubject(subject);
        ExtensionsGenerator ext = new ExtensionsGenerator();
        TbsParts.add(ext, Extension.basicConstraints, true, new BasicConstraints(false));
        TbsParts.add(ext, Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.nonRepudiation));
        TbsParts.keyIdentifiers(ext, key, KeyIdentifiers.ofIssuer(issuer.certificate()));
        return TbsParts.frame(serial, issuer.signatureAlgorithm(), issuer.certificate().getSubject(),
                notBefore, notAfter, subject, key, ext);
    }

    private static void requireSubject(X500Name subject) {
        Objects.requireNonNull(subject, "subject");
        if (subject.getRDNs().length == 0) {
            throw new PkiException(ErrorKind.MALFORMED, "a PKI certificate needs a non-empty subject");
        }
    }
}
