package org.medpki.core.profile;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An end-entity certificate profile: the CP's table for one kind of certificate, as data. The URL
 * fields may still contain {@value #CA_PLACEHOLDER}, which the template replaces with the name of
 * the issuing CA ({@link #crlDistributionPointFor(String)} and friends).
 *
 * <p>{@code extendedKeyUsage} lists every purpose the profile may put in a certificate;
 * {@code optionalExtendedKeyUsage} (a subset) are included only when asked for.
 * {@code keyUsage} bits that a key cannot do (keyEncipherment for EC/Ed25519, keyAgreement for
 * RSA/Ed25519) are left out for such keys: see {@link #keyUsageFor(KeyFamily)}.
 *
 * <p>{@code noRevAvail}: the certificates live so briefly (at most {@link #NO_REV_AVAIL_MAX}) that
 * they carry no revocation information: no CRL distribution point, no OCSP URL, and the RFC 9608
 * noRevAvail extension instead; {@code crlDistributionPoint} and {@code ocspUrl} are then null.
 */
public record CertificateProfile(String name, String description, String issuer, String policyOid,
                                 Duration maxValidity, Duration defaultValidity, KeyRules keys,
                                 Set<KeyUsageName> keyUsage, List<KeyPurpose> extendedKeyUsage,
                                 Set<KeyPurpose> optionalExtendedKeyUsage, SubjectRules subject,
                                 SanRules subjectAltNames, String crlDistributionPoint, String ocspUrl,
                                 String caIssuersUrl, boolean noRevAvail) {
    public static final String CA_PLACEHOLDER = "{ca}";
    /**
     * The longest life of a certificate without revocation information: the CA/Browser Forum's
     * short-lived certificates (Baseline Requirements 4.9.1.1, 7 days from 2026).
     */
    public static final Duration NO_REV_AVAIL_MAX = Duration.ofDays(7);

    /** A profile whose certificates carry revocation information (CDP and OCSP URL). */
    public CertificateProfile(String name, String description, String issuer, String policyOid,
                              Duration maxValidity, Duration defaultValidity, KeyRules keys,
                              Set<KeyUsageName> keyUsage, List<KeyPurpose> extendedKeyUsage,
                              Set<KeyPurpose> optionalExtendedKeyUsage, SubjectRules subject,
                              SanRules subjectAltNames, String crlDistributionPoint, String ocspUrl,
                              String caIssuersUrl) {
        this(name, description, issuer, policyOid, maxValidity, defaultValidity, keys, keyUsage, extendedKeyUsage,
                optionalExtendedKeyUsage, subject, subjectAltNames, crlDistributionPoint, ocspUrl, caIssuersUrl, false);
    }
    /** A sanity ceiling on any end-entity profile; the issuer's own validity caps it further. */
    public static final Duration MAX_EVER = Duration.ofDays(3 * 366 + 1);

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern OID = Pattern.compile("([012])\\.(0|[1-9][0-9]*)(\\.(0|[1-9][0-9]*))*");

    public CertificateProfile {
        requireName("name", name);
        Objects.requireNonNull(description, "description");
        requireName("issuer", issuer);
        requireOid(policyOid);
        Objects.requireNonNull(maxValidity, "validity.max");
        Objects.requireNonNull(defaultValidity, "validity.default");
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(subjectAltNames, "subjectAltNames");
        keyUsage = Set.copyOf(Objects.requireNonNull(keyUsage, "keyUsage"));
        extendedKeyUsage = List.copyOf(new LinkedHashSet<>(Objects.requireNonNull(extendedKeyUsage, "extendedKeyUsage")));
        optionalExtendedKeyUsage = Set.copyOf(Objects.requireNonNull(optionalExtendedKeyUsage, "optionalExtendedKeyUsage"));

        if (maxValidity.isNegative() || maxValidity.isZero()) {
            throw new IllegalArgumentException("validity.max must be positive");
        }
        if (maxValidity.compareTo(MAX_EVER) > 0) {
            throw new IllegalArgumentException("validity.max " + maxValidity.toDays()
                    + " days is longer than an end-entity certificate may live (" + MAX_EVER.toDays() + " days)");
        }
        if (defaultValidity.isNegative() || defaultValidity.isZero()) {
            throw new IllegalArgumentException("validity.default must be positive");
        }
        if (defaultValidity.compareTo(maxValidity) > 0) {
            throw new IllegalArgumentException("validity.default (" + defaultValidity.toDays()
                    + " days) exceeds validity.max (" + maxValidity.toDays() + " days)");
        }
        checkUsages(keyUsage, extendedKeyUsage, optionalExtendedKeyUsage);
        if (subject.commonName() == CommonNameRule.SAN && !(subjectAltNames.allowsDns() || subjectAltNames.allowsIp())) {
            throw new IllegalArgumentException("subject.commonName is 'san' but no DNS or IP SAN is allowed");
        }
        if (subjectAltNames.minimum() == 0 && subject.required().isEmpty()
                && subject.commonName() != CommonNameRule.REQUIRED) {
            throw new IllegalArgumentException("a certificate could end up with neither subject nor SAN: "
                    + "require a subject attribute or set subjectAltNames.minimum >= 1");
        }
        if (noRevAvail) {
            if (crlDistributionPoint != null || ocspUrl != null) {
                throw new IllegalArgumentException("noRevAvail certificates carry no revocation information: "
                        + "remove crlDistributionPoint and ocspUrl");
            }
            if (maxValidity.compareTo(NO_REV_AVAIL_MAX) > 0) {
                throw new IllegalArgumentException("validity.max " + maxValidity + " is too long for a certificate "
                        + "without revocation information (noRevAvail): at most " + NO_REV_AVAIL_MAX.toDays() + " days");
            }
        } else {
            requireUrl("crlDistributionPoint", crlDistributionPoint);
            requireUrl("ocspUrl", ocspUrl);
        }
        requireUrl("caIssuersUrl", caIssuersUrl);
    }

    /** The keyUsage bits for a subject key of this family (bits the key cannot do left out). */
    public Set<KeyUsageName> keyUsageFor(KeyFamily family) {
        Set<KeyUsageName> out = EnumSet.noneOf(KeyUsageName.class);
        for (KeyUsageName k : keyUsage) {
            if (k.appliesTo(family)) {
                out.add(k);
            }
        }
        return out;
    }

    /** The EKUs a certificate gets when no optional one is requested. */
    public List<KeyPurpose> defaultExtendedKeyUsage() {
        return extendedKeyUsage.stream().filter(p -> !optionalExtendedKeyUsage.contains(p)).toList();
    }

    /** The CDP URL for certificates of this CA; null when the profile has none (noRevAvail). */
    public String crlDistributionPointFor(String caName) {
        return crlDistributionPoint == null ? null : crlDistributionPoint.replace(CA_PLACEHOLDER, caName);
    }

    /** The OCSP URL for certificates of this CA; null when the profile has none (noRevAvail). */
    public String ocspUrlFor(String caName) {
        return ocspUrl == null ? null : ocspUrl.replace(CA_PLACEHOLDER, caName);
    }

    public String caIssuersUrlFor(String caName) {
        return caIssuersUrl.replace(CA_PLACEHOLDER, caName);
    }

    private static void requireName(String key, String value) {
        Objects.requireNonNull(value, key);
        if (!NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(key + " '" + value
                    + "' must be lower-case letters, digits and hyphens (at most 63)");
        }
    }

    /** Throws unless {@code oid} is a well-formed dotted OID (RFC 5280 4.2.1.4 policy identifier). */
    public static void requireOid(String oid) {
        Objects.requireNonNull(oid, "policyOid");
        var m = OID.matcher(oid);
        if (!m.matches()) {
            throw new IllegalArgumentException("policyOid '" + oid + "' is not a dotted object identifier");
        }
        int first = Integer.parseInt(m.group(1));
        if (first < 2 && new java.math.BigInteger(m.group(2)).compareTo(java.math.BigInteger.valueOf(39)) > 0) {
            throw new IllegalArgumentException("policyOid '" + oid + "': the second arc must be 0..39 under arc " + first);
        }
        if (oid.equals("2.5.29.32.0")) {
            throw new IllegalArgumentException("policyOid must not be anyPolicy in an end-entity profile");
        }
    }

    private static void requireUrl(String key, String value) {
        Objects.requireNonNull(value, key);
        String probe = value.replace(CA_PLACEHOLDER, "ca");
        if (probe.contains("{") || probe.contains("}")) {
            throw new IllegalArgumentException(key + " '" + value + "' has a placeholder other than " + CA_PLACEHOLDER);
        }
        try {
            URI uri = new URI(probe);
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                throw new IllegalArgumentException(key + " '" + value + "' must be an absolute http(s) URL with a host");
            }
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(key + " '" + value + "' is not a URL: " + e.getMessage());
        }
    }

    /**
     * End-entity usage rules: no CA bits; every EKU needs digitalSignature; every keyUsage bit must be
     * one that at least one listed EKU permits (serverAuth/clientAuth: keyEncipherment and
     * keyAgreement too; emailProtection: also nonRepudiation; codeSigning: digitalSignature only).
     */
    private static void checkUsages(Set<KeyUsageName> ku, List<KeyPurpose> eku, Set<KeyPurpose> optional) {
        if (ku.isEmpty()) {
            throw new IllegalArgumentException("keyUsage must not be empty");
        }
        if (eku.isEmpty()) {
            throw new IllegalArgumentException("extendedKeyUsage.required must name at least one purpose");
        }
        for (KeyUsageName k : ku) {
            if (k.isCaUsage()) {
                throw new IllegalArgumentException("keyUsage " + k.yamlName()
                        + " is a CA usage and not allowed in an end-entity profile");
            }
        }
        if (!eku.containsAll(optional)) {
            throw new IllegalArgumentException("internal: optional EKUs must be listed");
        }
        if (optional.containsAll(eku)) {
            throw new IllegalArgumentException("extendedKeyUsage.required must name at least one purpose");
        }
        if (eku.contains(KeyPurpose.OCSP_SIGNING)) {
            throw new IllegalArgumentException("extendedKeyUsage OCSPSigning is for the CA's own OCSP signers only");
        }
        if (!ku.contains(KeyUsageName.DIGITAL_SIGNATURE)) {
            throw new IllegalArgumentException("keyUsage must contain digitalSignature (every listed EKU needs it)");
        }
        Set<KeyUsageName> permitted = EnumSet.noneOf(KeyUsageName.class);
        for (KeyPurpose p : eku) {
            permitted.addAll(switch (p) {
                case SERVER_AUTH, CLIENT_AUTH, SDC_SERVICE_PROVIDER, SDC_SERVICE_CONSUMER -> EnumSet.of(KeyUsageName.DIGITAL_SIGNATURE,
                        KeyUsageName.KEY_ENCIPHERMENT, KeyUsageName.KEY_AGREEMENT);
                case EMAIL_PROTECTION -> EnumSet.of(KeyUsageName.DIGITAL_SIGNATURE, KeyUsageName.NON_REPUDIATION,
                        KeyUsageName.KEY_ENCIPHERMENT, KeyUsageName.KEY_AGREEMENT);
                case TIME_STAMPING -> EnumSet.of(KeyUsageName.DIGITAL_SIGNATURE, KeyUsageName.NON_REPUDIATION);
                case CODE_SIGNING, OCSP_SIGNING -> EnumSet.of(KeyUsageName.DIGITAL_SIGNATURE);
                // An RA signs replies and receives keys (SCEP's RSA key transport, RFC 8894 3.1).
                case CMC_RA -> EnumSet.of(KeyUsageName.DIGITAL_SIGNATURE, KeyUsageName.KEY_ENCIPHERMENT);
            });
        }
        List<String> extra = new ArrayList<>();
        for (KeyUsageName k : ku) {
            if (!permitted.contains(k)) {
                extra.add(k.yamlName());
            }
        }
        if (!extra.isEmpty()) {
            throw new IllegalArgumentException("keyUsage " + String.join(", ", extra)
                    + " is not consistent with extendedKeyUsage " + eku);
        }
    }
}
