package org.medpki.core.retirement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.medpki.core.audit.AuditEntry;
import org.medpki.core.audit.AuditLog;
import org.medpki.core.audit.InMemoryAuditStore;
import org.medpki.core.crl.CrlDistribution;
import org.medpki.core.crl.CrlIssuer;
import org.medpki.core.crl.CrlPolicy;
import org.medpki.core.crl.PublishedCrl;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.core.inventory.CaRecord;
import org.medpki.core.inventory.CaRevocation;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.inventory.CertificateIntent;
import org.medpki.core.inventory.NewCa;
import org.medpki.core.keys.PublicKeys;
import org.medpki.core.keys.SignatureAlgorithm;
import org.medpki.core.revocation.RevocationReason;
import org.medpki.core.testpki.HandClock;
import org.medpki.core.testpki.InMemoryCrlStore;
import org.medpki.core.testpki.InMemoryInventory;
import org.medpki.core.testpki.SoftwareSigningKeys;
import org.medpki.core.testpki.TestKeys;
import org.medpki.core.testpki.TestPki;

/**
 * Key retirement over in-memory fakes: an issuing CA's key once its certificate and everything it
 * signed expired, and a compromised one at once, each with its final CRL before the key goes; and
 * every refusal leaving the key, the records and the CRLs as they were, audited.
 */
class KeyRetirementServiceTest {
    private static final List<String> APPROVERS = List.of("admin:Ida", "admin:Jon");
    private static TestPki pki;

    private HandClock clock;
    private InMemoryInventory inventory;
    private InMemoryCrlStore crls;
    private InMemoryAuditStore auditStore;
    private SoftwareSigningKeys keys;
    private InMemoryKeyDestructions records;
    private KeyRetirementService service;
    private CaCertificate serverCa;
    private long serial = 0x2000;

    @BeforeAll
    static void pki() {
        pki = TestPki.create("server-ca", TestKeys.freshEc("secp256r1"), SignatureAlgorithm.ECDSA_SHA256,
                TestPki.NOW.plus(Duration.ofDays(30)));
    }

    @BeforeEach
    void service() throws Exception {
        clock = new HandClock(TestPki.NOW);
        inventory = new InMemoryInventory(clock);
        CaRecord root = inventory.saveCa(new NewCa("root-ca", CaRole.ROOT, null, "root-ca", pki.root().getEncoded(),
                pki.root().getNotBefore().toInstant(), pki.root().getNotAfter().toInstant()));
        inventory.saveCa(new NewCa("server-ca", CaRole.ISSUING, root.id(), "server-ca.1",
                pki.issuingCert().getEncoded(), pki.issuingCert().getNotBefore().toInstant(),
                pki.issuingCert().getNotAfter().toInstant()));
        serverCa = Hierarchy.load(inventory).issuing("server-ca");
        crls = new InMemoryCrlStore(inventory, clock);
        keys = new SoftwareSigningKeys().add("server-ca.1", pki.issuingKey()).add("root-ca", pki.rootKey());
        auditStore = new InMemoryAuditStore();
        records = new InMemoryKeyDestructions(inventory);
        CrlIssuer issuer = new CrlIssuer(crls, keys, CrlPolicy.DEFAULT, "http://crl.hospital.test/crl", clock);
        service = new KeyRetirementService(inventory, records, new AuditLog(auditStore, clock), clock, keys, null,
                (ca, nextUpdate) -> issuer.publishFinal(ca, CrlDistribution.DEFAULT, nextUpdate));
    }

    @Test
    void anIssuingCaKeyIsRetiredOnceItsCertificateAndEverythingItSignedExpired() throws Exception {
        issue(TestPki.NOW.plus(Duration.ofDays(20)));
        BigInteger revoked = issue(TestPki.NOW.plus(Duration.ofDays(25)));
        inventory.revoke(serverCa.record().id(), revoked, RevocationReason.SUPERSEDED, clock.instant(), null);

        assertRefused(() -> service.retire("server-ca", null, "admin:Rae", APPROVERS), ErrorKind.CONFLICT,
                "valid until");
        assertThat(keys.find("server-ca.1")).as("a refusal destroys nothing").isPresent();

        clock.advance(Duration.ofDays(31));
        KeyRetirementService.Retired done = service.retire("server-ca", null, "admin:Rae", APPROVERS);
        KeyDestruction r = done.record();
        assertThat(r.grounds()).isEqualTo("expired");
        assertThat(r.keySha256()).isEqualTo(PublicKeys.fingerprint(serverCa.publicKey()));
        assertThat(r.keyLabel()).isEqualTo("server-ca.1");
        assertThat(r.approvers()).containsExactlyElementsOf(APPROVERS);
        assertThat(r.breakGlass()).isFalse();
        assertThat(r.lastExpiry()).isEqualTo(TestPki.NOW.plus(Duration.ofDays(25)));
        assertThat(keys.find("server-ca.1")).as("the key is gone from the token").isEmpty();
        assertThat(records.all()).containsExactly(r);
        PublishedCrl finalCrl = done.finalCrls().getFirst();
        assertThat(finalCrl.nextUpdate()).isAfter(r.lastExpiry());
        assertThat(r.finalCrlNumber()).isEqualTo(finalCrl.number());

        List<AuditEntry> audit = audit();
        assertThat(audit).extracting(AuditEntry::type).containsSubsequence("key.destruction_refused",
                "key.destruction_started", "key.destroyed");
        AuditEntry destroyed = audit.getLast();
        assertThat(destroyed.details()).contains(r.keySha256()).contains("admin:Ida,admin:Jon")
                .contains(r.tokenAnswer());

        // A key destroyed already is refused, and nothing more is signed or recorded.
        int crlsBefore = crls.all().size();
        assertRefused(() -> service.retire("server-ca", null, "break-glass:cli:root", List.of()), ErrorKind.CONFLICT,
                "destroyed already");
        assertThat(crls.all()).hasSize(crlsBefore);
        assertThat(records.all()).hasSize(1);
    }

    @Test
    void aCertificateStillValidUnderAnExpiredCaKeepsTheKeyUntilItIsRevoked() throws Exception {
        BigInteger longLived = issue(TestPki.NOW.plus(Duration.ofDays(40)));
        clock.advance(Duration.ofDays(31));
        assertRefused(() -> service.retire("server-ca", null, "admin:Rae", APPROVERS), ErrorKind.CONFLICT,
                "serial " + longLived.toString(16));
        assertThat(keys.find("server-ca.1")).isPresent();
        assertThat(crls.all()).as("no final CRL for a refusal").isEmpty();

        inventory.revoke(serverCa.record().id(), longLived, RevocationReason.CESSATION_OF_OPERATION, clock.instant(),
                null);
        KeyDestruction r = service.retire("server-ca", null, "admin:Rae", APPROVERS).record();
        assertThat(r.lastExpiry()).isEqualTo(TestPki.NOW.plus(Duration.ofDays(40)));
        assertThat(r.finalCrlNextUpdate()).isEqualTo(r.lastExpiry().plus(KeyRetirementService.FINAL_CRL_MARGIN));
    }

    @Test
    void aCompromisedCaIsRetiredAtOnceAndItsFinalCrlOutlivesItsLastCertificate() throws Exception {
        BigInteger valid = issue(TestPki.NOW.plus(Duration.ofDays(20)));
        BigInteger revoked = issue(TestPki.NOW.plus(Duration.ofDays(10)));
        inventory.revoke(serverCa.record().id(), revoked, RevocationReason.KEY_COMPROMISE, clock.instant(), null);
        clock.advance(Duration.ofMinutes(1));
        inventory.revokeCa(new CaRevocation(serverCa.record().id(), serverCa.x509().getSerialNumber(), clock.instant(),
                RevocationReason.CA_COMPROMISE, null, "admin:Rae"));

        KeyRetirementService.Retired done = service.retire("server-ca",
                PublicKeys.fingerprint(serverCa.publicKey()), "admin:Rae", APPROVERS);
        assertThat(done.record().grounds()).isEqualTo("compromised");
        assertThat(keys.find("server-ca.1")).isEmpty();
        X509CRLHolder crl = new X509CRLHolder(done.finalCrls().getFirst().der());
        assertThat(crl.getNextUpdate().toInstant()).isEqualTo(TestPki.NOW.plus(Duration.ofDays(21)));
        assertThat(crl.isSignatureValid(new JcaContentVerifierProviderBuilder().build(serverCa.publicKey()))).isTrue();
        assertThat(crl.getRevokedCertificate(revoked)).isNotNull();
        assertThat(crl.getRevokedCertificate(valid)).isNull();
        assertThat(crl.getExtension(Extension.freshestCRL)).as("the final CRL names no delta CRL").isNull();
    }

    @Test
    void unknownNamesKeysTheRootAndBadFingerprintsAreRefusedAndAudited() {
        clock.advance(Duration.ofDays(31));
        assertRefused(() -> service.retire("nope-ca", null, "admin:Rae", APPROVERS), ErrorKind.NOT_FOUND,
                "server-ca");
        assertRefused(() -> service.retire("server-ca", "00".repeat(32), "admin:Rae", APPROVERS), ErrorKind.NOT_FOUND,
                PublicKeys.fingerprint(serverCa.publicKey()));
        assertRefused(() -> service.retire("server-ca", "XYZ", "admin:Rae", APPROVERS), ErrorKind.MALFORMED, "64");
        assertRefused(() -> service.retire("root-ca", null, "admin:Rae", APPROVERS), ErrorKind.MALFORMED, "root");
        assertThat(keys.find("server-ca.1")).isPresent();
        assertThat(keys.find("root-ca")).isPresent();
        assertThat(records.all()).isEmpty();
        assertThat(audit()).extracting(AuditEntry::type).containsOnly("key.destruction_refused").hasSize(4);
    }

    private void assertRefused(Runnable call, ErrorKind kind, String detail) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(PkiException.class, e -> {
            assertThat(e.kind()).isEqualTo(kind);
            assertThat(e.publicDetail()).contains(detail);
        });
    }

    private List<AuditEntry> audit() {
        List<AuditEntry> out = new ArrayList<>();
        auditStore.forEach(0, out::add);
        return out;
    }

    private BigInteger issue(Instant notAfter) {
        BigInteger s = BigInteger.valueOf(serial++);
        long caId = serverCa.record().id();
        inventory.recordIntent(new CertificateIntent(caId, s, "tls-server", "CN=x", List.of(),
                TestPki.NOW.minus(Duration.ofHours(1)), notAfter, new byte[] {1}, new byte[32], "test", 0));
        inventory.recordIssued(caId, s, new byte[] {2});
        return s;
    }
}
