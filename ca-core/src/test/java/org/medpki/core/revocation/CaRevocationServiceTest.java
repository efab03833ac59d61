package org.medpki.core.revocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.medpki.core.testpki.TestCsrs.dns;

import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CRLEntryHolder;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.medpki.core.audit.AuditEntry;
import org.medpki.core.audit.AuditLog;
import org.medpki.core.audit.InMemoryAuditStore;
import org.medpki.core.crl.CrlIssuer;
import org.medpki.core.crl.CrlPolicy;
import org.medpki.core.crl.RevokedEntry;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.core.inventory.CaRecord;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.inventory.Inventory;
import org.medpki.core.inventory.NewCa;
import org.medpki.core.issuance.IssuanceService;
import org.medpki.core.issuance.IssueCommand;
import org.medpki.core.keys.SignatureAlgorithm;
import org.medpki.core.signing.CertificateSigner;
import org.medpki.core.testpki.HandClock;
import org.medpki.core.testpki.InMemoryCrlStore;
import org.medpki.core.testpki.InMemoryInventory;
import org.medpki.core.testpki.SoftwareSigningKeys;
import org.medpki.core.testpki.TestCsrs;
import org.medpki.core.testpki.TestKeys;
import org.medpki.core.testpki.TestPki;
import org.medpki.core.testpki.TestProfiles;

/**
 * Revocation of the PKI's own certificates over in-memory fakes: an issuing CA is recorded,
 * announced and audited, the root's CRL signed at once lists it with its reason, and the CA issues
 * nothing more; an OCSP signer's entry is on its issuer's complete CRL only; the root, the audit
 * signer, an unknown name, a reason that does not apply and a second revocation are refused with
 * what is wrong named, and audited as refusals.
 */
class CaRevocationServiceTest {
    private static final KeyPair SUBJECT = TestKeys.ec("secp256r1");
    private static TestPki pki;

    private HandClock clock;
    private InMemoryInventory inventory;
    private InMemoryAuditStore auditStore;
    private AuditLog audit;
    private CaRevocationService service;
    private CaRecord serverCa;
    private final List<String> announced = new ArrayList<>();

    @BeforeAll
    static void pki() {
        pki = TestPki.create("server-ca", TestKeys.freshEc("secp256r1"), SignatureAlgorithm.ECDSA_SHA256);
    }

    @BeforeEach
    void service() throws Exception {
        clock = new HandClock(TestPki.NOW);
        inventory = new InMemoryInventory(clock);
        CaRecord root = inventory.saveCa(new NewCa("root-ca", CaRole.ROOT, null, "root", pki.root().getEncoded(),
                pki.root().getNotBefore().toInstant(), pki.root().getNotAfter().toInstant()));
        serverCa = inventory.saveCa(new NewCa("server-ca", CaRole.ISSUING, root.id(), "server-ca",
                pki.issuingCert().getEncoded(), pki.issuingCert().getNotBefore().toInstant(),
                pki.issuingCert().getNotAfter().toInstant()));
        inventory.notifications().subscribe(Inventory.CA_REVOCATION_CHANNEL, announced::add, null);
        SoftwareSigningKeys keys = new SoftwareSigningKeys().add("root", pki.rootKey())
                .add("server-ca", pki.issuingKey());
        auditStore = new InMemoryAuditStore();
        audit = new AuditLog(auditStore, clock);
        service = new CaRevocationService(inventory, audit, clock, new CrlIssuer(new InMemoryCrlStore(inventory, clock),
                keys, CrlPolicy.DEFAULT, "http://crl.hospital.test/crl", clock));
    }

    @AfterEach
    void closeAudit() {
        audit.close();
    }

    @Test
    void anIssuingCaIsRecordedListedOnTheRootsSignedCrlAndIssuesNothingMore() throws Exception {
        CaRevocationService.Revoked r = service.revoke("server-ca", RevocationReason.CA_COMPROMISE, null,
                "break-glass:cli:tester");

        assertThat(r.role()).isEqualTo(CaRole.ISSUING);
        assertThat(r.issuer()).isEqualTo("root-ca");
        assertThat(r.serial()).isEqualTo(pki.issuingCert().getSerialNumber());
        assertThat(inventory.caRevocations()).singleElement().satisfies(v -> {
            assertThat(v.caId()).isEqualTo(serverCa.id());
            assertThat(v.reason()).isEqualTo(RevocationReason.CA_COMPROMISE);
            assertThat(v.revokedBy()).isEqualTo("break-glass:cli:tester");
        });
        assertThat(announced).containsExactly(serverCa.id() + ":" + r.serial().toString(16));

        X509CRLHolder arl = new X509CRLHolder(r.arl().der());
        assertThat(arl.isSignatureValid(new JcaContentVerifierProviderBuilder().build(pki.root()))).isTrue();
        X509CRLEntryHolder entry = arl.getRevokedCertificate(pki.issuingCert().getSerialNumber());
        assertThat(entry).isNotNull();
        assertThat(CRLReason.getInstance(entry.getExtensions().getExtension(Extension.reasonCode).getParsedValue())
                .getValue().intValue()).isEqualTo(CRLReason.cACompromise);

        AuditEntry last = auditStore.head().orElseThrow();
        assertThat(last.type()).isEqualTo("ca.revoked");
        assertThat(last.details()).contains("breakGlass").contains("cACompromise");

        IssuanceService issuance = new IssuanceService(TestProfiles.catalog(), Hierarchy.load(inventory),
                new CertificateSigner(new SoftwareSigningKeys().add("server-ca", pki.issuingKey())), inventory, audit,
                clock);
        assertThatThrownBy(() -> issuance.issue(IssueCommand.of("tls-server",
                TestCsrs.der(SUBJECT, "CN=fhir.hospital.test", List.of(dns("fhir.hospital.test"))), "cli")))
                .isInstanceOfSatisfying(PkiException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.CONFLICT);
                    assertThat(e.getMessage()).contains("server-ca").contains("revoked").contains("cACompromise");
                });
        assertThat(inventory.all()).as("no intent row under a revoked CA").isEmpty();
    }

    @Test
    void theRootTheAuditSignerUnknownNamesWrongReasonsAndRepeatsAreRefusedAndAudited() throws Exception {
        CaRecord root = inventory.ca("root-ca").orElseThrow();
        inventory.saveCa(new NewCa("audit-signer", CaRole.AUDIT, root.id(), "audit", pki.issuingCert().getEncoded(),
                null, null));
        refused("root-ca", RevocationReason.CA_COMPROMISE, ErrorKind.MALFORMED, "root CA");
        refused("audit-signer", RevocationReason.KEY_COMPROMISE, ErrorKind.MALFORMED, "audit signer");
        refused("nope", RevocationReason.KEY_COMPROMISE, ErrorKind.NOT_FOUND, "issuing CAs: server-ca");
        refused("", RevocationReason.KEY_COMPROMISE, ErrorKind.MALFORMED, "name the CA");
        refused("server-ca", RevocationReason.CERTIFICATE_HOLD, ErrorKind.BAD_REVOCATION_REASON, "certificateHold");
        refused("server-ca", RevocationReason.AA_COMPROMISE, ErrorKind.BAD_REVOCATION_REASON, "aACompromise");
        assertThat(inventory.caRevocations()).isEmpty();

        service.revoke("server-ca", RevocationReason.SUPERSEDED, null, "admin:alice");
        refused("server-ca", RevocationReason.SUPERSEDED, ErrorKind.ALREADY_REVOKED, "already revoked");
        assertThat(inventory.caRevocations()).hasSize(1);
        assertThat(auditStore.head().orElseThrow().type()).isEqualTo("ca.revocation_refused");
    }

    @Test
    void anOcspSignerTakesNoCaCompromiseAndIsListedOnItsIssuersCompleteCrlOnly() throws Exception {
        // Any certificate stands in for the signer's: what matters is its serial and its issuer's id.
        inventory.saveCa(new NewCa("server-ca-ocsp-1", CaRole.OCSP_SIGNER, serverCa.id(), "ocsp-1",
                pki.root().getEncoded(), null, null));
        assertThatThrownBy(() -> service.revoke("server-ca-ocsp-1", RevocationReason.CA_COMPROMISE, null, "cli"))
                .isInstanceOfSatisfying(PkiException.class,
                        e -> assertThat(e.getMessage()).contains("cACompromise").contains("OCSP signer"));
        CaRevocationService.Revoked r = service.revoke("server-ca-ocsp-1", RevocationReason.KEY_COMPROMISE, null, "cli");
        assertThat(r.arl()).as("the root's CRL does not list an issuing CA's signer").isNull();
        clock.advance(Duration.ofSeconds(2));
        assertThat(inventory.revokedEntries(serverCa.id(), 0, clock.instant(), TestPki.NOW, Instant.EPOCH))
                .extracting(RevokedEntry::serial).containsExactly(pki.root().getSerialNumber());
        assertThat(inventory.revokedEntries(serverCa.id(), 1, clock.instant(), TestPki.NOW, Instant.EPOCH))
                .as("not on a partition").isEmpty();
    }

    @Test
    void reasonNamesAreRfc5280s() {
        assertThat(RevocationReason.CA_COMPROMISE.rfcName()).isEqualTo("cACompromise");
        assertThat(RevocationReason.AA_COMPROMISE.rfcName()).isEqualTo("aACompromise");
        assertThat(RevocationReason.parse("cACompromise")).isEqualTo(RevocationReason.CA_COMPROMISE);
    }

    private void refused(String name, RevocationReason reason, ErrorKind kind, String detail) {
        assertThatThrownBy(() -> service.revoke(name, reason, null, "cli"))
                .isInstanceOfSatisfying(PkiException.class, e -> {
                    assertThat(e.kind()).as(name + " " + reason).isEqualTo(kind);
                    assertThat(e.getMessage()).as(name + " " + reason).contains(detail);
                });
    }
}
