package org.medpki.inventory.pg;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The filed compliance reports (table compliance_report of V62): appended by the auditor's login, read by the admin API. */
public final class PgComplianceReports {
    /** A filed report: its number, when it was made and filed, and the report as JSON. */
    public record Filed(long id, Instant generatedAt, Instant filedAt, boolean ok, int failed, JsonObject report) {
    }

    private final PgQueries sql;

    public static PgComplianceReports over(InventoryDatabase database) {
        return new PgComplianceReports(database.queries());
    }

    PgComplianceReports(PgQueries sql) {
        this.sql = sql;
    }

    /** Files a report ({@code report}: its JSON object); answers its number. */
    public long file(Instant generatedAt, boolean ok, int failed, JsonObject report) {
        return sql.rows("filing a compliance report", "INSERT INTO compliance_report (generated_at, ok, failed, report)"
                + " VALUES ($1, $2, $3, $4) RETURNING id", Tuple.of(PgQueries.time(generatedAt), ok, failed, report))
                .getFirst().getLong("id");
    }

    /** The newest filed report, by when it was made. */
    public Optional<Filed> newest() {
        List<Row> rows = sql.rows("reading the newest compliance report", "SELECT id, generated_at, filed_at, ok, "
                + "failed, report::text AS report FROM compliance_report ORDER BY generated_at DESC, id DESC LIMIT 1",
                Tuple.tuple());
        return rows.stream().findFirst().map(r -> new Filed(r.getLong("id"), PgQueries.instant(r, "generated_at"),
                PgQueries.instant(r, "filed_at"), r.getBoolean("ok"), r.getInteger("failed"),
                new JsonObject(r.getString("report"))));
    }
}
