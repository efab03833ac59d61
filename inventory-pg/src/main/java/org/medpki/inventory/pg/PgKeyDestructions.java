package org.medpki.inventory.pg;

import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Set;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.retirement.KeyDestruction;
import org.medpki.core.retirement.KeyDestructions;

/** {@link KeyDestructions} on PostgreSQL (table key_destruction of V54, certificate for what a key signed). */
public final class PgKeyDestructions implements KeyDestructions {
    private static final String COLUMNS = "key_sha256, ca_id, ca_name, role, key_label, token_label, grounds, "
            + "last_expiry, final_crl_number, final_crl_next_update, requested_by, approvers, break_glass, "
            + "token_answer, destroyed_at";
    private final PgQueries sql;

    public static KeyDestructions over(InventoryDatabase database) {
        return new PgKeyDestructions(database.queries());
    }

    PgKeyDestructions(PgQueries sql) {
        this.sql = sql;
    }

    @Override
    public void record(KeyDestruction d) {
        sql.update("recording the destruction of the key of " + d.ca(), "INSERT INTO key_destruction (" + COLUMNS
                + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)", Tuple.tuple()
                .addValue(d.keySha256()).addValue(d.caId()).addValue(d.ca()).addValue(d.role().wireName())
                .addValue(d.keyLabel()).addValue(d.token()).addValue(d.grounds())
                .addValue(PgQueries.time(d.lastExpiry()))
                .addValue(d.finalCrlNumber() == null ? null : new BigDecimal(d.finalCrlNumber()))
                .addValue(PgQueries.time(d.finalCrlNextUpdate())).addValue(d.requestedBy())
                .addValue(d.approvers().toArray(String[]::new)).addValue(d.breakGlass()).addValue(d.tokenAnswer())
                .addValue(PgQueries.time(d.destroyedAt())));
    }

    @Override
    public List<KeyDestruction> all() {
        return sql.rows("reading the key destructions", "SELECT " + COLUMNS
                + " FROM key_destruction ORDER BY destroyed_at, key_sha256", Tuple.tuple()).stream()
                .map(PgKeyDestructions::destruction).toList();
    }

    @Override
    public IssuedUnder issuedUnder(Set<Long> caIds, java.time.Instant now) {
        Long[] ids = caIds.toArray(Long[]::new);
        Row row = sql.rows("reading the certificates under a key", "SELECT "
                + "count(*) FILTER (WHERE status = 'issued' AND not_after > $2) AS valid, "
                + "min(serial) FILTER (WHERE status = 'issued' AND not_after > $2) AS a_valid, "
                + "max(not_after) AS last FROM certificate WHERE ca_id = ANY($1) AND status <> 'pending'",
                Tuple.of(ids, PgQueries.time(now))).getFirst();
        BigDecimal valid = row.getBigDecimal("a_valid");
        return new IssuedUnder(row.getLong("valid"), valid == null ? null : valid.toBigInteger(),
                PgQueries.instant(row, "last"));
    }

    private static KeyDestruction destruction(Row r) {
        BigDecimal number = r.getBigDecimal("final_crl_number");
        BigInteger crl = number == null ? null : number.toBigInteger();
        return new KeyDestruction(r.getLong("ca_id"), r.getString("ca_name"), CaRole.ofWireName(r.getString("role")),
                r.getString("key_label"), r.getString("token_label"), r.getString("key_sha256"),
                r.getString("grounds"), PgQueries.instant(r, "last_expiry"), crl,
                PgQueries.instant(r, "final_crl_next_update"), r.getString("requested_by"),
                List.of(r.getArrayOfStrings("approvers")), r.getBoolean("break_glass"), r.getString("token_answer"),
                PgQueries.instant(r, "destroyed_at"));
    }
}
