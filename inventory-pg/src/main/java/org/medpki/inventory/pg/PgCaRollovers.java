package org.medpki.inventory.pg;

import static org.medpki.inventory.pg.PgQueries.instant;
import static org.medpki.inventory.pg.PgQueries.time;

import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.hierarchy.CaRollover;
import org.medpki.core.hierarchy.CaRollovers;
import org.medpki.core.inventory.CaRecord;
import org.medpki.core.inventory.NewCa;

/**
 * The {@link CaRollovers} port over table {@code ca_rollover} (V55): a planned rollover is a row
 * without its CA; completing it records the new generation's row in {@code ca}, completes the
 * rollover and announces it on {@link CaRollovers#CHANNEL}, in one transaction.
 */
public final class PgCaRollovers implements CaRollovers {
    private static final String COLUMNS = "id, issuer_name, generation, previous_ca_id, key_label, switch_at, "
            + "requested_by, planned_at, ca_id, completed_at";

    private final PgQueries sql;

    PgCaRollovers(PgQueries sql) {
        this.sql = sql;
    }

    public static PgCaRollovers over(InventoryDatabase database) {
        return new PgCaRollovers(database.queries());
    }

    @Override
    public CaRollover plan(String issuerName, int generation, long previousCaId, String keyLabel, Instant switchAt,
                           String requestedBy, Instant plannedAt) {
        try {
            return rollover(sql.rows("planning the rollover of CA " + issuerName, "INSERT INTO ca_rollover "
                    + "(issuer_name, generation, previous_ca_id, key_label, switch_at, requested_by, planned_at) "
                    + "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING " + COLUMNS, Tuple.tuple().addValue(issuerName)
                    .addValue(generation).addValue(previousCaId).addValue(keyLabel).addValue(time(switchAt))
                    .addValue(requestedBy).addValue(time(plannedAt))).getFirst());
        } catch (PkiException e) {
            if (e.kind() == ErrorKind.CONFLICT) {
                throw new PkiException(ErrorKind.CONFLICT, "a rollover of " + issuerName + " to generation "
                        + generation + " is under way already (another run): try again to resume it", e);
            }
            throw e;
        }
    }

    @Override
    public Optional<CaRollover> open(String issuerName) {
        return sql.rows("reading the open rollover of CA " + issuerName, "SELECT " + COLUMNS
                        + " FROM ca_rollover WHERE issuer_name = $1 AND ca_id IS NULL", Tuple.of(issuerName))
                .stream().map(PgCaRollovers::rollover).findFirst();
    }

    @Override
    public CaRecord complete(CaRollover rollover, NewCa ca, Instant completedAt) {
        Objects.requireNonNull(ca, "ca");
        String subject = PgInventory.subjectOf(ca);
        String what = "recording generation " + rollover.generation() + " of CA " + rollover.issuerName();
        return sql.inTransactionOf(what, c -> {
            CaRecord record = PgInventory.caRecord(sql.run(c, what, "INSERT INTO ca (name, role, parent_id, key_label, "
                    + "certificate, subject, not_before, not_after) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING "
                    + PgInventory.CA_COLUMNS, Tuple.tuple().addValue(ca.name()).addValue(ca.role().wireName())
                    .addValue(ca.parentId()).addValue(ca.keyLabel()).addValue(Buffer.buffer(ca.certificate()))
                    .addValue(subject).addValue(time(ca.notBefore())).addValue(time(ca.notAfter()))).iterator().next());
            int done = sql.run(c, what, "UPDATE ca_rollover SET ca_id = $2, completed_at = $3 WHERE id = $1 "
                    + "AND ca_id IS NULL", Tuple.of(rollover.id(), record.id(), time(completedAt))).rowCount();
            if (done != 1) {
                throw new PkiException(ErrorKind.CONFLICT, "the rollover of " + rollover.issuerName() + " to generation "
                        + rollover.generation() + " was completed by another run");
            }
            sql.run(c, what, "SELECT pg_notify($1, $2)", Tuple.of(CHANNEL, Long.toString(record.id())));
            return record;
        });
    }

    @Override
    public List<CaRollover> all() {
        return sql.rows("reading the CA rollovers", "SELECT " + COLUMNS + " FROM ca_rollover ORDER BY id",
                Tuple.tuple()).stream().map(PgCaRollovers::rollover).toList();
    }

    private static CaRollover rollover(Row r) {
        return new CaRollover(r.getLong("id"), r.getString("issuer_name"), r.getInteger("generation"),
                r.getLong("previous_ca_id"), r.getString("key_label"), instant(r, "switch_at"),
                r.getString("requested_by"), instant(r, "planned_at"), r.getLong("ca_id"), instant(r, "completed_at"));
    }
}
