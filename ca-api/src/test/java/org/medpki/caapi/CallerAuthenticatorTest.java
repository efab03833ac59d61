package org.medpki.caapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.core.inventory.CaRecord;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.inventory.CertificateIntent;
import org.medpki.core.inventory.CertificateQuery;
import org.medpki.core.inventory.CertificateRecord;
import org.medpki.core.inventory.CertificateStatus;
import org.medpki.core.inventory.Inventory;
import org.medpki.core.inventory.NewCa;
import org.medpki.core.revocation.RevocationReason;

/**
 * Who may call the CA API, decided against the inventory (an in-memory one here): the signature of
 * a generation of the service CA, validity, an issued service certificate with exactly these bytes
 * under that generation, a CN; a revocation taking effect once the remembered answer runs out; and
 * a generation certified while the API runs, recognised once the generations are read again.
 */
class CallerAuthenticatorTest {
    private static final long SERVICE_CA_ID = 7;
    private static final X500Name SERVICE_CA = new X500Name("O=hospital.test PKI,CN=identity-ca");
    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

    private final KeyPair caKey = key();
    private final X509Certificate caCert = cert(SERVICE_CA, caKey.getPrivate(), SERVICE_CA, caKey.getPublic(), true,
            BigInteger.ONE, NOW.minus(1, ChronoUnit.DAYS), NOW.plus(3650, ChronoUnit.DAYS));
    private final CaCertificate serviceCa = CaCertificate.of(new CaRecord(SERVICE_CA_ID, "identity-ca", CaRole.ISSUING,
            1L, "identity-ca.key", encoded(caCert), NOW.minus(1, ChronoUnit.DAYS), NOW.plus(3650, ChronoUnit.DAYS), NOW));
    private final MemoryInventory inventory = new MemoryInventory(serviceCa.record());
    private final MutableClock clock = new MutableClock(NOW);
    private long nanos;
    private final CallerIssuers issuers = new CallerIssuers(() -> Hierarchy.load(inventory), "identity-ca",
            () -> nanos);
    private final CallerAuthenticator authenticator = new CallerAuthenticator(issuers, "service", inventory, clock);

    @Test
    void anIssuedServiceCertificateNamesTheCallerByItsCn() throws Exception {
        X509Certificate acme = serviceCert("acme", 10);
        inventory.add(acme, "service", CertificateStatus.ISSUED);
        assertThat(authenticator.authenticate(List.of(acme)).name()).isEqualTo("acme");
    }

    @Test
    void everyOtherCertificateIsRefusedWithItsReason() throws Exception {
        refused(List.of(), "no client certificate");
        KeyPair otherKey = key();
        X500Name other = new X500Name("CN=another CA");
        refused(List.of(cert(other, otherKey.getPrivate(), new X500Name("CN=acme"), key().getPublic(), false,
                BigInteger.TWO, NOW.minus(1, ChronoUnit.HOURS), NOW.plus(1, ChronoUnit.DAYS))), "from another CA");
        // Same issuer name, another key: a forged service CA.
        refused(List.of(cert(SERVICE_CA, otherKey.getPrivate(), new X500Name("CN=acme"), key().getPublic(), false,
                BigInteger.TEN, NOW.minus(1, ChronoUnit.HOURS), NOW.plus(1, ChronoUnit.DAYS))), "does not verify");
        X509Certificate expired = cert(SERVICE_CA, caKey.getPrivate(), new X500Name("CN=acme"), key().getPublic(), false,
                BigInteger.valueOf(11), NOW.minus(10, ChronoUnit.DAYS), NOW.minus(1, ChronoUnit.DAYS));
        inventory.add(expired, "service", CertificateStatus.ISSUED);
        refused(List.of(expired), "expired");
        refused(List.of(serviceCert("acme", 12)), "unknown to the inventory");
        X509Certificate revoked = serviceCert("acme", 13);
        inventory.add(revoked, "service", CertificateStatus.REVOKED);
        refused(List.of(revoked), "revoked");
        X509Certificate user = serviceCert("alice", 14);
        inventory.add(user, "user", CertificateStatus.ISSUED);
        refused(List.of(user), "not a service certificate");
        // The inventory holds other bytes under that serial: not the certificate the CA issued.
        X509Certificate twin = serviceCert("acme", 15);
        inventory.add(serviceCert("acme", 15), "service", CertificateStatus.ISSUED);
        refused(List.of(twin), "unknown to the inventory");
    }

    @Test
    void aRevocationLocksTheCallerOutOnceTheRememberedAnswerRunsOut() throws Exception {
        X509Certificate crl = serviceCert("crl", 20);
        inventory.add(crl, "service", CertificateStatus.ISSUED);
        assertThat(authenticator.authenticate(List.of(crl)).name()).isEqualTo("crl");
        inventory.setStatus(crl.getSerialNumber(), CertificateStatus.REVOKED);
        clock.advance(CallerAuthenticator.REMEMBER.minusSeconds(1));
        assertThat(authenticator.authenticate(List.of(crl)).name()).as("still remembered").isEqualTo("crl");
        clock.advance(Duration.ofSeconds(2));
        refused(List.of(crl), "revoked");
    }

    @Test
    void afterARolloverCallersOfEitherGenerationAreAcceptedAndAForeignCaOfTheSameNameIsNot() throws Exception {
        X509Certificate old = serviceCert("acme", 30);
        inventory.add(old, "service", CertificateStatus.ISSUED);
        assertThat(authenticator.authenticate(List.of(old)).caId()).isEqualTo(SERVICE_CA_ID);

        // Generation 2 certified while the API runs: a key and a CA row of its own.
        KeyPair g2Key = key();
        X500Name g2Name = new X500Name("O=hospital.test PKI,CN=identity-ca G2");
        X509Certificate g2Cert = cert(g2Name, g2Key.getPrivate(), g2Name, g2Key.getPublic(), true, BigInteger.TWO,
                NOW.minus(1, ChronoUnit.DAYS), NOW.plus(3650, ChronoUnit.DAYS));
        long g2Id = 8;
        X509Certificate renewed = cert(g2Name, g2Key.getPrivate(), new X500Name("O=hospital.test PKI,CN=crl"),
                key().getPublic(), false, BigInteger.valueOf(31), NOW.minus(1, ChronoUnit.HOURS),
                NOW.plus(90, ChronoUnit.DAYS));
        inventory.cas.add(new CaRecord(g2Id, "identity-ca-g2", CaRole.ISSUING, 1L, "identity-ca-g2.key",
                encoded(g2Cert), NOW.minus(1, ChronoUnit.DAYS), NOW.plus(3650, ChronoUnit.DAYS), NOW));
        inventory.add(renewed, "service", CertificateStatus.ISSUED, g2Id);
        // Read less than two seconds ago: not read again, so the new generation is not known yet.
        refused(List.of(renewed), "from another CA");
        nanos += CallerIssuers.REREAD_NANOS;
        CallerAuthenticator.Caller crl = authenticator.authenticate(List.of(renewed));
        assertThat(crl.name()).isEqualTo("crl");
        assertThat(crl.caId()).isEqualTo(g2Id);
        assertThat(issuers.generations()).extracting(CaCertificate::name).containsExactly("identity-ca",
                "identity-ca-g2");
        assertThat(issuers.acceptedIssuers()).contains(caCert, g2Cert);

        // A certificate of the old generation still works, and is looked up under the old generation.
        X509Certificate stillOld = serviceCert("ocsp", 32);
        inventory.add(stillOld, "service", CertificateStatus.ISSUED);
        assertThat(authenticator.authenticate(List.of(stillOld)).caId()).isEqualTo(SERVICE_CA_ID);
        // A record under the other generation does not make a certificate of this one valid.
        X509Certificate misfiled = cert(g2Name, g2Key.getPrivate(), new X500Name("O=hospital.test PKI,CN=est"),
                key().getPublic(), false, BigInteger.valueOf(33), NOW.minus(1, ChronoUnit.HOURS),
                NOW.plus(90, ChronoUnit.DAYS));
        inventory.add(misfiled, "service", CertificateStatus.ISSUED, SERVICE_CA_ID);
        refused(List.of(misfiled), "unknown to the inventory");

        // A foreign CA with either generation's name and a service's subject: refused.
        KeyPair foreign = key();
        for (X500Name issuer : List.of(SERVICE_CA, g2Name)) {
            X509Certificate forged = cert(issuer, foreign.getPrivate(), new X500Name("O=hospital.test PKI,CN=acme"),
                    key().getPublic(), false, BigInteger.valueOf(30), NOW.minus(1, ChronoUnit.HOURS),
                    NOW.plus(90, ChronoUnit.DAYS));
            refused(List.of(forged), "does not verify");
        }
    }

    private void refused(List<X509Certificate> chain, String reason) {
        assertThatThrownBy(() -> authenticator.authenticate(chain))
                .isInstanceOf(CallerAuthenticator.Refusal.class).hasMessageContaining(reason);
    }

    private X509Certificate serviceCert(String name, long serial) {
        return cert(SERVICE_CA, caKey.getPrivate(), new X500Name("O=hospital.test PKI,CN=" + name), key().getPublic(),
                false, BigInteger.valueOf(serial), NOW.minus(1, ChronoUnit.HOURS), NOW.plus(90, ChronoUnit.DAYS));
    }

    private static KeyPair key() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate cert(X500Name issuer, PrivateKey signer, X500Name subject, PublicKey key, boolean ca,
                                        BigInteger serial, Instant notBefore, Instant notAfter) {
        try {
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, serial, Date.from(notBefore),
                    Date.from(notAfter), subject, key);
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            return new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] encoded(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    /** The certificates the authenticator looks up; nothing else of the port is used. */
    private static final class MemoryInventory implements Inventory {
        private final List<CertificateRecord> records = new ArrayList<>();
        final List<CaRecord> cas = new ArrayList<>();

        MemoryInventory(CaRecord serviceCa) {
            cas.add(serviceCa);
        }

        void add(X509Certificate c, String profile, CertificateStatus status) {
            add(c, profile, status, SERVICE_CA_ID);
        }

        void add(X509Certificate c, String profile, CertificateStatus status, long caId) {
            records.add(new CertificateRecord(caId, c.getSerialNumber(), profile,
                    c.getSubjectX500Principal().getName(), List.of(), c.getNotBefore().toInstant(),
                    c.getNotAfter().toInstant(), status, null, null, null, encoded(c), "test", NOW));
        }

        void setStatus(BigInteger serial, CertificateStatus status) {
            for (int i = 0; i < records.size(); i++) {
                CertificateRecord r = records.get(i);
                if (r.serial().equals(serial)) {
                    records.set(i, new CertificateRecord(r.caId(), r.serial(), r.profile(), r.subject(), r.sans(),
                            r.notBefore(), r.notAfter(), status, NOW, RevocationReason.KEY_COMPROMISE, null, r.der(),
                            r.requester(), r.createdAt()));
                }
            }
        }

        @Override
        public boolean keyCompromised(byte[] spkiSha256) {
            return false;
        }

        @Override
        public org.medpki.core.inventory.CaRevocation revokeCa(org.medpki.core.inventory.CaRevocation revocation) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<org.medpki.core.inventory.CaRevocation> caRevocations() {
            return List.of();
        }

        @Override
        public List<CertificateRecord> certificatesWithSerial(BigInteger serial) {
            return records.stream().filter(r -> r.serial().equals(serial)).toList();
        }

        @Override
        public CaRecord saveCa(NewCa ca) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<CaRecord> cas() {
            return List.copyOf(cas);
        }

        @Override
        public Optional<CaRecord> ca(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<CaRecord> ca(long id) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void recordIntent(CertificateIntent intent) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void recordIssued(long caId, BigInteger serial, byte[] der) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<CertificateRecord> certificate(long caId, BigInteger serial) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<CertificateRecord> list(CertificateQuery query) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<ProfileCount> countByProfile() {
            throw new UnsupportedOperationException();
        }

        @Override
        public CertificateRecord revoke(long caId, BigInteger serial, RevocationReason reason, Instant revokedAt,
                                        Instant invalidityDate) {
            throw new UnsupportedOperationException();
        }
    }
}
