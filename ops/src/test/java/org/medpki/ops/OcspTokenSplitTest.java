package org.medpki.ops;

import org.medpki.inventory.pg.PgOcspRepository;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.medpki.core.audit.AuditEntry;
import org.medpki.core.audit.AuditLog;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.hierarchy.CaOcspSignerCertifier;
import org.medpki.core.hierarchy.Ceremony;
import org.medpki.core.hierarchy.CeremonyPlan;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.core.hierarchy.OcspSignerCertifier;
import org.medpki.core.hierarchy.OcspSignerRotation;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.keys.KeyAlgorithm;
import org.medpki.core.signing.HsmContentSigner;
import org.medpki.hsm.PinSource;
import org.medpki.hsm.Pkcs11SigningKeys;
import org.medpki.hsm.TokenConfig;
import org.medpki.inventory.pg.InventoryDatabase;
import org.medpki.ocsp.Answer;
import org.medpki.ocsp.OcspConfig;
import org.medpki.ocsp.OcspResponder;
import org.medpki.ocsp.OcspServer;

/**
 * The OCSP signers' keys in a token of their own, in one JVM with two real SoftHSM2 tokens (the
 * run's 'medpki-test' token as the CA token, and an OCSP token made here with softhsm2-util and a
 * PIN of its own) and a real PostgreSQL: the ceremony's key placement, the PINs, the CA side of a
 * rotation refusing what it must, and a rotation through the port whose signer the responder uses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OcspTokenSplitTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    private String ocspLabel;
    private String ocspPin;
    private String databaseUrl;
    private InventoryDatabase database;
    private Pkcs11SigningKeys caKeys;
    private Pkcs11SigningKeys ocspKeys;
    private AuditLog audit;
    private Hierarchy hierarchy;
    private final Clock clock = Clock.systemUTC();

    @BeforeAll
    void ceremonyWithTwoTokens() throws Exception {
        byte[] b = new byte[4];
        RANDOM.nextBytes(b);
        ocspLabel = "ocsp-split-" + HexFormat.of().formatHex(b);
        byte[] p = new byte[9];
        RANDOM.nextBytes(p);
        ocspPin = HexFormat.of().formatHex(p);
        // Made before this process loads the module: SoftHSM2 reads its token list at C_Initialize.
        PkiProcess.Result init = PkiProcess.tool(Map.of(), "softhsm2-util", "--init-token", "--free", "--label",
                ocspLabel, "--pin", ocspPin, "--so-pin", ocspPin + "-so");
        assertThat(init.exit()).as(init.toString()).isZero();

        databaseUrl = TestEnvironment.newDatabase();
        database = InventoryDatabase.open(databaseUrl, 4);
        caKeys = new Pkcs11SigningKeys(new TokenConfig(TestEnvironment.module(), "medpki-test",
                new PinSource.Given(TestEnvironment.pin().toCharArray()), 2));
        ocspKeys = new Pkcs11SigningKeys(new TokenConfig(TestEnvironment.module(), ocspLabel,
                new PinSource.Given(ocspPin.toCharArray()), 2));
        audit = new AuditLog(database.auditStore(), clock);
        CeremonyPlan plan = new CeremonyPlan("Split Test Hospital", KeyAlgorithm.EC_P384, KeyAlgorithm.EC_P256,
                KeyAlgorithm.EC_P256, List.of("server-ca", "identity-ca"), Duration.ofDays(3650), Duration.ofDays(1825),
                Duration.ofDays(90), Duration.ofDays(365), Map.of("server-ca", List.of("1.3.6.1.4.1.55555.1.1.1"),
                        "identity-ca", List.of("1.3.6.1.4.1.55555.1.1.2")), "http://crl.hospital.test/crl",
                "http://crl.hospital.test/ca");
        hierarchy = new Ceremony(caKeys, ocspKeys, database.inventory(), audit, clock, null, null).run(plan, "test");
    }

    @AfterAll
    void close() throws Exception {
        if (ocspKeys != null) {
            ocspKeys.close();
        }
        if (caKeys != null) {
            caKeys.close();
        }
        if (audit != null) {
            audit.close();
        }
        if (database != null) {
            database.close();
        }
        PkiProcess.tool(Map.of(), "softhsm2-util", "--delete-token", "--token", ocspLabel);
    }

    @Test
    @Order(1)
    void theCeremonyPutsTheDelegatesKeysInTheOcspTokenAndNoneInTheCaToken() {
        List<CaCertificate> signers = hierarchy.withRole(CaRole.OCSP_SIGNER);
        assertThat(signers).hasSize(2);
        for (CaCertificate s : signers) {
            assertThat(ocspKeys.find(s.keyLabel())).as(s.name()).isPresent();
            assertThat(caKeys.find(s.keyLabel())).as(s.name()).isEmpty();
            assertThat(ocspKeys.protection(s.keyLabel()).isHardwareProtected()).as(s.name()).isTrue();
            assertThat(ocspKeys.find(s.keyLabel()).orElseThrow().publicKey()).isEqualTo(s.publicKey());
        }
        for (CaCertificate ca : hierarchy.all()) {
            if (ca.record().role() != CaRole.OCSP_SIGNER) {
                assertThat(caKeys.find(ca.keyLabel())).as(ca.name()).isPresent();
                assertThat(caKeys.protection(ca.keyLabel()).isHardwareProtected()).as(ca.name()).isTrue();
            }
        }
        assertThat(ocspKeys.labels()).as("only the OCSP signers' keys").hasSize(2)
                .allMatch(l -> l.contains("-ocsp."));
        // The ceremony's audit entry names the token of each key.
        String ceremony = entries("ceremony.completed").getFirst().details();
        assertThat(ceremony).contains("\"ocspTokenLabel\":\"" + ocspLabel + "\"")
                .contains(".keyToken\":\"" + ocspLabel + "\"").contains(".keyToken\":\"medpki-test\"");
    }

    @Test
    @Order(2)
    void eachTokensPinOpensOnlyItsOwnToken() throws Exception {
        // A process of its own per attempt: a PKCS#11 login holds for the whole process.
        assertThat(pkcs11Login(ocspLabel, TestEnvironment.pin()).exit()).as("the CA PIN on the OCSP token").isNotZero();
        assertThat(pkcs11Login("medpki-test", ocspPin).exit()).as("the OCSP PIN on the CA token").isNotZero();
        PkiProcess.Result own = pkcs11Login(ocspLabel, ocspPin);
        assertThat(own.exit()).as(own.toString()).isZero();
        assertThat(own.out()).contains("server-ca-ocsp.").doesNotContain("root-ca.").doesNotContain("server-ca.2");
    }

    @Test
    @Order(3)
    void theCertifierRefusesABadSignatureAnUnknownCaARootAndACaKey() throws Exception {
        CaOcspSignerCertifier certifier = new CaOcspSignerCertifier(caKeys, database.inventory(), audit, clock);
        byte[] good = softwareCsr();
        byte[] bad = good.clone();
        bad[bad.length - 5] ^= 0x01; // inside the signature
        int refusalsBefore = entries("ocsp-signer.rotation-failed").size();

        assertThatThrownBy(() -> certifier.certify("server-ca", bad, "server-ca-ocsp.bad", "test"))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.BAD_CSR))
                .hasMessageContaining("signature does not verify");
        assertThatThrownBy(() -> certifier.certify("no-such-ca", good, "x-ocsp.1", "test"))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND));
        assertThatThrownBy(() -> certifier.certify("root-ca", good, "root-ca-ocsp.1", "test"))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND))
                .hasMessageContaining("no issuing CA named 'root-ca'");
        // A request made with the issuing CA's own key proves possession, but a signer needs a key of its own.
        CaCertificate serverCa = hierarchy.issuing("server-ca");
        byte[] caKeyCsr = new PKCS10CertificationRequestBuilder(new X500Name("CN=reuse"),
                SubjectPublicKeyInfo.getInstance(serverCa.publicKey().getEncoded()))
                .build(new HsmContentSigner(caKeys, serverCa.keyLabel(), serverCa.signatureAlgorithm())).getEncoded();
        assertThatThrownBy(() -> certifier.certify("server-ca", caKeyCsr, "server-ca-ocsp.reuse", "test"))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.BAD_PUBLIC_KEY));

        assertThat(entries("ocsp-signer.rotation-failed")).hasSize(refusalsBefore + 4);
        assertThat(Hierarchy.load(database.inventory()).withRole(CaRole.OCSP_SIGNER)).as("nothing recorded").hasSize(2);
    }

    @Test
    @Order(4)
    void aRotationThroughThePortMakesASignerInTheOcspTokenThatTheResponderUses() throws Exception {
        OcspSignerCertifier certifier = new CaOcspSignerCertifier(caKeys, database.inventory(), audit, clock);
        Hierarchy before = Hierarchy.load(database.inventory());
        // Nothing is due: the ceremony's signers are fresh and in the OCSP token.
        OcspSignerRotation rotation = new OcspSignerRotation(ocspKeys, database.inventory(), certifier, clock);
        assertThat(rotation.rotateDue(Duration.ofDays(30), false, "test")).isEmpty();
        Thread.sleep(1100); // a new stamp for the labels and names

        List<OcspSignerRotation.Rotated> rotated = rotation.rotateDue(Duration.ofDays(30), true, "test");
        assertThat(rotated).extracting(OcspSignerRotation.Rotated::issuingCa)
                .containsExactlyInAnyOrder("server-ca", "identity-ca");
        Hierarchy after = Hierarchy.load(database.inventory());
        CaCertificate serverCa = after.issuing("server-ca");
        CaCertificate signer = after.ocspSignerOf(serverCa).orElseThrow();
        CaCertificate old = before.ocspSignerOf(before.issuing("server-ca")).orElseThrow();
        assertThat(signer.name()).isNotEqualTo(old.name());
        assertThat(ocspKeys.find(signer.keyLabel())).isPresent();
        assertThat(caKeys.find(signer.keyLabel())).isEmpty();
        assertThat(ocspKeys.protection(signer.keyLabel()).isHardwareProtected()).isTrue();
        // The CA's rules, not the request's: OCSPSigning, the old signer's subject and validity, signed by server-ca.
        assertThat(signer.certificate().getSubject()).isEqualTo(old.certificate().getSubject());
        assertThat(signer.x509().getExtendedKeyUsage()).containsExactly(KeyPurposeId.id_kp_OCSPSigning.getId());
        assertThat(Duration.between(signer.x509().getNotBefore().toInstant(), signer.x509().getNotAfter().toInstant()))
                .isEqualTo(Duration.ofDays(90));
        signer.x509().verify(serverCa.publicKey());
        assertThat(entries("ocsp-signer.rotated")).hasSize(2)
                .anySatisfy(e -> assertThat(e.details()).contains(signer.keyLabel()));

        // The responder, over the OCSP token alone, answers with the new signer, and the answer verifies.
        OcspResponder responder = OcspServer.responder(database.inventory(), PgOcspRepository.over(database), ocspKeys,
                OcspConfig.defaults("127.0.0.1", 0), clock);
        X509CertificateHolder issuer = serverCa.certificate();
        CertificateID id = new CertificateID(new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
                issuer, new BigInteger(64, RANDOM));
        Answer answer = responder.answer(new OCSPReqBuilder().addRequest(id).build().getEncoded());
        assertThat(answer).isInstanceOf(Answer.Cached.class);
        BasicOCSPResp basic = (BasicOCSPResp) new OCSPResp(((Answer.Cached) answer).response().der()).getResponseObject();
        X509CertificateHolder responderCert = basic.getCerts()[0];
        assertThat(responderCert.getSerialNumber()).isEqualTo(signer.certificate().getSerialNumber());
        assertThat(basic.isSignatureValid(new JcaContentVerifierProviderBuilder()
                .build(new JcaX509CertificateConverter().getCertificate(responderCert).getPublicKey()))).isTrue();
    }

    @Test
    @Order(5)
    void anInstallationWithItsDelegatesInTheCaTokenIsRefusedByTheResponderUntilARotationMovesThem() throws Exception {
        // Made the old way: every key, the delegates' included, in the CA token.
        try (InventoryDatabase legacy = InventoryDatabase.open(TestEnvironment.newDatabase(), 2);
             AuditLog legacyAudit = new AuditLog(legacy.auditStore(), clock)) {
            Thread.sleep(1100); // labels of their own in the CA token
            CeremonyPlan plan = new CeremonyPlan("Legacy Hospital", KeyAlgorithm.EC_P256, KeyAlgorithm.EC_P256,
                    KeyAlgorithm.EC_P256, List.of("server-ca"), Duration.ofDays(3650), Duration.ofDays(1825),
                    Duration.ofDays(90), Duration.ofDays(365), Map.of("server-ca", List.of("1.3.6.1.4.1.55555.1.1.1")),
                    null, null);
            Hierarchy old = new Ceremony(caKeys, legacy.inventory(), legacyAudit, clock).run(plan, "test");
            CaCertificate oldSigner = old.ocspSignerOf(old.issuing("server-ca")).orElseThrow();
            assertThat(caKeys.find(oldSigner.keyLabel())).isPresent();

            assertThatThrownBy(() -> OcspServer.responder(legacy.inventory(), PgOcspRepository.over(legacy), ocspKeys,
                    OcspConfig.defaults("127.0.0.1", 0), clock))
                    .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.KEY_NOT_FOUND))
                    .hasMessageContaining(oldSigner.name()).hasMessageContaining("'" + ocspLabel + "'")
                    .hasMessageContaining("pki ocsp rotate");

            OcspSignerRotation rotation = new OcspSignerRotation(ocspKeys, legacy.inventory(),
                    new CaOcspSignerCertifier(caKeys, legacy.inventory(), legacyAudit, clock), clock);
            assertThat(rotation.signersOutsideTheToken()).containsExactly(oldSigner.name());
            // Not near expiry, but its key is outside the OCSP token: due.
            assertThat(rotation.rotateDue(Duration.ofDays(30), false, "test")).hasSize(1);
            assertThat(rotation.signersOutsideTheToken()).isEmpty();
            assertThat(rotation.rotateDue(Duration.ofDays(30), false, "test")).isEmpty();
            OcspServer.responder(legacy.inventory(), PgOcspRepository.over(legacy), ocspKeys,
                    OcspConfig.defaults("127.0.0.1", 0), clock);
        }
    }

    private byte[] softwareCsr() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        KeyPair kp = g.generateKeyPair();
        return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=anything"), kp.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())).getEncoded();
    }

    private List<AuditEntry> entries(String type) {
        List<AuditEntry> out = new ArrayList<>();
        database.auditStore().forEach(1, e -> {
            if (e.type().equals(type)) {
                out.add(e);
            }
        });
        return out;
    }

    private static PkiProcess.Result pkcs11Login(String label, String pin) throws Exception {
        return PkiProcess.privateKeyObjects(Map.of(), label, pin);
    }
}
