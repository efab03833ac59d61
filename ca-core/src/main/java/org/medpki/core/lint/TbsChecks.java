package org.medpki.core.lint;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Arrays;
import java.util.Date;
import java.util.HashSet;
import java.util.Set;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.ASN1UTCTime;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.cert.X509CertificateHolder;
import org.medpki.core.template.KeyIdentifiers;
import org.medpki.core.template.SignatureAlgorithms;

/** Checks that apply to every certificate the PKI signs. */
final class TbsChecks {
    private TbsChecks() {
    }

    /**
     * Parses the DER, reporting duplicate extensions (which BouncyCastle's model cannot hold) as
     * a finding; returns null when the structure cannot be linted further.
     */
    static TBSCertificate parse(byte[] der, Findings f) {
        ASN1Sequence seq;
        try {
            seq = ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(der));
        } catch (IOException | RuntimeException e) {
            f.error("e_tbs_malformed", "the to-be-signed certificate is not valid DER: " + e.getMessage());
            return null;
        }
        boolean duplicates = false;
        for (ASN1Encodable part : seq) {
            if (part instanceof ASN1TaggedObject t && t.getTagNo() == 3) {
                Set<ASN1ObjectIdentifier> seen = new HashSet<>();
                for (ASN1Encodable e : ASN1Sequence.getInstance(t.getExplicitBaseObject())) {
                    ASN1ObjectIdentifier oid = ASN1ObjectIdentifier.getInstance(ASN1Sequence.getInstance(e).getObjectAt(0));
                    if (!seen.add(oid)) {
                        duplicates = true;
                        f.error("e_duplicate_extension", "extension " + oid.getId() + " appears more than once");
                    }
                }
            }
        }
        // The version is checked on the raw DER too: BouncyCastle refuses to parse a v1 with extensions.
        ASN1Encodable first = seq.size() > 0 ? seq.getObjectAt(0) : null;
        if (!(first instanceof ASN1TaggedObject v && v.getTagNo() == 0
                && org.bouncycastle.asn1.ASN1Integer.getInstance(v.getExplicitBaseObject()).hasValue(2))) {
            f.error("e_version", "the certificate is not version 3");
            return null;
        }
        if (duplicates) {
            return null;
        }
        try {
            return TBSCertificate.getInstance(seq);
        } catch (RuntimeException e) {
            f.error("e_tbs_malformed", "the to-be-signed certificate is malformed: " + e.getMessage());
            return null;
        }
    }

    static byte[] der(org.bouncycastle.asn1.ASN1Object value) {
        try {
            return value.getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    static void version(TBSCertificate tbs, Findings f) {
        if (tbs.getVersionNumber() != 3) {
            f.error("e_version", "the certificate is version " + tbs.getVersionNumber() + ", not 3");
        }
    }

    static void serial(TBSCertificate tbs, Findings f) {
        BigInteger s = tbs.getSerialNumber().getValue();
        int octets = s.toByteArray().length;
        if (s.signum() <= 0) {
            f.error("e_serial_not_positive", "the serial number must be positive");
        }
        if (octets > 20) {
            f.error("e_serial_too_long", "the serial number has " + octets + " octets; at most 20 are allowed");
        }
        if (octets < 8) {
            f.error("e_serial_low_entropy", "the serial number has " + octets
                    + " octets; at least 8 (64 random bits) are required");
        }
    }

    /** Checks order and encoding; returns the validity period as X.509 counts it (inclusive). */
    static Duration validity(TBSCertificate tbs, X509CertificateHolder issuer, Findings f) {
        timeEncoding("notBefore", tbs.getStartDate(), f);
        timeEncoding("notAfter", tbs.getEndDate(), f);
        Date nb = tbs.getStartDate().getDate();
        Date na = tbs.getEndDate().getDate();
        if (!nb.before(na)) {
            f.error("e_validity_order", "notBefore " + nb.toInstant() + " is not before notAfter " + na.toInstant());
        }
        if (issuer != null && (nb.before(issuer.getNotBefore()) || na.after(issuer.getNotAfter()))) {
            f.error("e_validity_outside_issuer", "the validity " + nb.toInstant() + " - " + na.toInstant()
                    + " is not within the issuer's " + issuer.getNotBefore().toInstant() + " - "
                    + issuer.getNotAfter().toInstant());
        }
        return Duration.between(nb.toInstant(), na.toInstant()).plusSeconds(1);
    }

    private static void timeEncoding(String field, Time t, Findings f) {
        int year = t.getDate().toInstant().atZone(java.time.ZoneOffset.UTC).getYear();
        ASN1Primitive p = t.toASN1Primitive();
        boolean utc = p instanceof ASN1UTCTime;
        if (year < 2050 && !utc || year >= 2050 && !(p instanceof ASN1GeneralizedTime)) {
            f.error("e_time_encoding", field + " must be UTCTime through 2049 and GeneralizedTime from 2050");
        }
    }

    static void issuerName(TBSCertificate tbs, X509CertificateHolder issuer, Findings f) {
        if (!Arrays.equals(der(tbs.getIssuer()), der(issuer.getSubject()))) {
            f.error("e_issuer_dn_mismatch", "the issuer DN '" + tbs.getIssuer()
                    + "' is not byte-for-byte the issuer certificate's subject '" + issuer.getSubject() + "'");
        }
    }

    static void signatureAlgorithm(TBSCertificate tbs, X509CertificateHolder issuer, Findings f) {
        var alg = tbs.getSignature();
        if (SignatureAlgorithms.of(alg).isEmpty()) {
            f.error("e_signature_algorithm_unknown", "signature algorithm " + alg.getAlgorithm().getId()
                    + " (with these parameters) is not one the PKI signs with");
        } else if (!SignatureAlgorithms.fits(alg, issuer.getSubjectPublicKeyInfo())) {
            f.error("e_signature_algorithm_key_mismatch", "signature algorithm " + alg.getAlgorithm().getId()
                    + " does not fit the issuer's key");
        }
    }

    static void subjectKeyId(Extensions ext, Findings f) {
        Extension ski = ext.getExtension(Extension.subjectKeyIdentifier);
        if (ski == null) {
            f.error("e_ski_missing", "subjectKeyIdentifier is missing");
        } else if (ski.isCritical()) {
            f.error("e_ski_critical", "subjectKeyIdentifier must not be critical");
        }
    }

    static void authorityKeyId(Extensions ext, X509CertificateHolder issuer, boolean required, Findings f) {
        Extension aki = ext.getExtension(Extension.authorityKeyIdentifier);
        if (aki == null) {
            if (required) {
                f.error("e_aki_missing", "authorityKeyIdentifier is missing");
            }
            return;
        }
        if (aki.isCritical()) {
            f.error("e_aki_critical", "authorityKeyIdentifier must not be critical");
        }
        byte[] keyId = AuthorityKeyIdentifier.getInstance(aki.getParsedValue()).getKeyIdentifier();
        if (keyId == null || !Arrays.equals(keyId, KeyIdentifiers.ofIssuer(issuer))) {
            f.error("e_aki_mismatch", "authorityKeyIdentifier does not equal the issuer's subjectKeyIdentifier");
        }
    }

    /** BasicConstraints present and critical; returns it or null. */
    static BasicConstraints basicConstraints(Extensions ext, Findings f) {
        Extension bc = ext.getExtension(Extension.basicConstraints);
        if (bc == null) {
            f.error("e_bc_missing", "basicConstraints is missing");
            return null;
        }
        if (!bc.isCritical()) {
            f.error("e_bc_not_critical", "basicConstraints must be critical");
        }
        return BasicConstraints.getInstance(bc.getParsedValue());
    }

    /** KeyUsage present and critical; returns its bits or -1. */
    static int keyUsage(Extensions ext, Findings f) {
        Extension ku = ext.getExtension(Extension.keyUsage);
        if (ku == null) {
            f.error("e_ku_missing", "keyUsage is missing");
            return -1;
        }
        if (!ku.isCritical()) {
            f.error("e_ku_not_critical", "keyUsage must be critical");
        }
        KeyUsage k = KeyUsage.getInstance(ku.getParsedValue());
        int bits = 0;
        for (int bit : new int[] {KeyUsage.digitalSignature, KeyUsage.nonRepudiation, KeyUsage.keyEncipherment,
            KeyUsage.dataEncipherment, KeyUsage.keyAgreement, KeyUsage.keyCertSign, KeyUsage.cRLSign,
            KeyUsage.encipherOnly, KeyUsage.decipherOnly}) {
            if (k.hasUsages(bit)) {
                bits |= bit;
            }
        }
        return bits;
    }

    /** No critical extension outside {@code mayBeCritical}; unexpected non-critical ones are warnings. */
    static void criticality(Extensions ext, Set<ASN1ObjectIdentifier> mayBeCritical, Set<ASN1ObjectIdentifier> expected,
                            Findings f) {
        for (ASN1ObjectIdentifier oid : ext.getExtensionOIDs()) {
            Extension e = ext.getExtension(oid);
            if (e.isCritical() && !mayBeCritical.contains(oid)) {
                f.error(expected.contains(oid) ? "e_extension_critical" : "e_unknown_critical_extension",
                        "extension " + oid.getId() + " must not be critical here");
            } else if (!expected.contains(oid)) {
                f.warn("w_unexpected_extension", "extension " + oid.getId() + " is not one this certificate type carries");
            }
        }
    }

    /** The issuer must be a CA allowed to sign certificates. */
    static void issuerIsCa(X509CertificateHolder issuer, Findings f) {
        BasicConstraints bc = BasicConstraints.fromExtensions(issuer.getExtensions());
        KeyUsage ku = KeyUsage.fromExtensions(issuer.getExtensions());
        if (bc == null || !bc.isCA()) {
            f.error("e_issuer_not_ca", "the issuer certificate is not a CA (basicConstraints cA=true)");
        }
        if (ku != null && !ku.hasUsages(KeyUsage.keyCertSign)) {
            f.error("e_issuer_no_keycertsign", "the issuer certificate's keyUsage lacks keyCertSign");
        }
    }
}
