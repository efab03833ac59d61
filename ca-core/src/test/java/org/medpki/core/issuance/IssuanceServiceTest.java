package org.medpki.core.issuance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.medpki.core.testpki.TestCsrs.dns;

import java.math.BigInteger;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.medpki.core.audit.AuditEntry;
import org.medpki.core.audit.AuditLog;
import org.medpki.core.audit.InMemoryAuditStore;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.core.inventory.CaRecord;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.inventory.CertificateRecord;
import org.medpki.core.inventory.CertificateStatus;
import org.medpki.core.inventory.Inventory;
import org.medpki.core.inventory.NewCa;
import org.medpki.core.keys.SignatureAlgorithm;
import org.medpki.core.profile.ProfileCatalog;
import org.medpki.core.revocation.RevocationReason;
import org.medpki.core.signing.CertificateSigner;
import org.medpki.core.testpki.HandClock;
import org.medpki.core.testpki.InMemoryInventory;
import org.medpki.core.testpki.SoftwareSigner;
import org.medpki.core.testpki.SoftwareSigningKeys;
import org.medpki.core.testpki.TestCsrs;
import org.medpki.core.testpki.TestKeys;
import org.medpki.core.testpki.TestPki;
import org.medpki.core.testpki.TestProfiles;

/**
 * Two-phase issuance over in-memory fakes of the inventory, the audit store and the token: what
 * it signs, what the inventory holds before and after the signature, what a refusal and a token
 * failure leave behind, and what is audited.
 */
class IssuanceServiceTest {
    private static ProfileCatalog profiles;
    private static TestPki pki;
    private static final KeyPair SUBJECT = TestKeys.ec("secp256r1");

    private HandClock clock;
    private InMemoryInventory inventory;
    private InMemoryAuditStore auditStore;
    private AuditLog audit;
    private SoftwareSigningKeys keys;
    private CaRecord serverCa;
    private IssuanceService service;
    private final List<String> announced = new ArrayList<>();

    @BeforeAll
    static void pki() {
        profiles = TestProfiles.catalog();
        pki = TestPki.create("server-ca", TestKeys.freshEc("secp256r1"), SignatureAlgorithm.ECDSA_SHA256);
    }

    @BeforeEach
    void service() throws Exception {
        clock = new HandClock(TestPki.NOW);
        inventory = new InMemoryInventory(clock);
        CaRecord root = inventory.saveCa(new NewCa("root", CaRole.ROOT, null, "root", pki.root().getEncoded(),
                pki.root().getNotBefore().toInstant(), pki.root().getNotAfter().toInstant()));
        serverCa = inventory.saveCa(new NewCa("server-ca", CaRole.ISSUING, root.id(), "server-ca",
                pki.issuingCert().getEncoded(), pki.issuingCert().getNotBefore().toInstant(),
                pki.issuingCert().getNotAfter().toInstant()));
        inventory.notifications().subscribe(Inventory.ISSUANCE_CHANNEL, announced::add, null);
        keys = new SoftwareSigningKeys().add("server-ca", pki.issuingKey());
        auditStore = new InMemoryAuditStore();
        audit = new AuditLog(auditStore, clock);
        service = new IssuanceService(profiles, Hierarchy.load(inventory), new CertificateSigner(keys), inventory,
                audit, clock);
    }

    @AfterEach
    void closeAudit() {
        audit.close();
    }

    @Test
    void issuesUnderTheProfileAndRecordsWhatItSigned() throws Exception {
        IssuedCertificate issued = service.issue(IssueCommand.of("tls-server",
                TestCsrs.der(SUBJECT, "CN=fhir.hospital.test", List.of(dns("fhir.hospital.test"))), "acme:1"));

        X509CertificateHolder cert = issued.certificate();
        assertThat(issued.profile()).isEqualTo("tls-server");
        assertThat(issued.issuer()).isEqualTo("server-ca");
        assertThat(cert.getSerialNumber()).isEqualTo(issued.serial());
        assertThat(cert.getIssuer()).isEqualTo(pki.issuingCert().getSubject());
        assertThat(cert.getSubjectPublicKeyInfo().getEncoded()).isEqualTo(SUBJECT.getPublic().getEncoded());
        // The profile's default of 90 days; notAfter is inclusive.
        assertThat(Duration.between(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant()))
                .isEqualTo(Duration.ofDays(90).minusSeconds(1));
        SoftwareSigner.jdk(cert).verify(pki.issuingKey().getPublic());
        assertThat(SoftwareSigner.jdk(cert).getExtendedKeyUsage())
                .containsExactly(KeyPurposeId.id_kp_serverAuth.getId());
        assertThat(issued.chain()).containsExactly(pki.issuingCert());

        CertificateRecord row = inventory.certificate(serverCa.id(), issued.serial()).orElseThrow();
        assertThat(row.status()).isEqualTo(CertificateStatus.ISSUED);
        assertThat(row.der()).isEqualTo(cert.getEncoded());
        assertThat(row.profile()).isEqualTo("tls-server");
        assertThat(row.requester()).isEqualTo("acme:1");
        assertThat(row.sans()).containsExactly("dns:fhir.hospital.test");
        assertThat(announced).containsExactly(InMemoryInventory.payload(serverCa.id(), issued.serial()));
        assertThat(keys.signatures()).isEqualTo(1);
    }

    @Test
    void theIntentRowIsInTheInventoryBeforeTheTokenSigns() throws Exception {
        AtomicReference<List<CertificateRecord>> atSigning = new AtomicReference<>();
        keys.beforeSign(label -> atSigning.set(inventory.all()));

        IssuedCertificate issued = service.issue(IssueCommand.of("tls-server",
                TestCsrs.der(SUBJECT, "CN=api.hospital.test", List.of(dns("api.hospital.test"))), "cli"));

        assertThat(atSigning.get()).singleElement().satisfies(r -> {
            assertThat(r.serial()).isEqualTo(issued.serial());
            assertThat(r.status()).isEqualTo(CertificateStatus.PENDING);
            assertThat(r.der()).isNull();
        });
        // The intent holds exactly the to-be-signed certificate that was then signed.
        assertThat(inventory.intent(serverCa.id(), issued.serial()).orElseThrow().tbsCertificate())
                .isEqualTo(issued.certificate().toASN1Structure().getTBSCertificate().getEncoded(ASN1Encoding.DER));
    }

    @Test
    void aRequestThePolicyRefusesIsAuditedAndLeavesNothingBehind() {
        byte[] outside = TestCsrs.der(SUBJECT, "CN=www.example.com", List.of(dns("www.example.com")));

        assertThatThrownBy(() -> service.issue(IssueCommand.of("tls-server", outside, "acme:7")))
                .isInstanceOfSatisfying(PkiException.class,
                        e -> assertThat(e.kind()).isEqualTo(ErrorKind.REJECTED_IDENTIFIER));

        assertThat(inventory.all()).isEmpty();
        assertThat(keys.signatures()).isZero();
        assertThat(announced).isEmpty();
        assertThat(entries()).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo("certificate.refused");
            assertThat(e.outcome()).isEqualTo("failure");
            assertThat(e.actor()).isEqualTo("acme:7");
            assertThat(e.details()).contains("\"kind\":\"REJECTED_IDENTIFIER\"").contains("\"profile\":\"tls-server\"");
        });
    }

    @Test
    void aKeyWhoseCertificateWasRevokedForKeyCompromiseIsNeverCertifiedAgain() {
        byte[] csr = TestCsrs.der(SUBJECT, "CN=pacs.hospital.test", List.of(dns("pacs.hospital.test")));
        IssuedCertificate first = service.issue(IssueCommand.of("tls-server", csr, "cli"));
        // Revoked for another reason: the key may be certified again.
        inventory.revoke(serverCa.id(), first.serial(), RevocationReason.SUPERSEDED, Instant.now(), null);
        IssuedCertificate second = service.issue(IssueCommand.of("tls-server", csr, "cli"));
        inventory.revoke(serverCa.id(), second.serial(), RevocationReason.KEY_COMPROMISE, Instant.now(), null);
        int signatures = keys.signatures();

        assertThatThrownBy(() -> service.issue(IssueCommand.of("tls-server", csr, "acme:9")))
                .isInstanceOfSatisfying(PkiException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.BAD_CSR);
                    assertThat(e.getMessage()).contains("keyCompromise");
                });
        assertThat(keys.signatures()).isEqualTo(signatures);
        assertThat(inventory.all()).hasSize(2);
    }

    @Test
    void anUnknownProfileIsRefusedBeforeAnythingIsRecorded() {
        assertThatThrownBy(() -> service.prepare(IssueCommand.of("no-such-profile",
                TestCsrs.der(SUBJECT, "CN=a.hospital.test", List.of(dns("a.hospital.test"))), "cli")))
                .isInstanceOfSatisfying(PkiException.class,
                        e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNKNOWN_PROFILE));
        assertThat(inventory.all()).isEmpty();
        assertThat(entries()).extracting(AuditEntry::type).containsExactly("certificate.refused");
    }

    @Test
    void aTokenFailureLeavesOnlyAPendingIntentAndSpendsTheToken() {
        PreparedIssuance prepared = service.prepare(IssueCommand.of("tls-server",
                TestCsrs.der(SUBJECT, "CN=pacs.hospital.test", List.of(dns("pacs.hospital.test"))), "cli"));
        keys.failWith(new PkiException(ErrorKind.TOKEN_UNAVAILABLE, "the token went away"));

        assertThatThrownBy(() -> service.issue(prepared)).isInstanceOfSatisfying(PkiException.class,
                e -> assertThat(e.kind()).isEqualTo(ErrorKind.TOKEN_UNAVAILABLE));

        // A serial that was planned and never handed out: pending, no DER, nothing announced.
        assertThat(inventory.all()).singleElement().satisfies(r -> {
            assertThat(r.serial()).isEqualTo(prepared.serial());
            assertThat(r.status()).isEqualTo(CertificateStatus.PENDING);
            assertThat(r.der()).isNull();
        });
        assertThat(announced).isEmpty();
        assertThat(entries()).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo("certificate.signing_failed");
            assertThat(e.details()).contains("\"serial\":\"" + prepared.serial().toString(16) + "\"");
        });
        // The token is spent: the same intent is never signed later, even once the token is back.
        keys.failWith(null);
        assertThatThrownBy(() -> service.issue(prepared)).isInstanceOfSatisfying(PkiException.class,
                e -> assertThat(e.kind()).isEqualTo(ErrorKind.CONFLICT));
        assertThat(keys.signatures()).isZero();
        assertThat(inventory.certificate(serverCa.id(), prepared.serial()).orElseThrow().status())
                .isEqualTo(CertificateStatus.PENDING);
    }

    @Test
    void theIssuanceIsAuditedWithIssuerSerialAndProfile() {
        IssuedCertificate issued = service.issue(IssueCommand.of("tls-server",
                TestCsrs.der(SUBJECT, "CN=lab.hospital.test", List.of(dns("lab.hospital.test"))), "acme:2"));

        assertThat(entries()).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo("certificate.issued");
            assertThat(e.outcome()).isEqualTo("success");
            assertThat(e.actor()).isEqualTo("acme:2");
            assertThat(e.details()).contains("\"issuer\":\"server-ca\"")
                    .contains("\"serial\":\"" + issued.serial().toString(16) + "\"")
                    .contains("\"profile\":\"tls-server\"");
        });
    }

    @Test
    void everyIssuanceGetsItsOwnSerial() {
        List<BigInteger> serials = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            serials.add(service.issue(IssueCommand.of("tls-server", TestCsrs.der(SUBJECT, "CN=n" + i
                    + ".hospital.test", List.of(dns("n" + i + ".hospital.test"))), "cli")).serial());
        }
        assertThat(serials).doesNotHaveDuplicates();
        assertThat(inventory.all()).extracting(CertificateRecord::status).containsOnly(CertificateStatus.ISSUED)
                .hasSize(5);
    }

    private List<AuditEntry> entries() {
        List<AuditEntry> out = new ArrayList<>();
        auditStore.forEach(1, out::add);
        return out;
    }
}
