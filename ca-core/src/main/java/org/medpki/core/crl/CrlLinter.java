package org.medpki.core.crl;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Enumerated;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;

import org.bouncycastle.asn1.ASN1SequenceParser;
import org.bouncycastle.asn1.ASN1StreamParser;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.ASN1TaggedObjectParser;
import org.bouncycastle.asn1.ASN1UTCTime;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.IssuingDistributionPoint;
import org.bouncycastle.asn1.x509.TBSCertList;
import org.bouncycastle.asn1.x509.Time;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.lint.LintFinding;
import org.medpki.core.lint.Severity;
import org.medpki.core.revocation.RevocationReason;
import org.medpki.core.template.KeyIdentifiers;
import org.medpki.core.template.SignatureAlgorithms;

/**
 * Lints a to-be-signed CertList, as DER, before it is signed (RFC 5280 5.1-5.3): version 2;
 * signature algorithm and issuer DN those of the issuer; thisUpdate not in the future; nextUpdate
 * present, after thisUpdate and not in the past; time encodings; CRL number present, non-critical,
 * positive, at most 20 octets, the planned one; AKI = the issuer's SKI; an issuing distribution
 * point exactly when the CRL is a partition, critical and naming the planned URL; the Delta CRL
 * Indicator (critical, base below the number) on deltas and only there; no unknown critical
 * extension; entries in strictly ascending serial order (so no duplicates), serials positive and
 * at most 20 octets, revocation dates not after thisUpdate, valid reason codes (never 7, no
 * "unspecified" code, removeFromCRL only on deltas), non-critical entry extensions. The DER is
 * read as a stream, one entry at a time, so a million-entry CRL is never parsed into memory.
 */
public final class CrlLinter {
    private static final Set<ASN1ObjectIdentifier> KNOWN = Set.of(Extension.authorityKeyIdentifier,
            Extension.cRLNumber, Extension.deltaCRLIndicator, Extension.issuingDistributionPoint,
            Extension.freshestCRL);
    private static final BigInteger TWENTY_OCTETS = BigInteger.ONE.shiftLeft(159);

    /** Throws PkiException(LINT_FAILED, "CRL failed lint: ...") when there is any error. */
    public void check(InputStream tbsDer, CrlTemplate expected, long expectedEntries, Instant now) {
        List<String> errors = lint(tbsDer, expected, expectedEntries, now).stream().filter(LintFinding::isError)
                .map(LintFinding::toString).toList();
        if (!errors.isEmpty()) {
            throw new PkiException(ErrorKind.LINT_FAILED, "CRL failed lint: " + String.join("; ", errors));
        }
    }

    public List<LintFinding> lint(InputStream tbsDer, CrlTemplate expected, long expectedEntries, Instant now) {
        List<LintFinding> f = new ArrayList<>();
        try {
            run(tbsDer, expected, expectedEntries, now, f);
        } catch (IOException | RuntimeException e) {
            error(f, "e_crl_malformed", "the to-be-signed CRL is not valid DER: " + e.getMessage());
        }
        return List.copyOf(f);
    }

    private static void run(InputStream in, CrlTemplate t, long expectedEntries, Instant now, List<LintFinding> f)
            throws IOException {
        ASN1SequenceParser tbs = (ASN1SequenceParser) new ASN1StreamParser(in).readObject();
        ASN1Encodable o = tbs.readObject();
        if (o instanceof ASN1Integer v) {
            if (!v.hasValue(1)) {
                error(f, "e_crl_version", "the CRL version field is " + v.getValue() + ", not 1 (v2)");
            }
            o = tbs.readObject();
        } else {
            error(f, "e_crl_version", "the CRL has no version field (v2 is required with extensions)");
        }
        AlgorithmIdentifier alg = AlgorithmIdentifier.getInstance(load(o));
        if (!alg.equals(t.issuer().signatureAlgorithm()) || SignatureAlgorithms.of(alg).isEmpty()) {
            error(f, "e_crl_signature_algorithm", "signature algorithm " + alg.getAlgorithm().getId()
                    + " is not the issuer's " + t.issuer().signatureAlgorithm().getAlgorithm().getId());
        } else if (!SignatureAlgorithms.fits(alg, t.issuer().certificate().getSubjectPublicKeyInfo())) {
            error(f, "e_crl_signature_algorithm", "signature algorithm does not fit the issuer's key");
        }
        X500Name issuer = X500Name.getInstance(load(tbs.readObject()));
        if (!Arrays.equals(issuer.getEncoded(ASN1Encoding.DER),
                t.issuer().certificate().getSubject().getEncoded(ASN1Encoding.DER))) {
            error(f, "e_crl_issuer_dn", "the CRL issuer '" + issuer + "' is not byte-for-byte the CA's subject");
        }
        Instant thisUpdate = time("thisUpdate", tbs.readObject(), f);
        o = tbs.readObject();
        Instant nextUpdate = null;
        if (o instanceof ASN1UTCTime || o instanceof ASN1GeneralizedTime) {
            nextUpdate = time("nextUpdate", o, f);
            o = tbs.readObject();
        }
        if (thisUpdate != null) {
            if (thisUpdate.isAfter(now)) {
                error(f, "e_crl_this_update_future", "thisUpdate " + thisUpdate + " is in the future (now " + now + ")");
            }
            if (!thisUpdate.equals(t.thisUpdate())) {
                error(f, "e_crl_this_update_mismatch", "thisUpdate is not the planned " + t.thisUpdate());
            }
        }
        if (nextUpdate == null) {
            error(f, "e_crl_next_update_missing", "nextUpdate is missing (RFC 5280 5.1.2.5: conforming CAs include it)");
        } else {
            if (thisUpdate != null && !nextUpdate.isAfter(thisUpdate)) {
                error(f, "e_crl_next_update_order", "nextUpdate " + nextUpdate + " is not after thisUpdate " + thisUpdate);
            }
            if (!nextUpdate.isAfter(now)) {
                error(f, "e_crl_next_update_past", "nextUpdate " + nextUpdate + " is not in the future (now " + now + ")");
            }
        }
        long entries = 0;
        if (o instanceof ASN1SequenceParser revoked) {
            entries = entries(revoked, t, thisUpdate, f);
            if (entries == 0) {
                error(f, "e_crl_empty_revoked_list", "an empty revokedCertificates list must be absent");
            }
            o = tbs.readObject();
        }
        if (entries != expectedEntries) {
            error(f, "e_crl_entry_count", "the CRL lists " + entries + " entries, not the " + expectedEntries + " planned");
        }
        if (!(o instanceof ASN1TaggedObjectParser tagged) || tagged.getTagNo() != 0) {
            error(f, "e_crl_extensions_missing", "the CRL has no crlExtensions");
            return;
        }
        ASN1TaggedObject loaded = (ASN1TaggedObject) tagged.toASN1Primitive();
        extensions(Extensions.getInstance(loaded.getExplicitBaseObject()), t, f);
        if (tbs.readObject() != null) {
            error(f, "e_crl_trailing", "the to-be-signed CRL has fields after crlExtensions");
        }
    }

    private static long entries(ASN1SequenceParser revoked, CrlTemplate t, Instant thisUpdate, List<LintFinding> f)
            throws IOException {
        long n = 0;
        BigInteger previous = null;
        int reported = 0;
        ASN1Encodable e;
        while ((e = revoked.readObject()) != null) {
            n++;
            TBSCertList.CRLEntry entry = TBSCertList.CRLEntry.getInstance(load(e));
            BigInteger serial = entry.getUserCertificate().getValue();
            String problem = null;
            if (serial.signum() <= 0 || serial.compareTo(TWENTY_OCTETS) >= 0) {
                problem = "e_crl_entry_serial: serial " + serial.toString(16) + " is not positive or longer than 20 octets";
            } else if (previous != null && serial.compareTo(previous) <= 0) {
                problem = serial.equals(previous) ? "e_crl_entry_duplicate: serial " + serial.toString(16) + " is listed twice"
                        : "e_crl_entry_order: serial " + serial.toString(16) + " is out of ascending order";
            } else if (thisUpdate != null && entry.getRevocationDate().getDate().toInstant().isAfter(thisUpdate)) {
                problem = "e_crl_entry_date: serial " + serial.toString(16) + " is revoked after thisUpdate";
            } else {
                problem = entryExtensions(entry, t.kind(), serial);
            }
            previous = serial;
            if (problem != null && reported++ < 10) {
                int colon = problem.indexOf(':');
                error(f, problem.substring(0, colon), problem.substring(colon + 2));
            }
        }
        return n;
    }

    private static String entryExtensions(TBSCertList.CRLEntry entry, CrlKind kind, BigInteger serial) {
        Extensions ext = entry.getExtensions();
        if (ext == null) {
            return null;
        }
        for (ASN1ObjectIdentifier oid : ext.getExtensionOIDs()) {
            Extension x = ext.getExtension(oid);
            if (x.isCritical()) {
                return "e_crl_entry_extension_critical: entry " + serial.toString(16) + " has critical extension " + oid;
            }
            if (oid.equals(Extension.reasonCode)) {
                int code = ASN1Enumerated.getInstance(x.getParsedValue()).intValueExact();
                RevocationReason reason;
                try {
                    reason = RevocationReason.ofCode(code);
                } catch (IllegalArgumentException bad) {
                    return "e_crl_entry_reason: entry " + serial.toString(16) + " has reason code " + code;
                }
                if (reason == RevocationReason.UNSPECIFIED) {
                    return "e_crl_entry_reason_unspecified: entry " + serial.toString(16)
                            + " carries reason unspecified, which RFC 5280 5.3.1 says to leave out";
                }
                if (reason == RevocationReason.REMOVE_FROM_CRL && kind != CrlKind.DELTA) {
                    return "e_crl_entry_remove_from_crl: removeFromCRL appears on a complete CRL";
                }
            } else if (oid.equals(Extension.invalidityDate)) {
                ASN1GeneralizedTime.getInstance(x.getParsedValue());
            } else {
                return "e_crl_entry_extension_unknown: entry " + serial.toString(16) + " has extension " + oid;
            }
        }
        return null;
    }

    private static void extensions(Extensions ext, CrlTemplate t, List<LintFinding> f) {
        for (ASN1ObjectIdentifier oid : ext.getExtensionOIDs()) {
            if (!KNOWN.contains(oid) && ext.getExtension(oid).isCritical()) {
                error(f, "e_crl_unknown_critical_extension", "unknown critical CRL extension " + oid.getId());
            }
        }
        Extension number = ext.getExtension(Extension.cRLNumber);
        if (number == null) {
            error(f, "e_crl_number_missing", "the CRL number extension is missing (RFC 5280 5.2.3)");
        } else {
            BigInteger n = CRLNumber.getInstance(number.getParsedValue()).getCRLNumber();
            if (number.isCritical()) {
                error(f, "e_crl_number_critical", "the CRL number extension must not be critical");
            }
            if (n.signum() <= 0 || n.compareTo(TWENTY_OCTETS) >= 0) {
                error(f, "e_crl_number_range", "the CRL number " + n + " is not positive or longer than 20 octets");
            } else if (!n.equals(t.number())) {
                error(f, "e_crl_number_mismatch", "the CRL number " + n + " is not the allocated " + t.number());
            }
        }
        Extension aki = ext.getExtension(Extension.authorityKeyIdentifier);
        if (aki == null) {
            error(f, "e_crl_aki_missing", "authorityKeyIdentifier is missing (RFC 5280 5.2.1)");
        } else if (aki.isCritical() || !Arrays.equals(AuthorityKeyIdentifier.getInstance(aki.getParsedValue())
                .getKeyIdentifier(), KeyIdentifiers.ofIssuer(t.issuer().certificate()))) {
            error(f, "e_crl_aki_mismatch", "authorityKeyIdentifier must be non-critical and equal the issuer's SKI");
        }
        Extension delta = ext.getExtension(Extension.deltaCRLIndicator);
        if (t.kind() == CrlKind.DELTA) {
            if (delta == null || !delta.isCritical()) {
                error(f, "e_crl_delta_indicator", "a delta CRL needs a critical Delta CRL Indicator (RFC 5280 5.2.4)");
            } else {
                BigInteger base = CRLNumber.getInstance(delta.getParsedValue()).getCRLNumber();
                if (!base.equals(t.baseNumber()) || base.compareTo(t.number()) >= 0) {
                    error(f, "e_crl_delta_base", "the base CRL number " + base + " must be the planned "
                            + t.baseNumber() + " and below the CRL number " + t.number());
                }
            }
        } else if (delta != null) {
            error(f, "e_crl_delta_indicator_on_full", "a complete CRL must not carry a Delta CRL Indicator");
        }
        Extension idp = ext.getExtension(Extension.issuingDistributionPoint);
        if (t.distributionPoint() == null) {
            if (idp != null) {
                error(f, "e_crl_idp_unexpected", "a CA's complete CRL covers all its certificates and has no IDP");
            }
        } else if (idp == null || !idp.isCritical()) {
            error(f, "e_crl_idp_missing", "a partition's CRL needs a critical issuing distribution point (RFC 5280 5.2.5)");
        } else {
            IssuingDistributionPoint p = IssuingDistributionPoint.getInstance(idp.getParsedValue());
            if (!t.distributionPoint().equals(uri(p.getDistributionPoint()))) {
                error(f, "e_crl_idp_mismatch", "the issuing distribution point does not name " + t.distributionPoint());
            }
            if (p.onlyContainsAttributeCerts() || p.isIndirectCRL() || p.getOnlySomeReasons() != null) {
                error(f, "e_crl_idp_scope", "the issuing distribution point narrows the scope in ways not planned");
            }
        }
        Extension freshest = ext.getExtension(Extension.freshestCRL);
        if (freshest != null && (t.kind() == CrlKind.DELTA || freshest.isCritical())) {
            error(f, "e_crl_freshest", "Freshest CRL belongs, non-critical, on complete CRLs only (RFC 5280 5.2.6)");
        }
        if (freshest != null) {
            DistributionPoint[] points = CRLDistPoint.getInstance(freshest.getParsedValue()).getDistributionPoints();
            if (points.length != 1 || !uri(points[0].getDistributionPoint()).equals(t.freshestCrl())) {
                error(f, "e_crl_freshest_mismatch", "Freshest CRL does not name " + t.freshestCrl());
            }
        } else if (t.freshestCrl() != null) {
            error(f, "e_crl_freshest_missing", "Freshest CRL naming " + t.freshestCrl() + " is missing");
        }
    }

    private static String uri(DistributionPointName name) {
        if (name == null || name.getType() != DistributionPointName.FULL_NAME) {
            return "";
        }
        GeneralName[] names = GeneralNames.getInstance(name.getName()).getNames();
        return names.length == 1 && names[0].getTagNo() == GeneralName.uniformResourceIdentifier
                ? names[0].getName().toString() : "";
    }

    private static Instant time(String field, ASN1Encodable o, List<LintFinding> f) {
        Time time = Time.getInstance(o);
        Instant at = time.getDate().toInstant();
        int year = at.atZone(java.time.ZoneOffset.UTC).getYear();
        boolean utc = time.toASN1Primitive() instanceof ASN1UTCTime;
        if (year < 2050 != utc) {
            error(f, "e_crl_time_encoding", field + " must be UTCTime through 2049 and GeneralizedTime from 2050");
        }
        return at;
    }

    private static ASN1Primitive load(ASN1Encodable o) {
        return o.toASN1Primitive();
    }

    private static void error(List<LintFinding> f, String code, String message) {
        f.add(new LintFinding(Severity.ERROR, code, message));
    }

}
