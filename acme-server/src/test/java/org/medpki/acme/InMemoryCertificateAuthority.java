package org.medpki.acme;

import java.io.IOException;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.issuance.IssuedCertificate;
import org.medpki.core.revocation.RevocationReason;

/**
 * {@link CertificateAuthority} for handler tests: a throw-away software CA (an EC key made here)
 * that checks a CSR as the real CA does where ACME can tell (it parses, its signature verifies,
 * its names equal the order's, else BAD_CSR), issues, remembers and revokes. Names under
 * {@code .test} are allowed. {@link #failWith} makes issuing and revoking fail, as a CA that
 * cannot be reached does.
 */
final class InMemoryCertificateAuthority implements CertificateAuthority {
    record Revocation(BigInteger serial, RevocationReason reason, String actor) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private final KeyPair key;
    private final X509CertificateHolder certificate;
    private final Map<BigInteger, byte[]> issued = new ConcurrentHashMap<>();
    private final Map<BigInteger, Instant> revoked = new ConcurrentHashMap<>();
    private final Map<BigInteger, Instant> superseded = new ConcurrentHashMap<>();
    final List<Revocation> revocations = new CopyOnWriteArrayList<>();
    private volatile PkiException failure;

    InMemoryCertificateAuthority() {
        try {
            key = ecKey();
            X500Name name = new X500Name("CN=Test ACME CA");
            Instant now = Instant.now();
            certificate = new JcaX509v3CertificateBuilder(name, BigInteger.ONE, Date.from(now.minus(Duration.ofDays(1))),
                    Date.from(now.plus(Duration.ofDays(365))), name, key.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            new JcaX509ExtensionUtils().createSubjectKeyIdentifier(key.getPublic()))
                    .build(signer());
        } catch (Exception e) {
            throw new IllegalStateException("cannot make the test CA", e);
        }
    }

    static KeyPair ecKey() throws java.security.GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    X509CertificateHolder certificate() {
        return certificate;
    }

    /** From now on issue and revoke throw {@code e} (null: they work again). */
    void failWith(PkiException e) {
        failure = e;
    }

    @Override
    public IssuedCertificate issue(String profile, byte[] csr, String requester, List<GeneralName> names) {
        failIfAsked();
        PKCS10CertificationRequest request;
        boolean signed;
        try {
            request = new PKCS10CertificationRequest(csr);
            signed = request.isSignatureValid(new JcaContentVerifierProviderBuilder()
                    .build(request.getSubjectPublicKeyInfo()));
        } catch (IOException | PKCSException | OperatorCreationException | RuntimeException e) {
            throw new PkiException(ErrorKind.BAD_CSR, "the CSR cannot be parsed");
        }
        if (!signed) {
            throw new PkiException(ErrorKind.BAD_CSR, "the CSR's signature does not verify");
        }
        if (!Set.copyOf(csrNames(request)).equals(Set.copyOf(names))) {
            throw new PkiException(ErrorKind.BAD_CSR, "the CSR's names are not the order's identifiers");
        }
        BigInteger serial = new BigInteger(127, RANDOM).setBit(120);
        Instant now = Instant.now();
        try {
            X509v3CertificateBuilder b = new X509v3CertificateBuilder(certificate.getSubject(), serial,
                    Date.from(now.minus(Duration.ofMinutes(1))), Date.from(now.plus(Duration.ofDays(30))),
                    new X500Name("CN=" + names.getFirst().getName()), request.getSubjectPublicKeyInfo())
                    .addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(names.toArray(GeneralName[]::new)))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(certificate));
            X509CertificateHolder leaf = b.build(signer());
            issued.put(serial, leaf.getEncoded());
            return new IssuedCertificate(serial, profile, "Test ACME CA", leaf, List.of(certificate));
        } catch (IOException | java.security.GeneralSecurityException | OperatorCreationException e) {
            throw new PkiException(ErrorKind.INTERNAL, "the test CA cannot sign", e);
        }
    }

    static List<GeneralName> csrNames(PKCS10CertificationRequest request) {
        for (var attribute : request.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
            GeneralNames sans = GeneralNames.fromExtensions(Extensions.getInstance(attribute.getAttrValues()
                    .getObjectAt(0)), Extension.subjectAlternativeName);
            if (sans != null) {
                return List.of(sans.getNames());
            }
        }
        return List.of();
    }

    /** How many certificates this CA has issued. */
    int issuedCount() {
        return issued.size();
    }

    @Override
    public Optional<byte[]> issued(BigInteger serial) {
        return Optional.ofNullable(issued.get(serial)).map(byte[]::clone);
    }

    @Override
    public void checkIdentifier(String profile, Identifier identifier) {
        if (!identifier.value().endsWith(".test")) {
            throw new AcmeException(ProblemType.REJECTED_IDENTIFIER, identifier.value() + " is not a name this CA "
                    + "certifies", identifier, List.of(), null);
        }
    }

    @Override
    public Optional<Instant> revokedAt(BigInteger serial) {
        return Optional.ofNullable(revoked.get(serial));
    }

    /** Records that the certificate's issuing CA was rolled over, switching at {@code at}, as the inventory would. */
    void issuerSupersededElsewhere(BigInteger serial, Instant at) {
        superseded.put(serial, at);
    }

    @Override
    public Optional<Instant> issuerSupersededAt(BigInteger serial) {
        return Optional.ofNullable(superseded.get(serial));
    }

    /** Records a revocation at {@code at} made elsewhere (the CLI, the admin API), as the inventory would. */
    void revokedElsewhere(BigInteger serial, Instant at) {
        revoked.put(serial, at);
    }

    @Override
    public void revoke(BigInteger serial, RevocationReason reason, String actor) {
        failIfAsked();
        if (!issued.containsKey(serial)) {
            throw new PkiException(ErrorKind.NOT_FOUND, "no certificate with serial " + serial.toString(16));
        }
        if (revoked.putIfAbsent(serial, Instant.now()) != null) {
            throw new PkiException(ErrorKind.ALREADY_REVOKED, "the certificate is already revoked");
        }
        revocations.add(new Revocation(serial, reason, actor));
    }

    private void failIfAsked() {
        PkiException e = failure;
        if (e != null) {
            throw new PkiException(e.kind(), e.detail());
        }
    }

    private ContentSigner signer() throws OperatorCreationException {
        return new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate());
    }
}
