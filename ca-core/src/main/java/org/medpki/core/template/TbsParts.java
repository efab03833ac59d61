package org.medpki.core.template;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.CertificatePolicies;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.PolicyInformation;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.asn1.x509.V3TBSCertificateGenerator;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

/** The pieces every template puts together: the v3 frame and the usual extensions. */
final class TbsParts {
    private TbsParts() {
    }

    static TBSCertificate frame(BigInteger serial, AlgorithmIdentifier signature, X500Name issuer, Instant notBefore,
                                Instant notAfter, X500Name subject, SubjectPublicKeyInfo key, ExtensionsGenerator ext) {
        if (serial == null || serial.signum() <= 0 || serial.bitLength() > 159) {
            throw new PkiException(ErrorKind.INTERNAL, "a serial number must be positive and at most 20 octets");
        }
        if (!notBefore.isBefore(notAfter)) {
            throw new PkiException(ErrorKind.MALFORMED, "notBefore " + notBefore + " is not before notAfter " + notAfter);
        }
        V3TBSCertificateGenerator g = new V3TBSCertificateGenerator();
        g.setSerialNumber(new ASN1Integer(serial));
        g.setSignature(signature);
        g.setIssuer(issuer);
        g.setStartDate(time(notBefore));
        g.setEndDate(time(notAfter));
        g.setSubject(subject);
        g.setSubjectPublicKeyInfo(key);
        g.setExtensions(ext.generate());
        return g.generateTBSCertificate();
    }

    /** UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5), whole seconds. */
    static Time time(Instant t) {
        return new Time(Date.from(t.truncatedTo(ChronoUnit.SECONDS)));
    }

    static void add(ExtensionsGenerator g, ASN1ObjectIdentifier oid, boolean critical, ASN1Encodable value) {
        try {
            g.addExtension(oid, critical, value);
        } catch (IOException e) {
            throw new PkiException(ErrorKind.INTERNAL, "cannot encode extension " + oid.getId(), e);
        }
    }

    static void keyIdentifiers(ExtensionsGenerator g, SubjectPublicKeyInfo key, byte[] authorityKeyId) {
        add(g, Extension.subjectKeyIdentifier, false, new SubjectKeyIdentifier(KeyIdentifiers.of(key)));
        if (authorityKeyId != null) {
            add(g, Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(authorityKeyId));
        }
    }

    static void policy(ExtensionsGenerator g, String oid) {
        policies(g, List.of(oid));
    }

    static void policies(ExtensionsGenerator g, List<String> oids) {
        add(g, Extension.certificatePolicies, false, new CertificatePolicies(oids.stream()
                .map(oid -> new PolicyInformation(new ASN1ObjectIdentifier(oid))).toArray(PolicyInformation[]::new)));
    }

    static void crlDistributionPoint(ExtensionsGenerator g, String url) {
        GeneralNames names = new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, url));
        add(g, Extension.cRLDistributionPoints, false, new CRLDistPoint(new DistributionPoint[] {
            new DistributionPoint(new DistributionPointName(names), null, null)}));
    }

    /** Freshest CRL (RFC 5280 4.2.1.15): where the delta CRLs of the certificate's scope are. */
    static void freshestCrl(ExtensionsGenerator g, String url) {
        GeneralNames names = new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, url));
        add(g, Extension.freshestCRL, false, new CRLDistPoint(new DistributionPoint[] {
            new DistributionPoint(new DistributionPointName(names), null, null)}));
    }

    /** AIA with OCSP and/or caIssuers; either may be null, both null adds nothing. */
    static void authorityInfoAccess(ExtensionsGenerator g, String ocspUrl, String caIssuersUrl) {
        var list = new java.util.ArrayList<AccessDescription>();
        if (ocspUrl != null) {
            list.add(new AccessDescription(AccessDescription.id_ad_ocsp,
                    new GeneralName(GeneralName.uniformResourceIdentifier, ocspUrl)));
        }
        if (caIssuersUrl != null) {
            list.add(new AccessDescription(AccessDescription.id_ad_caIssuers,
                    new GeneralName(GeneralName.uniformResourceIdentifier, caIssuersUrl)));
        }
        if (!list.isEmpty()) {
            add(g, Extension.authorityInfoAccess, false,
                    new AuthorityInformationAccess(list.toArray(AccessDescription[]::new)));
        }
    }
}
