package org.medpki.inventory.pg;

import static org.medpki.inventory.pg.PgQueries.instant;
import static org.medpki.inventory.pg.PgQueries.time;

import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.medpki.admin.AdminRequests;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

/** {@link AdminRequests} on PostgreSQL (tables of V47). */
public final class PgAdminRequests implements AdminRequests {
    private static final String COLUMNS = "r.id, r.kind, r.state, r.requester, r.reason, r.approvals_required, "
            + "r.item_count, r.created_at, r.expires_at, "
            + "(SELECT count(*) FROM admin_request_item i WHERE i.request_id = r.id AND i.done_at IS NOT NULL) AS done, "
            + "ARRAY(SELECT a.admin_name FROM admin_approval a WHERE a.request_id = r.id AND a.decision = 'approve' "
            + "ORDER BY a.at, a.admin_name) AS approvals, "
            + "ARRAY(SELECT a.admin_name FROM admin_approval a WHERE a.request_id = r.id AND a.decision = 'reject' "
            + "ORDER BY a.at, a.admin_name) AS rejections";
    private final PgQueries sql;

    /** The request tables over {@code database}'s pool. */
    public static AdminRequests over(InventoryDatabase database) {
        return new PgAdminRequests(database.queries());
    }

    PgAdminRequests(PgQueries sql) {
        this.sql = sql;
    }

    @Override
    public void create(Request r, List<Item> items) {
        String what = "storing request " + r.id();
        sql.inTransaction(what, conn -> {
            sql.run(conn, what, "INSERT INTO admin_request (id, kind, state, requester, reason, approvals_required, "
                            + "item_count, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    Tuple.from(new Object[] {r.id(), r.kind(), r.state(), r.requester(), r.reason(),
                            r.approvalsRequired(), r.itemCount(), time(r.createdAt()), time(r.expiresAt())}));
            // One statement per thousand items: a mass revocation is stored in a few round trips.
            for (int from = 0; from < items.size(); from += 1000) {
                List<Item> batch = items.subList(from, Math.min(items.size(), from + 1000));
                Long[] cas = batch.stream().map(Item::caId).toArray(Long[]::new);
                BigDecimal[] serials = batch.stream().map(i -> new BigDecimal(i.serial())).toArray(BigDecimal[]::new);
                sql.run(conn, what, "INSERT INTO admin_request_item (request_id, ca_id, serial) "
                        + "SELECT $1, * FROM unnest($2::bigint[], $3::numeric[])", Tuple.of(r.id(), cas, serials));
            }
        });
    }

    @Override
    public Optional<Request> request(String id) {
        return request(null, id);
    }

    private Optional<Request> request(SqlClient conn, String id) {
        String statement = "SELECT " + COLUMNS + " FROM admin_request r WHERE r.id = $1";
        var rows = conn == null ? sql.run("reading request " + id, statement, Tuple.of(id))
                : sql.run(conn, "reading request " + id, statement, Tuple.of(id));
        var it = rows.iterator();
        return it.hasNext() ? Optional.of(request(it.next())) : Optional.empty();
    }

    @Override
    public List<Request> requests(String state, int limit) {
        List<Request> out = new ArrayList<>();
        sql.run("listing requests", "SELECT " + COLUMNS + " FROM admin_request r WHERE ($1::text IS NULL OR r.state = $1) "
                + "ORDER BY r.created_at DESC, r.id LIMIT $2", Tuple.of(state, limit)).forEach(r -> out.add(request(r)));
        return out;
    }

    @Override
    public Request decide(String id, String admin, boolean approve, Instant now) {
        String what = "recording a decision on request " + id;
        return sql.inTransactionOf(what, conn -> {
            var locked = sql.run(conn, what, "SELECT state, expires_at, approvals_required FROM admin_request "
                    + "WHERE id = $1 FOR UPDATE", Tuple.of(id)).iterator();
            if (!locked.hasNext()) {
                throw new PkiException(ErrorKind.NOT_FOUND, "no request " + id);
            }
            Row row = locked.next();
            if (!row.getString("state").equals("pending-approval") || !instant(row, "expires_at").isAfter(now)) {
                throw new PkiException(ErrorKind.CONFLICT, "request " + id + " is no longer waiting for approval ("
                        + (row.getString("state").equals("pending-approval") ? "expired" : row.getString("state")) + ")");
            }
            int added = sql.run(conn, what, "INSERT INTO admin_approval (request_id, admin_name, decision, at) "
                            + "VALUES ($1, $2, $3, $4) ON CONFLICT (request_id, admin_name) DO NOTHING",
                    Tuple.of(id, admin, approve ? "approve" : "reject", time(now))).rowCount();
            if (added != 1) {
                throw new PkiException(ErrorKind.CONFLICT, admin + " decided on request " + id + " already");
            }
            if (!approve) {
                sql.run(conn, what, "UPDATE admin_request SET state = 'rejected', decided_at = $2 WHERE id = $1",
                        Tuple.of(id, time(now)));
            } else {
                long approvals = sql.run(conn, what, "SELECT count(*) FROM admin_approval WHERE request_id = $1 "
                        + "AND decision = 'approve'", Tuple.of(id)).iterator().next().getLong(0);
                if (approvals >= row.getInteger("approvals_required")) {
                    sql.run(conn, what, "UPDATE admin_request SET state = 'running', decided_at = $2 WHERE id = $1",
                            Tuple.of(id, time(now)));
                }
            }
            return request(conn, id).orElseThrow();
        });
    }

    @Override
    public int expire(Instant now) {
        return sql.run("expiring requests", "UPDATE admin_request SET state = 'expired', decided_at = $1 "
                + "WHERE state = 'pending-approval' AND expires_at <= $1", Tuple.of(time(now))).rowCount();
    }

    @Override
    public List<String> running() {
        List<String> ids = new ArrayList<>();
        sql.run("listing running requests", "SELECT id FROM admin_request WHERE state = 'running' ORDER BY created_at",
                Tuple.tuple()).forEach(r -> ids.add(r.getString(0)));
        return ids;
    }

    @Override
    public List<Item> openItems(String id, int limit) {
        List<Item> items = new ArrayList<>();
        sql.run("reading the open items of request " + id, "SELECT ca_id, serial FROM admin_request_item "
                        + "WHERE request_id = $1 AND done_at IS NULL ORDER BY ca_id, serial LIMIT $2",
                Tuple.of(id, limit)).forEach(r -> items.add(new Item(r.getLong(0), r.getNumeric(1).bigIntegerValue())));
        return items;
    }

    @Override
    public void itemDone(String id, Item item, String outcome) {
        sql.run("marking an item of request " + id + " done", "UPDATE admin_request_item SET outcome = $4, "
                        + "done_at = now() WHERE request_id = $1 AND ca_id = $2 AND serial = $3 AND done_at IS NULL",
                Tuple.of(id, item.caId(), new BigDecimal(item.serial()), outcome));
    }

    @Override
    public boolean finishIfComplete(String id) {
        return sql.run("finishing request " + id, "UPDATE admin_request SET state = 'done', finished_at = now() "
                + "WHERE id = $1 AND state = 'running' AND NOT EXISTS (SELECT 1 FROM admin_request_item "
                + "WHERE request_id = $1 AND done_at IS NULL)", Tuple.of(id)).rowCount() == 1;
    }

    @Override
    public void createWithPayload(Request r, String payloadJson) {
        sql.run("storing request " + r.id(), "INSERT INTO admin_request (id, kind, state, requester, reason, "
                        + "approvals_required, item_count, created_at, expires_at, payload) "
                        + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text::jsonb)",
                Tuple.from(new Object[] {r.id(), r.kind(), r.state(), r.requester(), r.reason(), r.approvalsRequired(),
                        r.itemCount(), time(r.createdAt()), time(r.expiresAt()), payloadJson}));
    }

    @Override
    public Optional<String> payload(String id) {
        var it = sql.run("reading the payload of request " + id, "SELECT payload::text FROM admin_request WHERE id = $1",
                Tuple.of(id)).iterator();
        return it.hasNext() ? Optional.ofNullable(it.next().getString(0)) : Optional.empty();
    }

    private static Request request(Row r) {
        return new Request(r.getString("id"), r.getString("kind"), r.getString("state"), r.getString("requester"),
                r.getString("reason"), r.getInteger("approvals_required"), r.getInteger("item_count"),
                (int) r.getLong("done").longValue(), instant(r, "created_at"), instant(r, "expires_at"),
                List.of(r.getArrayOfStrings("approvals")), List.of(r.getArrayOfStrings("rejections")));
    }
}
