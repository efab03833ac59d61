package org.medpki.core.hierarchy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.x509.CertificatePolicies;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.medpki.core.audit.AuditEntry;
import org.medpki.core.audit.AuditLog;
import org.medpki.core.audit.InMemoryAuditStore;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.inventory.CaRecord;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.inventory.NewCa;
import org.medpki.core.keys.SignatureAlgorithm;
import org.medpki.core.testpki.HandClock;
import org.medpki.core.testpki.InMemoryCaRollovers;
import org.medpki.core.testpki.InMemoryInventory;
import org.medpki.core.testpki.SoftwareSigningKeys;
import org.medpki.core.testpki.TestKeys;
import org.medpki.core.testpki.TestPki;

class IssuingCaRolloverTest {
    private static TestPki pki;
    private HandClock clock;
    private InMemoryInventory inventory;
    private InMemoryCaRollovers rollovers;
    private SoftwareSigningKeys keys;
    private InMemoryAuditStore auditStore;
    private AuditLog audit;
    private IssuingCaRollover ceremony;
    private CaRecord serverCa;

    @BeforeAll
    static void pki() {
        pki = TestPki.create("server-ca", TestKeys.freshEc("secp256r1"), SignatureAlgorithm.ECDSA_SHA256);
    }

    @BeforeEach
    void ceremony() throws Exception {
        clock = new HandClock(TestPki.NOW);
        inventory = new InMemoryInventory(clock);
        CaRecord root = inventory.saveCa(new NewCa("root-ca", CaRole.ROOT, null, "root", pki.root().getEncoded(),
                pki.root().getNotBefore().toInstant(), pki.root().getNotAfter().toInstant()));
        serverCa = inventory.saveCa(new NewCa("server-ca", CaRole.ISSUING, root.id(), "server-ca",
                pki.issuingCert().getEncoded(), pki.issuingCert().getNotBefore().toInstant(),
                pki.issuingCert().getNotAfter().toInstant()));
        KeyPair identityKey = TestKeys.freshEc("secp256r1");
        inventory.saveCa(new NewCa("identity-ca", CaRole.ISSUING, root.id(), "identity-ca",
                TestPki.create("identity-ca", identityKey, SignatureAlgorithm.ECDSA_SHA256).issuingCert().getEncoded(),
                null, null));
        rollovers = new InMemoryCaRollovers(inventory);
        keys = new SoftwareSigningKeys().add("root", pki.rootKey()).add("server-ca", pki.issuingKey());
        auditStore = new InMemoryAuditStore();
        audit = new AuditLog(auditStore, clock);
        ceremony = new IssuingCaRollover(keys, inventory, rollovers, audit, clock);
    }

    @AfterEach
    void closeAudit() {
        audit.close();
    }

    @Test
    void theNewGenerationIsCertifiedByTheRootAndTakesOverIssuanceAtTheSwitch() throws Exception {
        Instant switchAt = clock.instant().plus(Duration.ofHours(2));
        IssuingCaRollover.RolledOver r = ceremony.rollover("server-ca", switchAt, "cli:tester");

        assertThat(r.name()).isEqualTo("server-ca-g2");
        assertThat(r.generation()).isEqualTo(2);
        assertThat(r.previous()).isEqualTo("server-ca");
        assertThat(r.resumed()).isFalse();
        assertThat(keys.labels()).contains(r.keyLabel());
        CaCertificate made = CaCertificate.of(inventory.ca("server-ca-g2").orElseThrow());
        X509CertificateHolder cert = made.certificate();
        assertThat(cert.isSignatureValid(new JcaContentVerifierProviderBuilder().build(pki.root()))).isTrue();
        assertThat(made.publicKey()).isEqualTo(keys.find(r.keyLabel()).orElseThrow().publicKey());
        assertThat(made.publicKey()).isNotEqualTo(pki.issuingKey().getPublic());
        assertThat(cert.getSubject().toString()).contains("server-ca G2");
        assertThat(CertificatePolicies.fromExtensions(cert.getExtensions()).getPolicyInformation()[0]
                .getPolicyIdentifier().getId()).isEqualTo(TestPki.CP_OID);

        IssuerGenerations generations = new IssuerGenerations(Hierarchy.load(inventory), rollovers.all());
        assertThat(generations.active("server-ca", clock.instant()).name()).isEqualTo("server-ca");
        assertThat(generations.active("server-ca", switchAt).name()).isEqualTo("server-ca-g2");
        assertThat(generations.supersededBy(serverCa.id())).hasValueSatisfying(g -> assertThat(g.switchAt())
                .isEqualTo(switchAt));
        assertThat(generations.generations("server-ca")).extracting(CaCertificate::name)
                .containsExactly("server-ca", "server-ca-g2");
        assertThat(types()).containsSubsequence("ca.rollover_planned", "ca.rolled_over");
        assertThat(entry("ca.rolled_over").details()).contains("\"signedWithKey\":\"root\"")
                .contains("\"keySha256\":\"" + r.keySha256() + "\"");

        // Another rollover before generation 2 has taken over is refused.
        assertThatThrownBy(() -> ceremony.rollover("server-ca", null, "cli:tester")).isInstanceOf(PkiException.class)
                .satisfies(e -> assertThat(((PkiException) e).kind()).isEqualTo(ErrorKind.CONFLICT))
                .hasMessageContaining("takes over at " + switchAt);
    }

    @Test
    void aRunStoppedAfterTheKeyIsResumedWithThatKeyAndNothingHalfDoneIsLeft() {
        rollovers.failNextCompletion();
        assertThatThrownBy(() -> ceremony.rollover("server-ca", null, "cli:first"))
                .isInstanceOf(PkiException.class).hasMessageContaining("database went away");
        // The key is there under its planned label, and no CA certificate without it.
        CaRollover open = rollovers.open("server-ca").orElseThrow();
        assertThat(keys.labels()).contains(open.keyLabel());
        assertThat(inventory.ca("server-ca-g2")).isEmpty();
        assertThat(types()).contains("ca.rollover_refused");

        IssuingCaRollover.RolledOver r = ceremony.rollover("server-ca", null, "cli:second");
        assertThat(r.resumed()).isTrue();
        assertThat(r.keyLabel()).isEqualTo(open.keyLabel());
        assertThat(keys.labels().stream().filter(l -> l.startsWith("server-ca-g2"))).hasSize(1);
        assertThat(CaCertificate.of(inventory.ca("server-ca-g2").orElseThrow()).publicKey())
                .isEqualTo(keys.find(open.keyLabel()).orElseThrow().publicKey());
        assertThat(rollovers.open("server-ca")).isEmpty();
        assertThat(types()).contains("ca.rollover_resumed");
        assertThat(entry("ca.rolled_over").details()).contains("\"keyGeneratedBefore\":\"true\"")
                .contains("\"plannedBy\":\"cli:first\"");
    }

    @Test
    void theRootUnknownCasPinnedCasGenerationNamesAndPastSwitchTimesAreRefusedAndNothingIsPlanned() {
        Object[][] cases = {
                {"root-ca", null, ErrorKind.MALFORMED, "root CA"},
                {"nope-ca", null, ErrorKind.NOT_FOUND, "no issuing CA named 'nope-ca' (issuing CAs: server-ca, identity-ca)"},
                {"", null, ErrorKind.MALFORMED, "name the issuing CA"},
                {"server-ca", clock.instant().minus(Duration.ofHours(1)), ErrorKind.MALFORMED, "in the past"},
                {"server-ca", clock.instant().plus(Duration.ofDays(400)), ErrorKind.MALFORMED, "days ahead"}};
        for (Object[] c : cases) {
            assertThatThrownBy(() -> ceremony.rollover((String) c[0], (Instant) c[1], "cli:tester"))
                    .as(String.valueOf(c[0])).isInstanceOf(PkiException.class)
                    .satisfies(e -> assertThat(((PkiException) e).kind()).isEqualTo(c[2]))
                    .hasMessageContaining((String) c[3]);
        }
        assertThat(rollovers.all()).isEmpty();
        assertThat(keys.labels()).containsExactlyInAnyOrder("root", "server-ca");
        assertThat(types()).hasSize(cases.length).allMatch("ca.rollover_refused"::equals);

        ceremony.rollover("server-ca", null, "cli:tester");
        assertThatThrownBy(() -> ceremony.rollover("server-ca-g2", null, "cli:tester"))
                .hasMessageContaining("generation 2 of server-ca");
    }

    private List<String> types() {
        List<String> types = new ArrayList<>();
        auditStore.forEach(0, e -> types.add(e.type()));
        return types;
    }

    private AuditEntry entry(String type) {
        List<AuditEntry> found = new ArrayList<>();
        auditStore.forEach(0, e -> {
            if (e.type().equals(type)) {
                found.add(e);
            }
        });
        return found.getLast();
    }
}
