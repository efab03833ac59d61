package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medpki.core.audit.AuditEntry;
import org.medpki.core.audit.AuditLog;
import org.medpki.core.crl.CrlDistribution;
import org.medpki.core.crl.CrlIssuer;
import org.medpki.core.crl.CrlPolicy;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.inventory.CaRecord;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.inventory.CertificateIntent;
import org.medpki.core.inventory.Inventory;
import org.medpki.core.inventory.NewCa;
import org.medpki.core.keys.KeyAlgorithm;
import org.medpki.core.keys.KeyPairInfo;
import org.medpki.core.keys.PublicKeys;
import org.medpki.core.keys.SignatureAlgorithm;
import org.medpki.core.retirement.KeyDestruction;
import org.medpki.core.retirement.KeyRetirementService;
import org.medpki.core.signing.CertificateSigner;
import org.medpki.core.template.CaTemplates;
import org.medpki.core.template.IssuerInfo;
import org.medpki.core.template.SignatureAlgorithms;
import org.medpki.hsm.PinSource;
import org.medpki.hsm.Pkcs11SigningKeys;
import org.medpki.hsm.TokenConfig;
import org.medpki.inventory.pg.InventoryDatabase;
import org.medpki.inventory.pg.PgKeyDestructions;

/**
 * The expiry path of key retirement on a real SoftHSM2 token and PostgreSQL, in this process: an
 * issuing CA made with a certificate that expired yesterday (and one expired certificate under it)
 * is retired - its final CRL signed by its key in the token and stored, the key destroyed, which
 * 'pkcs11-tool --list-objects' confirms, the record stored and the audit entries written - while a
 * CA whose certificate is valid keeps its key.
 */
class ExpiredKeyRetirementTest {
    private static final Clock CLOCK = Clock.systemUTC();
    private static final SignatureAlgorithm ALG = SignatureAlgorithm.ECDSA_SHA256;
    private static InventoryDatabase database;
    private static Pkcs11SigningKeys keys;
    private static Inventory inventory;
    private static KeyRetirementService service;
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void open() {
        database = InventoryDatabase.open(newDatabase(), 2);
        inventory = database.inventory();
        keys = new Pkcs11SigningKeys(new TokenConfig(TestEnvironment.module(), "medpki-test",
                new PinSource.Given(TestEnvironment.pin().toCharArray()), 2));
        CrlIssuer crls = new CrlIssuer(database.crlStore(), keys, CrlPolicy.DEFAULT, "http://crl.hospital.test/crl",
                CLOCK);
        service = new KeyRetirementService(inventory, PgKeyDestructions.over(database),
                new AuditLog(database.auditStore(), CLOCK), CLOCK, keys, null,
                (ca, nextUpdate) -> crls.publishFinal(ca, CrlDistribution.DEFAULT, nextUpdate));
    }

    @AfterAll
    static void close() {
        if (keys != null) {
            keys.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void anIssuingCaWhoseCertificatesExpiredIsRetiredAndItsKeyIsGoneFromTheToken() throws Exception {
        Instant now = CLOCK.instant().truncatedTo(ChronoUnit.SECONDS);
        KeyPairInfo rootKey = keys.generate(KeyAlgorithm.EC_P256, "kr-root." + RUN);
        X509CertificateHolder root = sign(new CaTemplates().root(new X500Name("CN=Retirement Root " + RUN),
                spki(rootKey), SignatureAlgorithms.forAlgorithm(ALG), BigInteger.valueOf(1), now.minus(Duration.ofDays(30)),
                now.plus(Duration.ofDays(3650))), rootKey);
        CaRecord rootRow = inventory.saveCa(new NewCa("kr-root-" + RUN, CaRole.ROOT, null, rootKey.label(),
                root.getEncoded(), now.minus(Duration.ofDays(30)), now.plus(Duration.ofDays(3650))));
        CaRecord old = issuingCa(rootRow, root, rootKey, "old-ca-" + RUN, now.minus(Duration.ofDays(10)),
                now.minus(Duration.ofDays(1)));
        CaRecord young = issuingCa(rootRow, root, rootKey, "young-ca-" + RUN, now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(365)));
        BigInteger expired = BigInteger.valueOf(0x5001);
        inventory.recordIntent(new CertificateIntent(old.id(), expired, "tls-server", "CN=old.hospital.test",
                List.of("old.hospital.test"), now.minus(Duration.ofDays(9)), now.minus(Duration.ofDays(2)),
                new byte[] {0x30, 0x00}, new byte[32], "test", 0));
        inventory.recordIssued(old.id(), expired, new byte[] {0x30, 0x00});

        assertThatThrownBy(() -> service.retire(young.name(), null, "break-glass:cli:test", List.of()))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.CONFLICT))
                .hasMessageContaining("valid until");
        assertThat(keys.find(young.keyLabel())).isPresent();

        KeyRetirementService.Retired done = service.retire(old.name(), null, "break-glass:cli:test", List.of());
        KeyDestruction r = done.record();
        assertThat(r.grounds()).isEqualTo("expired");
        assertThat(r.lastExpiry()).isEqualTo(now.minus(Duration.ofDays(2)));
        assertThat(r.keySha256()).isEqualTo(PublicKeys.fingerprint(
                org.medpki.core.hierarchy.CaCertificate.of(old).publicKey()));
        assertThat(r.tokenAnswer()).contains("CKR_OK").contains(old.keyLabel());
        assertThat(PgKeyDestructions.over(database).all()).containsExactly(r);
        assertThat(keys.find(old.keyLabel())).isEmpty();

        // The final CRL was signed by the key before it went, and is stored for the CRL service.
        X509CRLHolder crl = new X509CRLHolder(done.finalCrls().getFirst().der());
        assertThat(crl.isSignatureValid(new JcaContentVerifierProviderBuilder()
                .build(org.medpki.core.hierarchy.CaCertificate.of(old).publicKey()))).isTrue();
        assertThat(crl.getNextUpdate().toInstant()).isAfter(now);
        assertThat(database.crlStore().latest(old.id(), 0, org.medpki.core.crl.CrlKind.FULL).orElseThrow().number())
                .isEqualTo(r.finalCrlNumber());

        PkiProcess.Result listed = PkiProcess.privateKeyObjects(Map.of(), "medpki-test", TestEnvironment.pin());
        assertThat(listed.exit()).as(listed.toString()).isZero();
        assertThat(listed.out()).as("pkcs11-tool --list-objects").doesNotContain(old.keyLabel())
                .contains(young.keyLabel());
        List<String> types = new ArrayList<>();
        database.auditStore().forEach(0, (AuditEntry e) -> types.add(e.type()));
        assertThat(types).containsSubsequence("key.destruction_refused", "key.destruction_started", "key.destroyed");
    }

    private static CaRecord issuingCa(CaRecord rootRow, X509CertificateHolder root, KeyPairInfo rootKey, String name,
                                      Instant notBefore, Instant notAfter) throws Exception {
        KeyPairInfo key = keys.generate(KeyAlgorithm.EC_P256, name + ".key");
        X509CertificateHolder cert = sign(new CaTemplates().issuing(new IssuerInfo(rootRow.name(), root,
                        SignatureAlgorithms.forAlgorithm(ALG)), new X500Name("CN=" + name), spki(key),
                BigInteger.valueOf(notAfter.getEpochSecond()), notBefore, notAfter, 0, List.of("1.3.6.1.4.1.55555.1.1.1"),
                "http://crl.hospital.test/crl/root.crl", "http://pki.hospital.test/ca/root.crt"), rootKey);
        return inventory.saveCa(new NewCa(name, CaRole.ISSUING, rootRow.id(), key.label(), cert.getEncoded(),
                notBefore, notAfter));
    }

    private static X509CertificateHolder sign(org.bouncycastle.asn1.x509.TBSCertificate tbs, KeyPairInfo by) {
        return new CertificateSigner(keys).sign(tbs, by.label(), ALG, by.publicKey());
    }

    private static SubjectPublicKeyInfo spki(KeyPairInfo key) {
        return SubjectPublicKeyInfo.getInstance(key.publicKey().getEncoded());
    }

    private static String newDatabase() {
        try {
            return TestEnvironment.newDatabase();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
