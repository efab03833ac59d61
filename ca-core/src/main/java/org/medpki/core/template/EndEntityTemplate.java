package org.medpki.core.template;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.cert.X509CertificateHolder;
import org.medpki.core.crl.CrlDistribution;
import org.medpki.core.crl.CrlKind;
import org.medpki.core.crl.CrlScope;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.policy.ValidatedRequest;
import org.medpki.core.profile.CertificateProfile;
import org.medpki.core.profile.KeyFamily;
import org.medpki.core.profile.KeyPurpose;
import org.medpki.core.profile.KeyUsageName;

/**
 * Builds the to-be-signed end-entity certificate for a checked request (CP 7.1): v3, the issuer's
 * subject as issuer DN, validity from one minute before {@code now} (clock skew) for the requested
 * or default period (at most the profile's maximum, never past the issuer's notAfter; notAfter is
 * inclusive, so a period of D ends at notBefore + D - 1s), and the profile's extensions:
 * basicConstraints cA=false (critical), keyUsage (critical, bits the key cannot do left out),
 * extendedKeyUsage, SKI (RFC 7093), AKI = issuer's SKI, SAN (critical iff the subject is empty),
 * certificatePolicies, CRL distribution point (the shard's CRL when the CA's CRLs are partitioned),
 * Freshest CRL (when the CA publishes delta CRLs) and AIA (OCSP, caIssuers). A profile without
 * revocation information (noRevAvail, RFC 9608) gets neither CDP, Freshest CRL nor OCSP URL, and
 * the noRevAvail extension (non-critical, NULL) in their place.
 */
public final class EndEntityTemplate {
    /** How far notBefore is set back for relying parties whose clocks run slow. */
    public static final Duration BACKDATE = Duration.ofMinutes(1);

    public TBSCertificate build(CertificateProfile profile, ValidatedRequest request, IssuerInfo issuer,
                                BigInteger serial, Instant now, Duration requestedValidity) {
        return build(profile, request, issuer, serial, now, requestedValidity, Set.of());
    }

    /**
     * As {@link #build(CertificateProfile, ValidatedRequest, IssuerInfo, BigInteger, Instant, Duration)},
     * adding the optional EKUs named in {@code optionalPurposes} (for example "clientAuth" on
     * tls-server for mutual TLS); naming one the profile does not offer is an error.
     */
    public TBSCertificate build(CertificateProfile profile, ValidatedRequest request, IssuerInfo issuer,
                                BigInteger serial, Instant now, Duration requestedValidity,
                                Set<String> optionalPurposes) {
        return build(profile, request, issuer, serial, now, requestedValidity, optionalPurposes, null);
    }

    /**
     * As above, with the issuing CA's CRL layout: when it is partitioned, the CDP names the CRL of
     * the certificate's shard ({@link CrlDistribution#shardOf}; the profile's URL for the CA's
     * complete CRL with the shard's file name, see {@link CrlScope#urlFrom}); when it publishes
     * delta CRLs, a Freshest CRL extension names the scope's delta CRL (RFC 5280 4.2.1.15).
     * {@code crl} null: the profile's CDP as it is, no Freshest CRL.
     */
    public TBSCertificate build(CertificateProfile profile, ValidatedRequest request, IssuerInfo issuer,
                                BigInteger serial, Instant now, Duration requestedValidity,
                                Set<String> optionalPurposes, CrlDistribution crl) {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(optionalPurposes, "optionalPurposes");
        // The profile's issuing CA, or a later generation of it after a rollover ("<issuer>-g<n>", CaRollover).
        if (!issuer.name().equals(profile.issuer())
                && !issuer.name().matches(java.util.regex.Pattern.quote(profile.issuer()) + "-g[0-9]+")) {
            throw new PkiException(ErrorKind.CONFIGURATION, "profile " + profile.name() + " is issued by "
                    + profile.issuer() + ", not by " + issuer.name());
        }
        X509CertificateHolder ca = issuer.certificate();
        KeyFamily family = KeyFamily.of(request.publicKey());
        if (family == null) {
            throw new PkiException(ErrorKind.BAD_PUBLIC_KEY, "unsupported key type");
        }

        Duration period = requestedValidity == null ? profile.defaultValidity() : requestedValidity;
        if (period.isNegative() || period.isZero()) {
            throw new PkiException(ErrorKind.MALFORMED, "the requested validity must be positive");
        }
        if (period.compareTo(profile.maxValidity()) > 0) {
            period = profile.maxValidity();
        }
        Instant notBefore = now.truncatedTo(ChronoUnit.SECONDS).minus(BACKDATE);
        Instant caNotBefore = ca.getNotBefore().toInstant();
        if (notBefore.isBefore(caNotBefore)) {
            notBefore = caNotBefore;
        }
        Instant notAfter = notBefore.plus(period).minusSeconds(1);
        Instant caNotAfter = ca.getNotAfter().toInstant();
        if (notAfter.isAfter(caNotAfter)) {
            notAfter = caNotAfter;
        }
        if (!notAfter.isAfter(notBefore) || !now.isBefore(caNotAfter)) {
            throw new PkiException(ErrorKind.CONFIGURATION, "issuing CA " + issuer.name()
                    + " is not valid at " + now + " (valid " + caNotBefore + " to " + caNotAfter + ")");
        }

        ExtensionsGenerator ext = new ExtensionsGenerator();
        TbsParts.add(ext, Extension.basicConstraints, true, new BasicConstraints(false));
        int bits = 0;
        for (KeyUsageName k : profile.keyUsageFor(family)) {
            bits |= k.bit();
        }
        TbsParts.add(ext, Extension.keyUsage, true, new KeyUsage(bits));
        TbsParts.add(ext, Extension.extendedKeyUsage, false,
                new ExtendedKeyUsage(purposes(profile, optionalPurposes).toArray(KeyPurposeId[]::new)));
        TbsParts.keyIdentifiers(ext, request.publicKey(), KeyIdentifiers.ofIssuer(ca));
        List<GeneralName> sans = request.subjectAltNames();
        boolean emptySubject = request.subject().getRDNs().length == 0;
        if (!sans.isEmpty()) {
            TbsParts.add(ext, Extension.subjectAlternativeName, emptySubject,
                    new GeneralNames(sans.toArray(GeneralName[]::new)));
        } else if (emptySubject) {
            throw new PkiException(ErrorKind.BAD_CSR, "a certificate needs a subject or a subject alternative name");
        }
        TbsParts.policy(ext, profile.policyOid());
        String completeCrl = profile.crlDistributionPointFor(issuer.name());
        if (profile.noRevAvail()) {
            TbsParts.add(ext, Extension.noRevAvail, false, DERNull.INSTANCE);
        } else if (crl == null) {
            TbsParts.crlDistributionPoint(ext, completeCrl);
        } else {
            CrlScope scope = new CrlScope(issuer.name(), crl.shardOf(serial));
            try {
                TbsParts.crlDistributionPoint(ext, scope.urlFrom(completeCrl, CrlKind.FULL));
                if (crl.deltas()) {
                    TbsParts.freshestCrl(ext, scope.urlFrom(completeCrl, CrlKind.DELTA));
                }
            } catch (IllegalArgumentException e) {
                throw new PkiException(ErrorKind.CONFIGURATION, "profile " + profile.name() + ": " + e.getMessage());
            }
        }
        TbsParts.authorityInfoAccess(ext, profile.ocspUrlFor(issuer.name()), profile.caIssuersUrlFor(issuer.name()));

        return TbsParts.frame(serial, issuer.signatureAlgorithm(), ca.getSubject(), notBefore, notAfter,
                request.subject(), request.publicKey(), ext);
    }

    private static List<KeyPurposeId> purposes(CertificateProfile profile, Set<String> optional) {
        var wanted = new ArrayList<KeyPurpose>();
        for (String name : optional) {
            KeyPurpose p;
            try {
                p = KeyPurpose.parse(name);
            } catch (IllegalArgumentException e) {
                throw new PkiException(ErrorKind.MALFORMED, e.getMessage());
            }
            if (!profile.optionalExtendedKeyUsage().contains(p)) {
                throw new PkiException(ErrorKind.MALFORMED, "extended key usage " + p + " is not an option of profile "
                        + profile.name() + " (options: " + profile.optionalExtendedKeyUsage() + ")");
            }
            wanted.add(p);
        }
        List<KeyPurposeId> out = new ArrayList<>();
        for (KeyPurpose p : profile.extendedKeyUsage()) {
            if (!profile.optionalExtendedKeyUsage().contains(p) || wanted.contains(p)) {
                out.add(p.id());
            }
        }
        return out;
    }
}
