package org.medpki.device;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.medpki.core.audit.AuditEvent;
import org.medpki.core.audit.AuditLog;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.policy.AssignedIdentity;
import org.medpki.core.issuance.IssuedCertificate;
import org.medpki.core.revocation.RevocationReason;

/**
 * The enrollment rules every front end shares: who the device is (its code, its manufacturer
 * certificate or its current certificate, checked against the registry), the identity its
 * certificate carries (the registry's serial, never the request's), one active certificate per
 * device (a retry after a lost answer gets the certificate already issued; an earlier one is
 * superseded after the grace period), and an audit entry and a count for every refusal.
 */
public final class DeviceEnrollmentService implements DeviceEnrollment {

    /**
     * @param profile        the profile device certificates are issued under, unless the registry
     *                       names another for the device
     * @param supersedeGrace how long a replaced certificate stays valid before it is revoked
     *                       (superseded), so that a device can finish switching to the new one
     * @param manufacturerCas the manufacturer CAs whose IDevIDs authenticate devices, each for the
     *                       devices registered with its manufacturer only (may be empty)
     * @param caller         this front end's name as the CA API knows it (est, cmp, scep): the
     *                       requester prefix of the certificates it had issued
     */
    public record Settings(String profile, Duration supersedeGrace, List<ManufacturerCa> manufacturerCas,
                           String caller) {
        public Settings {
            manufacturerCas = List.copyOf(manufacturerCas);
            if (supersedeGrace.isNegative()) {
                throw new IllegalArgumentException("supersedeGrace must not be negative");
            }
        }
    }

    /**
     * A manufacturer's IDevID CA and the manufacturer it speaks for, as devices are registered
     * ({@code pki device register --manufacturer}, compared ignoring case). A CA vouches only for
     * its own manufacturer's devices: one trusted maker cannot enroll another's device by its serial.
     */
    public record ManufacturerCa(String manufacturer, X509Certificate certificate) {
        public ManufacturerCa {
            if (manufacturer == null || manufacturer.isBlank()) {
                throw new IllegalArgumentException("a manufacturer CA must name its manufacturer");
            }
            java.util.Objects.requireNonNull(certificate, "certificate");
        }
    }

    private final DeviceRegistry registry;
    private final DeviceCa ca;
    private final EnrollmentCodes codes;
    private final AuditLog audit;
    private final Clock clock;
    private final Settings settings;
    private final EnrollmentMetrics metrics;

    /** {@code codes}: the code key, for the MAC secrets of CMP; null in a front end that needs none. */
    public DeviceEnrollmentService(DeviceRegistry registry, DeviceCa ca, EnrollmentCodes codes, AuditLog audit,
                                   Clock clock, Settings settings, EnrollmentMetrics metrics) {
        this.registry = registry;
        this.ca = ca;
        this.codes = codes;
        this.audit = audit;
        this.clock = clock;
        this.settings = settings;
        this.metrics = metrics;
    }

    @Override
    public Enrolled enrollWithCode(Protocol protocol, String serial, String code, byte[] csr) {
        if (code == null || EnrollmentCodes.normalised(code).isEmpty()) {
            throw refused(protocol, serial, "no enrollment code was given");
        }
        byte[] hash = EnrollmentCodes.hash(code);
        DeviceRegistry.Device device = registry.byLiveCode(hash, serial, clock.instant())
                .orElseThrow(() -> refused(protocol, serial,
                        "the enrollment code is unknown, spent, expired or not this device's"));
        return issue(protocol, device, csr, hash, "code");
    }

    @Override
    public Enrolled enrollWithManufacturerCertificate(Protocol protocol, List<X509Certificate> chain, byte[] csr) {
        if (chain == null || chain.isEmpty()) {
            throw refused(protocol, null, "no manufacturer certificate was given");
        }
        X509Certificate idevid = chain.get(0);
        String serial = serialNumberOf(idevid);
        Set<String> makers = manufacturersVouching(chain);
        if (makers.isEmpty()) {
            throw refused(protocol, serial, "the manufacturer certificate does not chain to a trusted manufacturer CA");
        }
        if (serial == null) {
            throw refused(protocol, null, "the manufacturer certificate's subject has no serialNumber");
        }
        List<DeviceRegistry.Device> devices = registry.bySerial(serial).stream()
                .filter(d -> makers.contains(d.manufacturer().toLowerCase(java.util.Locale.ROOT))).toList();
        if (devices.size() != 1) {
            throw refused(protocol, serial, devices.isEmpty()
                    ? "no registered device of the certificate's manufacturer has this serial"
                    : "several registered devices have this serial and the manufacturer does not tell them apart");
        }
        return issue(protocol, devices.get(0), csr, null, "manufacturer-certificate");
    }

    @Override
    public Enrolled reenroll(Protocol protocol, X509Certificate current, byte[] csr) {
        DeviceRegistry.Holder holder = holder(protocol, current);
        return issue(protocol, holder.device(), csr, null, "current-certificate");
    }

    @Override
    public Optional<byte[]> macSecret(String serial) {
        if (serial == null || serial.isEmpty() || codes == null) {
            return Optional.empty();
        }
        return registry.sealedLiveCode(serial, clock.instant()).map(s -> codes.unseal(s.sealed(), s.deviceId()));
    }

    @Override
    public void revoke(Protocol protocol, X509Certificate current, BigInteger serial, RevocationReason reason) {
        DeviceRegistry.Holder holder = holder(protocol, current);
        if (!holder.certificate().serial().equals(serial)) {
            throw refused(protocol, holder.device().serial(), "a device may revoke only the certificate it authenticates with");
        }
        ca.revoke(holder.certificate().issuer(), serial, reason, "device:" + holder.device().id());
        record(AuditEvent.success(clock.instant(), "device.revoked", actor(protocol, holder.device()),
                Map.of("serial", serial.toString(16), "reason", reason.rfcName())));
    }

    @Override
    public List<X509Certificate> caCertificates() {
        return ca.caCertificates();
    }

    @Override
    public void authenticationFailed(Protocol protocol, String claimed, String reason) {
        metrics.failedValidation(protocol, reason);
        Map<String, String> d = new LinkedHashMap<>();
        d.put("protocol", protocol.wireName());
        if (claimed != null) {
            d.put("claimed", cut(claimed));
        }
        d.put("reason", cut(reason));
        record(AuditEvent.failure(clock.instant(), "device.authentication_failed", protocol.wireName(), d));
    }

    /**
     * Revokes (superseded) the certificates this front end had issued whose grace period is
     * over; answers how many. Run periodically by the service.
     */
    public int supersedeDue(int limit) {
        int done = 0;
        for (DeviceRegistry.DeviceCertificate c : registry.dueForSupersession(settings.caller() + ":", clock.instant(),
                limit)) {
            try {
                ca.revoke(c.issuer(), c.serial(), RevocationReason.SUPERSEDED, "device:" + c.deviceId());
                done++;
            } catch (PkiException e) {
                if (e.kind() != ErrorKind.ALREADY_REVOKED) {
                    throw e;
                }
            }
        }
        return done;
    }

    private Enrolled issue(Protocol protocol, DeviceRegistry.Device device, byte[] csr, byte[] codeHash, String by) {
        Instant now = clock.instant();
        // A crash between the CA's signature and the record left a certificate nobody recorded:
        // the device retrying with the same key gets it; with another key, it is superseded at once.
        byte[] spki = publicKeyOf(csr);
        for (DeviceRegistry.Unrecorded u : registry.unrecordedCertificates(device.id())) {
            X509Certificate earlier = certificate(u.der());
            if (spki != null && Arrays.equals(spki, earlier.getPublicKey().getEncoded())) {
                record(protocol, device, u.certificate(), codeHash, now);
                enrolled(protocol, device, earlier, by, true);
                return new Enrolled(earlier, ca.caCertificates(), device.serial());
            }
            // Another key: the earlier certificate never reached the device; it is superseded now.
            registry.recordSuperseded(u.certificate(), protocol.wireName(), now);
        }
        IssuedCertificate issued;
        try {
            issued = ca.issue(device.profile() != null ? device.profile() : settings.profile(), csr,
                    "device:" + device.id(), new AssignedIdentity(identity(device), names(device)));
        } catch (PkiException e) {
            if (e.kind() == ErrorKind.BAD_CSR || e.kind() == ErrorKind.BAD_PUBLIC_KEY
                    || e.kind() == ErrorKind.BAD_SIGNATURE_ALGORITHM || e.kind() == ErrorKind.REJECTED_IDENTIFIER
                    || e.kind() == ErrorKind.LINT_FAILED) {
                metrics.refusedRequest(protocol, e.kind().name());
                record(AuditEvent.failure(now, "device.enrollment_refused", actor(protocol, device),
                        Map.of("reason", cut(e.getMessage()), "kind", e.kind().name())));
            }
            throw e;
        }
        X509Certificate cert = certificate(encoded(issued.certificate()));
        record(protocol, device, new DeviceRegistry.DeviceCertificate(device.id(), issued.issuer(), issued.serial()),
                codeHash, now);
        enrolled(protocol, device, cert, by, false);
        List<X509Certificate> chain = issued.chain().stream().map(DeviceEnrollmentService::certificate).toList();
        return new Enrolled(cert, chain.isEmpty() ? ca.caCertificates() : chain, device.serial());
    }

    /**
     * Records the certificate and spends the code. When the code was spent meanwhile (two
     * enrollments raced with one code), the certificate just issued is revoked at once: a device
     * never holds two active certificates from one code.
     */
    private void record(Protocol protocol, DeviceRegistry.Device device, DeviceRegistry.DeviceCertificate c,
                        byte[] codeHash, Instant now) {
        try {
            registry.recordEnrollment(device.id(), c, protocol.wireName(), codeHash, now.plus(settings.supersedeGrace()),
                    now);
        } catch (PkiException e) {
            if (e.kind() != ErrorKind.CONFLICT) {
                throw e;
            }
            try {
                ca.revoke(c.issuer(), c.serial(), RevocationReason.SUPERSEDED, "device:" + device.id());
            } catch (PkiException ignored) {
                // Recorded as unrecorded: the next enrollment of the device supersedes it.
            }
            throw refused(protocol, device.serial(), "the enrollment code was spent by a concurrent enrollment");
        }
    }

    private void enrolled(Protocol protocol, DeviceRegistry.Device device, X509Certificate cert, String by,
                          boolean retry) {
        metrics.enrolled(protocol);
        Map<String, String> d = new LinkedHashMap<>();
        d.put("device", device.serial());
        d.put("serial", cert.getSerialNumber().toString(16));
        d.put("authenticatedBy", by);
        if (retry) {
            d.put("resumed", "true");
        }
        record(AuditEvent.success(clock.instant(), "device.enrolled", actor(protocol, device), d));
    }

    private DeviceRegistry.Holder holder(Protocol protocol, X509Certificate current) {
        if (current == null) {
            throw refused(protocol, null, "no current certificate was given");
        }
        byte[] der;
        try {
            der = current.getEncoded();
        } catch (CertificateEncodingException e) {
            throw refused(protocol, null, "the current certificate cannot be encoded");
        }
        return registry.currentHolder(der, clock.instant()).orElseThrow(() -> refused(protocol,
                serialNumberOf(current), "the certificate is not a current certificate of a registered device"));
    }

    /** The registry's names of the device: its URI, when it has one; the CA checks it against the profile. */
    private static List<GeneralName> names(DeviceRegistry.Device device) {
        return device.uri() == null ? List.of()
                : List.of(new GeneralName(GeneralName.uniformResourceIdentifier, device.uri()));
    }

    private X500Name identity(DeviceRegistry.Device device) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.SERIALNUMBER, device.serial()).build();
    }

    /**
     * The manufacturers (lower case) whose CA the chain validates to; empty when it validates to
     * none of them.
     */
    private Set<String> manufacturersVouching(List<X509Certificate> chain) {
        if (settings.manufacturerCas().isEmpty()) {
            return Set.of();
        }
        try {
            Set<TrustAnchor> anchors = settings.manufacturerCas().stream().map(m -> m.certificate()).distinct()
                    .map(c -> new TrustAnchor(c, null)).collect(Collectors.toSet());
            PKIXParameters params = new PKIXParameters(anchors);
            // Manufacturers publish no revocation status a hospital network can reach; the
            // registry (a decommissioned device) is the revocation that matters here.
            params.setRevocationEnabled(false);
            params.setDate(java.util.Date.from(clock.instant()));
            List<X509Certificate> path = chain.stream()
                    .filter(c -> settings.manufacturerCas().stream().noneMatch(m -> m.certificate().equals(c))).toList();
            if (path.isEmpty()) {
                return Set.of(); // a CA's own certificate is no device's
            }
            X509Certificate anchor = ((java.security.cert.PKIXCertPathValidatorResult) CertPathValidator
                    .getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params))
                    .getTrustAnchor().getTrustedCert();
            return settings.manufacturerCas().stream().filter(m -> m.certificate().equals(anchor))
                    .map(m -> m.manufacturer().toLowerCase(java.util.Locale.ROOT)).collect(Collectors.toSet());
        } catch (Exception e) {
            return Set.of();
        }
    }

    private PkiException refused(Protocol protocol, String claimed, String reason) {
        authenticationFailed(protocol, claimed, reason);
        return new PkiException(ErrorKind.UNAUTHORIZED, reason);
    }

    private void record(AuditEvent event) {
        audit.recordQuietly(event);
    }

    private static String actor(Protocol protocol, DeviceRegistry.Device device) {
        return protocol.wireName() + ":device:" + device.serial();
    }

    private static String cut(String s) {
        return s == null ? "" : s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }

    /** The DER SubjectPublicKeyInfo a PKCS#10 or CRMF request names, or null when it cannot be read (the CA then says why). */
    static byte[] publicKeyOf(byte[] request) {
        try {
            return new org.bouncycastle.pkcs.PKCS10CertificationRequest(request).getSubjectPublicKeyInfo().getEncoded();
        } catch (Exception ignored) {
            // not PKCS#10
        }
        try {
            SubjectPublicKeyInfo spki = org.bouncycastle.asn1.crmf.CertReqMsg.getInstance(request).getCertReq()
                    .getCertTemplate().getPublicKey();
            return spki == null ? null : spki.getEncoded();
        } catch (Exception e) {
            return null;
        }
    }

    static String serialNumberOf(X509Certificate c) {
        return attribute(c, BCStyle.SERIALNUMBER);
    }

    private static String attribute(X509Certificate c, org.bouncycastle.asn1.ASN1ObjectIdentifier type) {
        RDN[] rdns = X500Name.getInstance(c.getSubjectX500Principal().getEncoded()).getRDNs(type);
        return rdns.length == 0 ? null : IETFUtils.valueToString(rdns[0].getFirst().getValue());
    }

    private static byte[] encoded(X509CertificateHolder h) {
        try {
            return h.getEncoded();
        } catch (java.io.IOException e) {
            throw new PkiException(ErrorKind.INTERNAL, "cannot encode a certificate", e);
        }
    }

    private static X509Certificate certificate(X509CertificateHolder h) {
        return certificate(encoded(h));
    }

    private static X509Certificate certificate(byte[] der) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new java.io.ByteArrayInputStream(der));
        } catch (Exception e) {
            throw new PkiException(ErrorKind.INTERNAL, "cannot read a certificate", e);
        }
    }
}
