package org.medpki.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.medpki.core.audit.AuditLog;
import org.medpki.core.audit.InMemoryAuditStore;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.issuance.IssuedCertificate;
import org.medpki.core.keys.SignatureAlgorithm;
import org.medpki.core.policy.AssignedIdentity;
import org.medpki.core.revocation.RevocationReason;
import org.medpki.core.testpki.HandClock;
import org.medpki.core.testpki.SoftwareSigner;
import org.medpki.core.testpki.TestCsrs;
import org.medpki.core.testpki.TestKeys;
import org.medpki.core.testpki.TestPki;

/**
 * The enrollment rules over in-memory fakes of the registry and the CA: the registry's identity
 * whatever the request says, a code spent once, a lost answer found again by its key (the same
 * certificate, never a second active one), superseded certificates revoked after the grace period,
 * and a code spent by a racing enrollment revoking the loser's certificate.
 */
class DeviceEnrollmentServiceTest {
    static final Duration GRACE = Duration.ofDays(7);
    static final TestPki PKI = TestPki.create("server-ca", TestKeys.ec("secp256r1"), SignatureAlgorithm.ECDSA_SHA256);

    HandClock clock;
    Registry registry;
    Ca ca;
    InMemoryAuditStore auditStore;
    DeviceEnrollmentService service;
    EnrollmentCodes codes = new EnrollmentCodes(EnrollmentCodes.newKey());

    @BeforeEach
    void setUp() {
        clock = new HandClock(Instant.now());
        registry = new Registry();
        ca = new Ca();
        auditStore = new InMemoryAuditStore();
        service = new DeviceEnrollmentService(registry, ca, codes, new AuditLog(auditStore, clock), clock,
                new DeviceEnrollmentService.Settings("device", GRACE, List.of(), "est"), new EnrollmentMetrics());
    }

    @Test
    void theCertificateCarriesTheRegistrysIdentityAndTheCodeWorksOnce() {
        String code = registry.register(1, "PUMP-1");
        KeyPair key = TestKeys.freshEc("secp256r1");
        var enrolled = service.enrollWithCode(DeviceEnrollment.Protocol.EST, "PUMP-1", code,
                TestCsrs.der(key, "CN=someone else", List.of()));
        assertThat(enrolled.deviceSerial()).isEqualTo("PUMP-1");
        assertThat(ca.identities).extracting(i -> i.subject().toString()).containsExactly("SERIALNUMBER=PUMP-1");
        assertThat(registry.codeUsed(1)).isTrue();

        assertThatThrownBy(() -> service.enrollWithCode(DeviceEnrollment.Protocol.EST, "PUMP-1", code,
                TestCsrs.der(TestKeys.freshEc("secp256r1"), "CN=x", List.of())))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNAUTHORIZED));
        // Another device's serial with this code is refused as well, and each refusal is audited without the code.
        String other = registry.register(2, "PUMP-2");
        assertThatThrownBy(() -> service.enrollWithCode(DeviceEnrollment.Protocol.EST, "PUMP-1", other,
                TestCsrs.der(TestKeys.freshEc("secp256r1"), "CN=x", List.of()))).isInstanceOf(PkiException.class);
        assertThat(ca.issued).hasSize(1);
        List<String> audit = new ArrayList<>();
        auditStore.forEach(0, e -> audit.add(e.type() + " " + e.details()));
        assertThat(audit).filteredOn(a -> a.startsWith("device.authentication_failed")).hasSize(2);
        assertThat(audit).noneMatch(a -> a.contains(code) || a.contains(other));
    }

    @Test
    void aLostAnswerIsFoundAgainByItsKeyAndNoSecondCertificateIsIssued() {
        String code = registry.register(1, "MON-1");
        KeyPair key = TestKeys.freshEc("secp256r1");
        byte[] csr = TestCsrs.der(key, "CN=monitor", List.of());
        ca.loseNextAnswer = true;
        assertThatThrownBy(() -> service.enrollWithCode(DeviceEnrollment.Protocol.CMP, "MON-1", code, csr))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.CA_UNAVAILABLE));
        assertThat(registry.codeUsed(1)).isFalse();

        var retried = service.enrollWithCode(DeviceEnrollment.Protocol.CMP, "MON-1", code, csr);
        assertThat(ca.issued).hasSize(1);
        assertThat(retried.certificate().getSerialNumber()).isEqualTo(ca.issued.get(0).serial());
        assertThat(registry.codeUsed(1)).isTrue();
        assertThat(registry.recorded).hasSize(1);
    }

    @Test
    void aLostAnswerRetriedWithAnotherKeySupersedesTheCertificateNeverReceivedAtOnce() {
        String code = registry.register(1, "MON-1");
        ca.loseNextAnswer = true;
        assertThatThrownBy(() -> service.enrollWithCode(DeviceEnrollment.Protocol.CMP, "MON-1", code,
                TestCsrs.der(TestKeys.freshEc("secp256r1"), "CN=a", List.of()))).isInstanceOf(PkiException.class);
        var second = service.enrollWithCode(DeviceEnrollment.Protocol.CMP, "MON-1", code,
                TestCsrs.der(TestKeys.freshEc("secp256r1"), "CN=b", List.of()));
        assertThat(ca.issued).hasSize(2);
        BigInteger lost = ca.issued.get(0).serial();
        assertThat(second.certificate().getSerialNumber()).isNotEqualTo(lost);
        // Superseded now, not after the grace period: the device never had it.
        assertThat(service.supersedeDue(10)).isEqualTo(1);
        assertThat(ca.revoked).containsExactly(lost + " superseded");
    }

    @Test
    void aReplacedCertificateIsRevokedOnlyAfterTheGracePeriod() throws Exception {
        String code = registry.register(1, "GW-1");
        var first = service.enrollWithCode(DeviceEnrollment.Protocol.EST, "GW-1", code,
                TestCsrs.der(TestKeys.freshEc("secp256r1"), "CN=gw", List.of()));
        var second = service.reenroll(DeviceEnrollment.Protocol.EST, first.certificate(),
                TestCsrs.der(TestKeys.freshEc("secp256r1"), "CN=gw", List.of()));
        assertThat(second.deviceSerial()).isEqualTo("GW-1");
        assertThat(service.supersedeDue(10)).isZero();
        clock.advance(GRACE.plusSeconds(1));
        assertThat(service.supersedeDue(10)).isEqualTo(1);
        assertThat(ca.revoked).containsExactly(first.certificate().getSerialNumber() + " superseded");
        // The revoked certificate authenticates nothing any more.
        assertThatThrownBy(() -> service.reenroll(DeviceEnrollment.Protocol.EST, first.certificate(),
                TestCsrs.der(TestKeys.freshEc("secp256r1"), "CN=gw", List.of())))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNAUTHORIZED));
    }

    @Test
    void aCodeSpentByARacingEnrollmentRevokesTheLosersCertificate() {
        String code = registry.register(1, "PUMP-9");
        registry.spendBeforeNextRecord = true;
        assertThatThrownBy(() -> service.enrollWithCode(DeviceEnrollment.Protocol.EST, "PUMP-9", code,
                TestCsrs.der(TestKeys.freshEc("secp256r1"), "CN=x", List.of())))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNAUTHORIZED));
        assertThat(ca.revoked).containsExactly(ca.issued.get(0).serial() + " superseded");
    }

    @Test
    void aManufacturerCertificateEnrollsOnlyARegisteredDeviceOfItsOwnManufacturer() throws Exception {
        KeyPair makerKey = TestKeys.freshEc("secp256r1");
        X509Certificate maker = selfSignedCa("CN=Infusion Corp Device CA,O=Infusion Corp", makerKey);
        KeyPair otherKey = TestKeys.freshEc("secp256r1");
        X509Certificate otherMaker = selfSignedCa("CN=Infusion Corp Device CA,O=Infusion Corp", otherKey);
        service = new DeviceEnrollmentService(registry, ca, codes, new AuditLog(auditStore, clock), clock,
                new DeviceEnrollmentService.Settings("device", GRACE, List.of(
                        new DeviceEnrollmentService.ManufacturerCa("Infusion Corp", maker)), "est"), new EnrollmentMetrics());
        registry.register(new DeviceRegistry.Device(1, "PUMP-7", "infusion corp", "registered"));
        // The same serial registered for another manufacturer: this maker's CA does not vouch for it.
        registry.register(new DeviceRegistry.Device(2, "PUMP-6", "Monitor Corp", "registered"));
        KeyPair deviceKey = TestKeys.freshEc("secp256r1");
        byte[] csr = TestCsrs.der(TestKeys.freshEc("secp256r1"), "CN=pump", List.of());

        var enrolled = service.enrollWithManufacturerCertificate(DeviceEnrollment.Protocol.EST,
                List.of(idevid(maker, makerKey, "PUMP-7", deviceKey)), csr);
        assertThat(enrolled.deviceSerial()).isEqualTo("PUMP-7");

        // Signed by a look-alike CA (same name, another key), or naming a serial nobody registered: refused.
        assertThatThrownBy(() -> service.enrollWithManufacturerCertificate(DeviceEnrollment.Protocol.EST,
                List.of(idevid(otherMaker, otherKey, "PUMP-7", deviceKey)), csr))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNAUTHORIZED));
        assertThatThrownBy(() -> service.enrollWithManufacturerCertificate(DeviceEnrollment.Protocol.EST,
                List.of(idevid(maker, makerKey, "PUMP-8", deviceKey)), csr))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNAUTHORIZED));
        assertThatThrownBy(() -> service.enrollWithManufacturerCertificate(DeviceEnrollment.Protocol.EST,
                List.of(idevid(maker, makerKey, "PUMP-6", deviceKey)), csr))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.getMessage())
                        .contains("no registered device of the certificate's manufacturer"));
        // The maker's CA certificate itself is no device's certificate.
        assertThatThrownBy(() -> service.enrollWithManufacturerCertificate(DeviceEnrollment.Protocol.EST,
                List.of(maker), csr))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNAUTHORIZED));
        assertThat(ca.issued).hasSize(1);
    }

    private static X509Certificate selfSignedCa(String name, KeyPair key) throws Exception {
        Instant now = Instant.now();
        var b = new X509v3CertificateBuilder(new org.bouncycastle.asn1.x500.X500Name(name), BigInteger.ONE,
                java.util.Date.from(now.minusSeconds(60)), java.util.Date.from(now.plus(Duration.ofDays(3650))),
                new org.bouncycastle.asn1.x500.X500Name(name), org.bouncycastle.asn1.x509.SubjectPublicKeyInfo
                .getInstance(key.getPublic().getEncoded()));
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new org.bouncycastle.asn1.x509.KeyUsage(
                org.bouncycastle.asn1.x509.KeyUsage.keyCertSign));
        return SoftwareSigner.jdk(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
    }

    /** An IEEE 802.1AR IDevID: the device's serial in the subject's serialNumber. */
    private static X509Certificate idevid(X509Certificate maker, KeyPair makerKey, String serial, KeyPair device)
            throws Exception {
        Instant now = Instant.now();
        var b = new X509v3CertificateBuilder(org.bouncycastle.asn1.x500.X500Name.getInstance(
                maker.getSubjectX500Principal().getEncoded()), BigInteger.valueOf(now.toEpochMilli()),
                java.util.Date.from(now.minusSeconds(60)), java.util.Date.from(now.plus(Duration.ofDays(3650))),
                new org.bouncycastle.asn1.x500.X500Name("SERIALNUMBER=" + serial + ",O=Infusion Corp"),
                org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(device.getPublic().getEncoded()));
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        return SoftwareSigner.jdk(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(makerKey.getPrivate())));
    }

    @Test
    void theRegistrysUriAndProfileGoToTheCaAndADeviceWithoutThemGetsNoNamesAndTheInstallationsProfile() {
        String uri = "urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e";
        String sdc = registry.register(new DeviceRegistry.Device(1, "MON-1", "Monitor Corp", "registered", uri,
                "sdc-participant"));
        String plain = registry.register(2, "PUMP-2");
        service.enrollWithCode(DeviceEnrollment.Protocol.EST, "MON-1", sdc,
                TestCsrs.der(TestKeys.freshEc("secp256r1"), "CN=monitor", List.of()));
        service.enrollWithCode(DeviceEnrollment.Protocol.EST, "PUMP-2", plain,
                TestCsrs.der(TestKeys.freshEc("secp256r1"), "CN=pump", List.of()));

        assertThat(ca.profiles).containsExactly("sdc-participant", "device");
        assertThat(ca.identities.get(0).subject().toString()).isEqualTo("SERIALNUMBER=MON-1");
        assertThat(ca.identities.get(0).names()).containsExactly(
                new GeneralName(GeneralName.uniformResourceIdentifier, uri));
        assertThat(ca.identities.get(1).names()).isEmpty();
    }

    @Test
    void theMacSecretIsTheLiveCodeOnly() {
        String code = registry.register(1, "MON-5");
        assertThat(service.macSecret("MON-5")).hasValueSatisfying(s -> assertThat(new String(s)).isEqualTo(code));
        assertThat(service.macSecret("MON-6")).isEmpty();
        service.enrollWithCode(DeviceEnrollment.Protocol.CMP, "MON-5", code,
                TestCsrs.der(TestKeys.freshEc("secp256r1"), "CN=m", List.of()));
        assertThat(service.macSecret("MON-5")).isEmpty();
    }

    /** The registry's rules as PgDeviceRegistry keeps them, in memory. */
    final class Registry implements DeviceRegistry {
        final List<Device> devices = new ArrayList<>();
        final List<Object[]> codes = new ArrayList<>(); // {deviceId, hash, sealed, used}
        final List<DeviceCertificate> recorded = new ArrayList<>();
        final List<Object[]> supersede = new ArrayList<>(); // {certificate, at}
        boolean spendBeforeNextRecord;

        String register(long id, String serial) {
            return register(new Device(id, serial, "", "registered"));
        }

        String register(Device device) {
            long id = device.id();
            String code = EnrollmentCodes.newCode();
            devices.add(device);
            codes.add(new Object[] {id, EnrollmentCodes.hash(code), DeviceEnrollmentServiceTest.this.codes.seal(code, id),
                    false});
            return code;
        }

        boolean codeUsed(long id) {
            return codes.stream().filter(c -> (long) c[0] == id).allMatch(c -> (boolean) c[3]);
        }

        private Device device(long id) {
            return devices.stream().filter(d -> d.id() == id).findFirst().orElseThrow();
        }

        @Override
        public Optional<Device> byLiveCode(byte[] codeSha256, String serial, Instant now) {
            return codes.stream().filter(c -> Arrays.equals((byte[]) c[1], codeSha256) && !(boolean) c[3])
                    .map(c -> device((long) c[0])).filter(d -> serial == null || d.serial().equals(serial)).findFirst();
        }

        @Override
        public Optional<SealedCode> sealedLiveCode(String serial, Instant now) {
            return devices.stream().filter(d -> d.serial().equals(serial)).flatMap(d -> codes.stream()
                    .filter(c -> (long) c[0] == d.id() && !(boolean) c[3])
                    .map(c -> new SealedCode(d.id(), (byte[]) c[2]))).findFirst();
        }

        @Override
        public List<Device> bySerial(String serial) {
            return devices.stream().filter(d -> d.serial().equals(serial)).toList();
        }

        @Override
        public Optional<Holder> currentHolder(byte[] der, Instant now) {
            return ca.issued.stream().filter(i -> Arrays.equals(encoded(i.certificate()), der))
                    .filter(i -> ca.revoked.stream().noneMatch(r -> r.startsWith(i.serial() + " ")))
                    .flatMap(i -> recorded.stream().filter(r -> r.serial().equals(i.serial())))
                    .map(r -> new Holder(device(r.deviceId()), r)).findFirst();
        }

        @Override
        public List<Unrecorded> unrecordedCertificates(long deviceId) {
            return ca.issued.stream().filter(i -> ca.requesters.get(ca.issued.indexOf(i)).equals("device:" + deviceId))
                    .filter(i -> recorded.stream().noneMatch(r -> r.serial().equals(i.serial())))
                    .filter(i -> ca.revoked.stream().noneMatch(r -> r.startsWith(i.serial() + " ")))
                    .map(i -> new Unrecorded(new DeviceCertificate(deviceId, "server-ca", i.serial()),
                            encoded(i.certificate()))).toList();
        }

        @Override
        public void recordEnrollment(long deviceId, DeviceCertificate certificate, String protocol,
                                     byte[] spentCodeSha256, Instant supersedeAfter, Instant now) {
            if (spendBeforeNextRecord) {
                spendBeforeNextRecord = false;
                codes.forEach(c -> c[3] = true);
            }
            if (spentCodeSha256 != null) {
                Object[] c = codes.stream().filter(x -> Arrays.equals((byte[]) x[1], spentCodeSha256) && !(boolean) x[3])
                        .findFirst().orElseThrow(() -> new PkiException(ErrorKind.CONFLICT, "spent meanwhile"));
                c[3] = true;
            }
            for (DeviceCertificate r : recorded) {
                if (r.deviceId() == deviceId && supersede.stream().noneMatch(s -> s[0].equals(r))) {
                    supersede.add(new Object[] {r, supersedeAfter});
                }
            }
            recorded.add(certificate);
        }

        @Override
        public void recordSuperseded(DeviceCertificate certificate, String protocol, Instant now) {
            recorded.add(certificate);
            supersede.add(new Object[] {certificate, now});
        }

        @Override
        public List<DeviceCertificate> dueForSupersession(String requesterPrefix, Instant now, int limit) {
            return supersede.stream().filter(s -> !((Instant) s[1]).isAfter(now)).map(s -> (DeviceCertificate) s[0])
                    .filter(c -> ca.revoked.stream().noneMatch(r -> r.startsWith(c.serial() + " "))).limit(limit).toList();
        }
    }

    /** A CA that signs with the test PKI's issuing key, keeps what it issued, and can lose an answer. */
    final class Ca implements DeviceCa {
        final List<IssuedCertificate> issued = new ArrayList<>();
        final List<AssignedIdentity> identities = new ArrayList<>();
        final List<String> profiles = new ArrayList<>();
        final List<String> revoked = new ArrayList<>();
        final AtomicLong serials = new AtomicLong(100);
        final List<String> requesters = new ArrayList<>();
        boolean loseNextAnswer;

        @Override
        public IssuedCertificate issue(String profile, byte[] request, String requester, AssignedIdentity identity) {
            try {
                PKCS10CertificationRequest csr = new PKCS10CertificationRequest(request);
                BigInteger serial = BigInteger.valueOf(serials.incrementAndGet());
                Instant now = clock.instant();
                var b = new X509v3CertificateBuilder(PKI.issuingCert().getSubject(), serial,
                        java.util.Date.from(now.minusSeconds(60)), java.util.Date.from(now.plus(Duration.ofDays(365))),
                        identity.subject(), csr.getSubjectPublicKeyInfo());
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                X509CertificateHolder cert = b.build(new JcaContentSignerBuilder("SHA256withECDSA")
                        .build(PKI.issuingKey().getPrivate()));
                identities.add(identity);
                profiles.add(profile);
                IssuedCertificate done = new IssuedCertificate(serial, profile, "server-ca", cert,
                        List.of(PKI.issuingCert(), PKI.root()));
                issued.add(done);
                requesters.add(requester);
                if (loseNextAnswer) {
                    loseNextAnswer = false;
                    throw new PkiException(ErrorKind.CA_UNAVAILABLE, "the connection closed before the answer");
                }
                return done;
            } catch (PkiException e) {
                throw e;
            } catch (Exception e) {
                throw new PkiException(ErrorKind.BAD_CSR, e.getMessage());
            }
        }

        @Override
        public void revoke(String issuer, BigInteger serial, RevocationReason reason, String actor) {
            revoked.add(serial + " " + reason.rfcName());
        }

        @Override
        public List<X509Certificate> caCertificates() {
            return List.of(SoftwareSigner.jdk(PKI.issuingCert()), SoftwareSigner.jdk(PKI.root()));
        }
    }

    private static byte[] encoded(X509CertificateHolder h) {
        try {
            return h.getEncoded();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
