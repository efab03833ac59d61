package org.medpki.inventory.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.device.DeviceRegistry;

/** A device's URI and profile (V58): kept, replaced only when given, one live device per URI. */
class PgDeviceRegistryTest {
    private static TestDatabase database;
    private static InventoryDatabase db;
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    @BeforeAll
    static void setUp() {
        database = TestDatabase.create();
        db = InventoryDatabase.open(database.url(), 2);
    }

    @AfterAll
    static void tearDown() {
        if (db != null) {
            db.close();
        }
        if (database != null) {
            database.close();
        }
    }

    private static PgDeviceRegistry.Registered register(String serial, String uri, String profile, byte code) {
        byte[] hash = new byte[32];
        java.util.Arrays.fill(hash, code);
        return PgDeviceRegistry.over(db).register(new PgDeviceRegistry.Registration(serial, "Monitor Corp", null, null,
                null, "cli:test", uri, profile), hash, id -> new byte[] {code}, NOW.plusSeconds(3600), NOW);
    }

    @Test
    void theUriAndProfileAreKeptUntilNewOnesAreGivenAndEnrollmentSeesThem() {
        String uri = "urn:uuid:" + java.util.UUID.randomUUID();
        PgDeviceRegistry.Registered d = register("MON-1", uri, "sdc-participant", (byte) 1);
        assertThat(d.uri()).isEqualTo(uri);
        assertThat(d.profile()).isEqualTo("sdc-participant");
        assertThat(register("MON-1", null, null, (byte) 2)).satisfies(again -> {
            assertThat(again.uri()).isEqualTo(uri);
            assertThat(again.profile()).isEqualTo("sdc-participant");
        });
        assertThat(register("MON-1", null, "device", (byte) 3).profile()).isEqualTo("device");
        DeviceRegistry.Device seen = PgDeviceRegistry.over(db).bySerial("MON-1").getFirst();
        assertThat(seen.uri()).isEqualTo(uri);
        assertThat(seen.profile()).isEqualTo("device");
        assertThat(register("PUMP-1", null, null, (byte) 4).uri()).isNull();
    }

    @Test
    void aSecondLiveDeviceWithTheUriIsAConflictNamingItAndADecommissionedOneFreesIt() {
        String uri = "urn:dev:mac:0024befffe80" + Long.toHexString(System.nanoTime() & 0xfff);
        PgDeviceRegistry.Registered first = register("GW-1", uri, null, (byte) 5);
        assertThatThrownBy(() -> register("GW-2", uri, null, (byte) 6))
                .isInstanceOfSatisfying(PkiException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.CONFLICT);
                    assertThat(e.getMessage()).contains(uri).doesNotContain("duplicate key").doesNotContain("SQL");
                });
        assertThat(PgDeviceRegistry.over(db).withSerial("GW-2", NOW)).isEmpty();
        PgDeviceRegistry.over(db).decommission(first.id(), "cli:test", NOW);
        assertThat(register("GW-2", uri, null, (byte) 7).uri()).isEqualTo(uri);
    }

    @Test
    void theTableRefusesAUriOfAnotherFormAndAProfileThatIsNoName() {
        assertThatThrownBy(() -> register("BAD-1", "http://device.example/1", null, (byte) 8))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.MALFORMED));
        assertThatThrownBy(() -> register("BAD-2", null, "Device Profile", (byte) 9))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.MALFORMED));
    }
}
