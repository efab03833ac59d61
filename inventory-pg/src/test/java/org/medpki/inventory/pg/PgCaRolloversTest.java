package org.medpki.inventory.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.hierarchy.CaRollover;
import org.medpki.core.inventory.CaRecord;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.inventory.NewCa;

/** ca_rollover (V55) against a real PostgreSQL: one open rollover per CA, completion in one transaction, final rows. */
class PgCaRolloversTest {
    private static TestDatabase database;

    @BeforeAll
    static void setUp() {
        database = TestDatabase.create();
    }

    @AfterAll
    static void tearDown() {
        if (database != null) {
            database.close();
        }
    }

    @Test
    void aPlannedRolloverIsResumableOnceAndCompletesWithItsCaRowThenNeverChanges() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        try (InventoryDatabase db = InventoryDatabase.open(database.url(), 2)) {
            CaRecord root = db.inventory().saveCa(TestCertificates.root("Rollover Root"));
            CaRecord first = db.inventory().saveCa(new NewCa("server-ca", CaRole.ISSUING, root.id(), "server-ca.1",
                    TestCertificates.selfSigned("Server CA"), null, null));
            PgCaRollovers rollovers = PgCaRollovers.over(db);

            CaRollover planned = rollovers.plan("server-ca", 2, first.id(), "server-ca-g2.1", now, "cli:tester", now);
            assertThat(planned.completed()).isFalse();
            assertThat(rollovers.open("server-ca")).contains(planned);
            assertThatThrownBy(() -> rollovers.plan("server-ca", 3, first.id(), "server-ca-g3.1", now, "cli:other", now))
                    .isInstanceOf(PkiException.class)
                    .satisfies(e -> assertThat(((PkiException) e).kind()).isEqualTo(ErrorKind.CONFLICT))
                    .hasMessageContaining("under way already");

            CaRecord made = rollovers.complete(planned, new NewCa("server-ca-g2", CaRole.ISSUING, root.id(),
                    "server-ca-g2.1", TestCertificates.selfSigned("Server CA G2"), null, null), now);
            assertThat(made.name()).isEqualTo("server-ca-g2");
            assertThat(db.inventory().ca("server-ca-g2")).isPresent();
            assertThat(rollovers.open("server-ca")).isEmpty();
            assertThat(rollovers.all()).singleElement().satisfies(r -> {
                assertThat(r.caId()).isEqualTo(made.id());
                assertThat(r.switchAt()).isEqualTo(now);
            });
            // Completing twice records nothing: the CA row insert is rolled back with it.
            assertThatThrownBy(() -> rollovers.complete(planned, new NewCa("server-ca-g2x", CaRole.ISSUING, root.id(),
                    "server-ca-g2.1", TestCertificates.selfSigned("Server CA G2x"), null, null), now))
                    .isInstanceOf(PkiException.class);
            assertThat(db.inventory().ca("server-ca-g2x")).isEmpty();
        }
        try (Connection c = database.admin(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.execute("UPDATE ca_rollover SET switch_at = now()"))
                    .hasMessageContaining("never changed or removed");
            assertThatThrownBy(() -> s.execute("DELETE FROM ca_rollover")).hasMessageContaining("never changed or removed");
            try (ResultSet r = s.executeQuery("SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                    + "WHERE conname = 'admin_request_kind_check'")) {
                r.next();
                assertThat(r.getString(1)).contains("'revocation'", "'admin-change'", "'ca-revocation'", "'ca-rollover'");
            }
        }
    }
}
