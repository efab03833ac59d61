package org.medpki.inventory.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import io.vertx.core.json.JsonArray;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medpki.acme.Account;
import org.medpki.acme.AcmeIds;
import org.medpki.acme.AcmeRepository;
import org.medpki.acme.EabKey;
import org.medpki.acme.EabKeys;
import org.medpki.acme.Identifier;
import org.medpki.acme.Order;
import org.medpki.admin.Owners;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.inventory.CertificateQuery;
import org.medpki.core.inventory.CertificateRecord;
import org.medpki.core.inventory.CertificateStatus;
import org.medpki.core.inventory.Inventory;

/**
 * Owners against a real PostgreSQL (from ops/test): the owner an ACME-issued certificate gets
 * from its account's EAB key or contact, the backfill when a mapping comes later, the search by
 * owner, tag, account and EAB key, and mappings refused whole.
 */
class PgOwnersTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static TestDatabase database;
    private static InventoryDatabase db;
    private static Inventory inventory;
    private static AcmeRepository acme;
    private static Owners owners;
    private static ECKey key;
    private static long caId;

    @BeforeAll
    static void open() throws Exception {
        database = TestDatabase.create();
        db = InventoryDatabase.open(database.url(), 4);
        inventory = db.inventory();
        acme = PgAcmeRepository.over(db);
        owners = PgOwners.over(db);
        key = new ECKeyGenerator(Curve.P_256).generate();
        caId = inventory.saveCa(TestCertificates.root("Owners Root")).id();
    }

    @AfterAll
    static void close() {
        if (db != null) {
            db.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void anAcmeCertificateGetsTheOwnerOfItsEabKeyOrOfItsContactAtIssuance() {
        EabKey eab = EabKeys.generate("tls-server", List.of("*.radiology.test"));
        acme.createEabKey(eab);
        owners.put(new Owners.Owner("Radiology IT", "radiology-it@hospital.test", "Building C", List.of(),
                List.of(eab.kid())), "admin:test");
        owners.put(new Owners.Owner("Lab IT", null, null, List.of("lab-it@hospital.test"), List.of()), "admin:test");

        BigInteger viaEab = issuedThroughAcme(account(eab.kid(), "mailto:lab-it@hospital.test"));
        BigInteger viaContact = issuedThroughAcme(account(null, "mailto:Lab-IT@Hospital.test"));
        BigInteger nobody = issuedThroughAcme(account(null, "mailto:someone@elsewhere.test"));

        Map<String, Owners.Ownership> found = owners.ownership(List.of(record(viaEab), record(viaContact),
                record(nobody)));
        assertThat(found.get(Owners.key(caId, viaEab)).owner()).as("the EAB key's owner first")
                .isEqualTo("Radiology IT");
        assertThat(found.get(Owners.key(caId, viaContact)).owner()).as("the contact, in any letter case")
                .isEqualTo("Lab IT");
        assertThat(found).doesNotContainKey(Owners.key(caId, nobody));
        assertThat(inventory.list(all().withOwner("Lab IT", null))).extracting(CertificateRecord::serial)
                .containsExactly(viaContact);
    }

    @Test
    void aMappingMadeLaterGivesTheAccountsCertificatesWithoutAnOwnerTheirOwner() {
        Account account = account(null, "mailto:icu-team@hospital.test");
        BigInteger first = issuedThroughAcme(account);
        BigInteger second = issuedThroughAcme(account);
        owners.assign(caId, second, new Owners.Ownership(null, "ICU", List.of("critical")), "admin:test");

        int assigned = owners.put(new Owners.Owner("ICU Team", "icu-team@hospital.test", null,
                List.of("icu-team@hospital.test"), List.of()), "admin:test");

        assertThat(assigned).isEqualTo(2);
        assertThat(owners.serialsOfAccount(account.id(), 10)).containsExactlyInAnyOrder(first, second);
        Map<String, Owners.Ownership> found = owners.ownership(List.of(record(first), record(second)));
        assertThat(found.get(Owners.key(caId, second))).as("location and tags kept")
                .isEqualTo(new Owners.Ownership("ICU Team", "ICU", List.of("critical")));
        assertThat(inventory.list(all().withOwner(null, "critical"))).extracting(CertificateRecord::serial)
                .containsExactly(second);
        assertThat(inventory.list(all().withSerials(owners.serialsOfAccount(account.id(), 10))))
                .extracting(CertificateRecord::serial).containsExactlyInAnyOrder(first, second);
        assertThat(inventory.list(all().withSerials(List.of()))).as("no serial matches nothing").isEmpty();
    }

    @Test
    void aMappingWithAnUnknownEabKeyOrAnotherOwnersContactChangesNothing() {
        owners.put(new Owners.Owner("Cardiology", "cardio@hospital.test", null, List.of("cardio@hospital.test"),
                List.of()), "admin:test");

        assertThatThrownBy(() -> owners.put(new Owners.Owner("Pharmacy", "pharmacy@hospital.test", null, List.of(),
                List.of("no-such-kid")), "admin:test")).isInstanceOfSatisfying(PkiException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.MALFORMED);
                    assertThat(e.getMessage()).contains("eabKeys", "no-such-kid");
                });
        assertThat(owners.owner("Pharmacy")).as("nothing of the refused change is kept").isEmpty();
        assertThatThrownBy(() -> owners.put(new Owners.Owner("Oncology", null, null, List.of("cardio@hospital.test"),
                List.of()), "admin:test")).isInstanceOfSatisfying(PkiException.class,
                e -> assertThat(e.getMessage()).contains("acmeContacts", "belongs to owner Cardiology"));
        assertThat(owners.owner("Oncology")).isEmpty();
        assertThatThrownBy(() -> owners.assign(caId, BigInteger.TEN, new Owners.Ownership("Nobody", null, List.of()),
                "admin:test")).isInstanceOfSatisfying(PkiException.class,
                e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND));
    }

    private static CertificateQuery all() {
        return new CertificateQuery(null, CertificateStatus.ISSUED, null, 100);
    }

    private static CertificateRecord record(BigInteger serial) {
        return inventory.certificate(caId, serial).orElseThrow();
    }

    private static Account account(String eabKid, String contact) {
        String id = AcmeIds.newId();
        Account account = new Account(id, "thumb-" + id, key.toPublicJWK(), new JsonArray().add(contact), "valid",
                eabKid);
        acme.createAccount(account);
        return account;
    }

    /** A certificate in the inventory and an order of {@code account} that ACME records it for. */
    private static BigInteger issuedThroughAcme(Account account) {
        BigInteger serial = new BigInteger(159, RANDOM).setBit(150);
        inventory.recordIntent(TestCertificates.intent(caId, serial));
        inventory.recordIssued(caId, serial, new byte[] {0x30, 0x01, 0x00});
        Order order = new Order(AcmeIds.newId(), account.id(), "pending",
                List.of(new Identifier("dns", "host" + serial.toString(16) + ".example")), "tls-server",
                Instant.now().plus(Duration.ofDays(1)), null, null, null, null, null, null, List.of());
        acme.createOrder(order, List.of());
        acme.orderIssued(order.id(), serial.toString(16), "chain", Instant.now().plus(Duration.ofDays(90)));
        return serial;
    }
}
