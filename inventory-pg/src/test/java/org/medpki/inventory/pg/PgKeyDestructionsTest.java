package org.medpki.inventory.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.inventory.Inventory;
import org.medpki.core.retirement.KeyDestruction;
import org.medpki.core.retirement.KeyDestructions;
import org.medpki.core.revocation.RevocationReason;

/**
 * Key destruction records against a real PostgreSQL: stored and read back whole, one per key,
 * final even for the owner (triggers), two approvers unless break-glass; and what a key signed,
 * counted as retirement asks.
 */
class PgKeyDestructionsTest {
    private static TestDatabase database;
    private static InventoryDatabase db;
    private static Inventory inventory;
    private static KeyDestructions records;
    private static long caId;

    @BeforeAll
    static void open() throws Exception {
        database = TestDatabase.create();
        db = InventoryDatabase.open(database.url(), 2);
        inventory = db.inventory();
        records = PgKeyDestructions.over(db);
        caId = inventory.saveCa(TestCertificates.root("Retirement Root")).id();
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
    void aRecordIsStoredWholeOncePerKeyAndIsFinalEvenForTheOwner() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        KeyDestruction d = new KeyDestruction(caId, "old-ca", CaRole.ISSUING, "old-ca.2026", "medpki", "a".repeat(64),
                "expired", now.minusSeconds(86_400), BigInteger.valueOf(42), now.plusSeconds(86_400), "admin:Rae",
                List.of("admin:Ida", "admin:Jon"), false, "CKR_OK from C_DestroyObject", now);
        records.record(d);
        assertThat(records.all()).containsExactly(d);
        assertThat(records.of("a".repeat(64))).contains(d);

        assertThatThrownBy(() -> records.record(d)).isInstanceOfSatisfying(PkiException.class,
                e -> assertThat(e.kind()).isEqualTo(ErrorKind.CONFLICT));
        KeyDestruction oneApprover = new KeyDestruction(caId, "other", CaRole.OCSP_SIGNER, "other.1", "medpki-ocsp",
                "b".repeat(64), "compromised", now, null, null, "admin:Rae", List.of("admin:Ida"), false, "CKR_OK", now);
        assertThatThrownBy(() -> records.record(oneApprover)).as("dual control, unless break-glass")
                .isInstanceOf(PkiException.class);
        records.record(new KeyDestruction(caId, "other", CaRole.OCSP_SIGNER, "other.1", "medpki-ocsp", "b".repeat(64),
                "compromised", now, null, null, "break-glass:cli:root", List.of(), true, "CKR_OK", now));
        assertThat(records.all()).hasSize(2);

        try (Connection c = database.admin(); Statement s = c.createStatement()) {
            for (String sql : new String[] {"UPDATE key_destruction SET token_answer = 'x'",
                    "DELETE FROM key_destruction", "TRUNCATE key_destruction"}) {
                assertThatThrownBy(() -> s.execute(sql)).as(sql).isInstanceOf(SQLException.class)
                        .hasMessageContaining("final");
            }
        }
        assertThat(records.all()).hasSize(2);
    }

    @Test
    void whatAKeySignedIsCountedValidUnlessExpiredRevokedOrNeverIssued() {
        long other = caId;
        BigInteger valid = BigInteger.valueOf(0x7001);
        BigInteger revoked = BigInteger.valueOf(0x7002);
        BigInteger pending = BigInteger.valueOf(0x7003);
        for (BigInteger s : List.of(valid, revoked, pending)) {
            inventory.recordIntent(TestCertificates.intent(other, s));
        }
        inventory.recordIssued(other, valid, new byte[] {0x30, 0x00});
        inventory.recordIssued(other, revoked, new byte[] {0x30, 0x00});
        inventory.revoke(other, revoked, RevocationReason.SUPERSEDED, Instant.now(), null);

        KeyDestructions.IssuedUnder now = records.issuedUnder(Set.of(other), Instant.now());
        assertThat(now.valid()).isEqualTo(1);
        assertThat(now.aValidSerial()).isEqualTo(valid);
        assertThat(now.lastNotAfter()).isAfter(Instant.now().plus(89, ChronoUnit.DAYS));
        KeyDestructions.IssuedUnder later = records.issuedUnder(Set.of(other), Instant.now().plus(91, ChronoUnit.DAYS));
        assertThat(later.valid()).as("expired").isZero();
        assertThat(records.issuedUnder(Set.of(-1L), Instant.now()).lastNotAfter()).isNull();
    }
}
