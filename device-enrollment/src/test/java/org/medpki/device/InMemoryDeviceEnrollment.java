package org.medpki.device;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1BitString;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.crmf.CertReqMsg;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.crmf.CertificateRequestMessage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.revocation.RevocationReason;
import org.medpki.core.keys.SignatureAlgorithm;
import org.medpki.core.testpki.SoftwareSigner;
import org.medpki.core.testpki.TestKeys;
import org.medpki.core.testpki.TestPki;

/**
 * An in-memory {@link DeviceEnrollment} for the protocol front ends' tests: a registry of
 * devices with one-time codes and a software CA (TestPki) that signs what a device asks for
 * with the identity the registry gives. It keeps the contract's rules that a front end's tests
 * can see: codes are single use, another device's code or a decommissioned device is refused,
 * the subject is the registry's, and the failures are recorded.
 */
public final class InMemoryDeviceEnrollment implements DeviceEnrollment {

    /** A registered device: its code (null once spent) and state. */
    public static final class Device {
        public final String serial;
        volatile String code;
        volatile boolean decommissioned;
        final List<X509Certificate> certificates = Collections.synchronizedList(new ArrayList<>());

        Device(String serial, String code) {
            this.serial = serial;
            this.code = code;
        }

        public List<X509Certificate> certificates() {
            return List.copyOf(certificates);
        }
    }

    private final TestPki pki = TestPki.create("server-ca", TestKeys.ec("secp256r1"), SignatureAlgorithm.ECDSA_SHA256);
    private final X509Certificate root = SoftwareSigner.jdk(pki.root());
    private final X509Certificate issuing = SoftwareSigner.jdk(pki.issuingCert());
    private final Map<String, Device> devices = new ConcurrentHashMap<>();
    private final Set<BigInteger> revoked = ConcurrentHashMap.newKeySet();
    private final AtomicLong serials = new AtomicLong(0x1000);
    private final Set<X509Certificate> manufacturerCas = new HashSet<>();
    /** Failures recorded by the front end or by this class: "protocol claimed: reason". */
    public final List<String> failures = Collections.synchronizedList(new ArrayList<>());

    /** Registers a device with this one-time code (null: none, it enrolls with its IDevID). */
    public Device register(String serial, String code) {
        Device d = new Device(serial, code);
        devices.put(serial, d);
        return d;
    }

    public Device device(String serial) {
        return devices.get(serial);
    }

    public void decommission(String serial) {
        Device d = devices.get(serial);
        d.decommissioned = true;
        d.certificates.forEach(c -> revoked.add(c.getSerialNumber()));
    }

    public void trustManufacturer(X509Certificate ca) {
        manufacturerCas.add(ca);
    }

    public boolean isRevoked(BigInteger serial) {
        return revoked.contains(serial);
    }

    public X509Certificate root() {
        return root;
    }

    public X509Certificate issuingCa() {
        return issuing;
    }

    @Override
    public synchronized Enrolled enrollWithCode(Protocol protocol, String serial, String code, byte[] csr) {
        Device d = serial == null
                ? devices.values().stream().filter(x -> x.code != null && equal(x.code, code)).findFirst().orElse(null)
                : devices.get(serial);
        if (d == null || d.decommissioned || d.code == null || code == null || !equal(d.code, code)) {
            throw refuse(protocol, serial, "the enrollment code is not valid for this device");
        }
        Enrolled e = issue(d, csr);
        d.code = null;
        return e;
    }

    @Override
    public synchronized Enrolled enrollWithManufacturerCertificate(Protocol protocol, List<X509Certificate> chain,
                                                                   byte[] csr) {
        X509Certificate idevid = chain.get(0);
        boolean trusted = manufacturerCas.stream().anyMatch(ca -> {
            try {
                idevid.verify(ca.getPublicKey());
                return ca.getSubjectX500Principal().equals(idevid.getIssuerX500Principal());
            } catch (Exception e) {
                return false;
            }
        });
        String serial = serialNumberOf(idevid.getSubjectX500Principal());
        Device d = serial == null ? null : devices.get(serial);
        if (!trusted || d == null || d.decommissioned) {
            throw refuse(protocol, serial, "the manufacturer certificate is not trusted or names no registered device");
        }
        return issue(d, csr);
    }

    @Override
    public synchronized Enrolled reenroll(Protocol protocol, X509Certificate current, byte[] csr) {
        String serial = serialNumberOf(current.getSubjectX500Principal());
        Device d = serial == null ? null : devices.get(serial);
        boolean ours;
        try {
            current.verify(issuing.getPublicKey());
            current.checkValidity();
            ours = true;
        } catch (Exception e) {
            ours = false;
        }
        if (!ours || d == null || d.decommissioned || revoked.contains(current.getSerialNumber())) {
            throw refuse(protocol, serial, "the current certificate does not authenticate a device");
        }
        Enrolled e = issue(d, csr);
        revoked.add(current.getSerialNumber());
        return e;
    }

    @Override
    public Optional<byte[]> macSecret(String serial) {
        Device d = serial == null ? null : devices.get(serial);
        return d == null || d.decommissioned || d.code == null ? Optional.empty()
                : Optional.of(d.code.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public synchronized void revoke(Protocol protocol, X509Certificate current, BigInteger serial,
                                    RevocationReason reason) {
        String device = serialNumberOf(current.getSubjectX500Principal());
        Device d = device == null ? null : devices.get(device);
        if (d == null || d.certificates.stream().noneMatch(c -> c.getSerialNumber().equals(serial))) {
            throw refuse(protocol, device, "may revoke only its own certificates");
        }
        if (!revoked.add(serial)) {
            throw new PkiException(ErrorKind.ALREADY_REVOKED, "already revoked");
        }
    }

    @Override
    public List<X509Certificate> caCertificates() {
        return List.of(issuing, root);
    }

    @Override
    public void authenticationFailed(Protocol protocol, String claimed, String reason) {
        failures.add(protocol.wireName() + " " + claimed + ": " + reason);
    }

    private PkiException refuse(Protocol protocol, String claimed, String reason) {
        authenticationFailed(protocol, claimed, reason);
        return new PkiException(ErrorKind.UNAUTHORIZED, reason);
    }

    private Enrolled issue(Device d, byte[] csrDer) {
        try {
            SubjectPublicKeyInfo publicKey = crmfPublicKey(csrDer);
            if (publicKey == null) {
                PKCS10CertificationRequest csr = new PKCS10CertificationRequest(csrDer);
                if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().setProvider(TestKeys.BC)
                        .build(csr.getSubjectPublicKeyInfo()))) {
                    throw new PkiException(ErrorKind.BAD_CSR, "the CSR's signature does not verify (proof of possession)");
                }
                publicKey = csr.getSubjectPublicKeyInfo();
            }
            Instant now = Instant.now();
            var builder = new X509v3CertificateBuilder(X500Name.getInstance(issuing.getSubjectX500Principal().getEncoded()),
                    BigInteger.valueOf(serials.incrementAndGet()), java.util.Date.from(now.minusSeconds(60)),
                    java.util.Date.from(now.plus(Duration.ofDays(365))),
                    new X500Name("SERIALNUMBER=" + d.serial + ",O=Test Hospital"), publicKey);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
            KeyPair ca = pki.issuingKey();
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.getPrivate())));
            d.certificates.add(cert);
            return new Enrolled(cert, caCertificates(), d.serial);
        } catch (PkiException e) {
            throw e;
        } catch (Exception e) {
            throw new PkiException(ErrorKind.BAD_CSR, "the CSR cannot be read");
        }
    }

    /**
     * The public key of a CRMF CertReqMsg (CMP) whose signature proof of possession verifies;
     * null when the request is not a CertReqMsg (a PKCS#10 request).
     */
    private static SubjectPublicKeyInfo crmfPublicKey(byte[] der) throws Exception {
        CertificateRequestMessage crm;
        try {
            ASN1Sequence seq = ASN1Sequence.getInstance(der);
            // A CertificationRequest ends with its signature, a BIT STRING; a CertReqMsg holds its
            // CertRequest, then a tagged POP and a regInfo SEQUENCE, both optional.
            if (seq.size() == 3 && seq.getObjectAt(2) instanceof ASN1BitString) {
                return null;
            }
            crm = new CertificateRequestMessage(CertReqMsg.getInstance(seq));
        } catch (RuntimeException e) {
            return null;
        }
        SubjectPublicKeyInfo key = crm.getCertTemplate().getPublicKey();
        if (key == null) {
            throw new PkiException(ErrorKind.BAD_CSR, "the certificate template has no public key");
        }
        if (!crm.hasProofOfPossession() || crm.getProofOfPossessionType() != CertificateRequestMessage.popSigningKey
                || !crm.isValidSigningKeyPOP(new JcaContentVerifierProviderBuilder().setProvider(TestKeys.BC).build(key))) {
            throw new PkiException(ErrorKind.BAD_CSR, "the request's proof of possession does not verify");
        }
        return key;
    }

    private static boolean equal(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    /** The subject's serialNumber attribute (2.5.4.5), or null. */
    public static String serialNumberOf(X500Principal subject) {
        RDN[] rdns = X500Name.getInstance(subject.getEncoded()).getRDNs(BCStyle.SERIALNUMBER);
        return rdns.length == 0 ? null : IETFUtils.valueToString(rdns[0].getFirst().getValue());
    }
}
