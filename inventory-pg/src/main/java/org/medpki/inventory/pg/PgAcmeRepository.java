package org.medpki.inventory.pg;

import static org.medpki.inventory.pg.PgQueries.instant;
import static org.medpki.inventory.pg.PgQueries.time;

import com.nimbusds.jose.jwk.JWK;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.medpki.acme.Account;
import org.medpki.acme.AcmeIds;
import org.medpki.acme.AcmeRepository;
import org.medpki.acme.Authorization;
import org.medpki.acme.Challenge;
import org.medpki.acme.EabKey;
import org.medpki.acme.Identifier;
import org.medpki.acme.Order;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

/**
 * {@link AcmeRepository} on PostgreSQL (tables of V30, written as the ACME service's role). The
 * races the port promises to decide are decided by single statements (a DELETE or a conditional
 * UPDATE counts its rows) or by one transaction per multi-statement write.
 */
public final class PgAcmeRepository implements AcmeRepository {
    private final PgQueries sql;

    /** The ACME server's storage port over {@code database}'s pool. */
    public static AcmeRepository over(InventoryDatabase database) {
        return new PgAcmeRepository(database.queries());
    }

    PgAcmeRepository(PgQueries sql) {
        this.sql = sql;
    }

    @Override
    public boolean reachable() {
        return sql.reachable();
    }

    // ---- nonces

    @Override
    public byte[] nonceKey() {
        RowSet<Row> rows = sql.run("reading the ACME nonce key", "SELECT hmac_key FROM acme_nonce_key", Tuple.tuple());
        if (rows.size() != 1) {
            throw new PkiException(ErrorKind.CONFIGURATION, "the ACME nonce key is missing (migration V43)");
        }
        return PgQueries.bytes(rows.iterator().next(), "hmac_key");
    }

    @Override
    public boolean spendNonce(String id, Instant expires) {
        // One INSERT: of two concurrent spenders (any instance), only one adds the row.
        return sql.run("spending an ACME nonce",
                "INSERT INTO acme_spent_nonce (nonce, expires) VALUES ($1, $2) ON CONFLICT (nonce) DO NOTHING",
                Tuple.of(id, time(expires))).rowCount() == 1;
    }

    @Override
    public int purgeSpentNonces(Instant now) {
        return sql.run("purging expired spent ACME nonces", "DELETE FROM acme_spent_nonce WHERE expires <= $1",
                Tuple.of(time(now))).rowCount();
    }

    // ---- EAB keys

    @Override
    public void createEabKey(EabKey key) {
        sql.run("storing EAB key " + key.kid(),
                "INSERT INTO eab_key (kid, hmac_key, profile, profiles, name_patterns) VALUES ($1, $2, $3, $4, $5)",
                Tuple.of(key.kid(), Buffer.buffer(key.hmacKey()), key.profile(),
                        key.profiles().toArray(String[]::new), key.namePatterns().toArray(String[]::new)));
    }

    @Override
    public Optional<EabKey> eabKey(String kid) {
        return one(sql.run("reading EAB key " + kid,
                "SELECT kid, hmac_key, profiles, name_patterns, account_id FROM eab_key WHERE kid = $1", Tuple.of(kid)))
                .map(r -> new EabKey(r.getString("kid"), r.getBuffer("hmac_key").getBytes(),
                        List.of(r.getArrayOfStrings("profiles")),
                        List.of(r.getArrayOfStrings("name_patterns")), r.getString("account_id")));
    }

    // ---- accounts

    @Override
    public void createAccount(Account account) {
        String what = "creating ACME account " + account.id();
        try {
            sql.inTransaction(what, conn -> {
                if (account.eabKid() != null) {
                    // Binds only an unbound key: a second account racing for it updates no row.
                    int bound = sql.run(conn, what, "UPDATE eab_key SET account_id = $1 WHERE kid = $2 "
                            + "AND account_id IS NULL", Tuple.of(account.id(), account.eabKid())).rowCount();
                    if (bound != 1) {
                        throw new PkiException(ErrorKind.UNAUTHORIZED,
                                "the external account key " + account.eabKid() + " is already bound to an account");
                    }
                }
                sql.run(conn, what, "INSERT INTO acme_account (id, thumbprint, jwk, contact, status, eab_kid) "
                                + "VALUES ($1, $2, $3, $4, $5, $6)",
                        Tuple.of(account.id(), account.thumbprint(), account.key().toJSONString(),
                                account.contact().encode(), account.status(), account.eabKid()));
            });
        } catch (PkiException e) {
            if (e.kind() == ErrorKind.CONFLICT) {
                // The thumbprint is unique: another request made an account with this key just now.
                throw new PkiException(ErrorKind.CONFLICT, "an account with this key exists already", e);
            }
            throw e;
        }
    }

    @Override
    public Optional<Account> accountByThumbprint(String thumbprint) {
        return one(sql.run("reading the ACME account of a key", "SELECT * FROM acme_account WHERE thumbprint = $1",
                Tuple.of(thumbprint))).map(PgAcmeRepository::account);
    }

    @Override
    public Optional<Account> account(String id) {
        return one(sql.run("reading ACME account " + id, "SELECT * FROM acme_account WHERE id = $1", Tuple.of(id)))
                .map(PgAcmeRepository::account);
    }

    @Override
    public void updateAccount(String id, JsonArray contact, String status) {
        sql.run("updating ACME account " + id, "UPDATE acme_account SET contact = $2, status = $3 WHERE id = $1",
                Tuple.of(id, contact.encode(), status));
    }

    @Override
    public void changeKey(String id, String oldThumbprint, String thumbprint, JWK key) {
        int n;
        try {
            n = sql.run("changing the key of ACME account " + id,
                    "UPDATE acme_account SET thumbprint = $3, jwk = $4 WHERE id = $1 AND thumbprint = $2",
                    Tuple.of(id, oldThumbprint, thumbprint, key.toJSONString())).rowCount();
        } catch (PkiException e) {
            if (e.kind() == ErrorKind.CONFLICT) {
                throw new PkiException(ErrorKind.CONFLICT, "the new key is already used by another account", e);
            }
            throw e;
        }
        if (n != 1) {
            throw new PkiException(ErrorKind.CONFLICT, "the account key changed concurrently");
        }
    }

    private static Account account(Row r) {
        try {
            return new Account(r.getString("id"), r.getString("thumbprint"), JWK.parse(r.getString("jwk")),
                    new JsonArray(r.getString("contact")), r.getString("status"), r.getString("eab_kid"));
        } catch (ParseException e) {
            throw new PkiException(ErrorKind.INTERNAL, "stored account key cannot be parsed", e);
        }
    }

    // ---- orders and authorizations

    @Override
    public void createOrder(Order order, List<Authorization> created) {
        String what = "creating ACME order " + order.id();
        sql.inTransaction(what, conn -> {
            for (Authorization a : created) {
                sql.run(conn, what, "INSERT INTO acme_authorization (id, account_id, type, value, wildcard, status, "
                                + "expires) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                        Tuple.of(a.id(), a.accountId(), a.identifier().type(), a.identifier().value(), a.wildcard(),
                                a.status(), time(a.expires())));
            }
            // Every challenge of the order's new authorizations in one statement (five a name).
            List<String[]> challenges = new ArrayList<>();
            for (Authorization a : created) {
                for (Challenge c : a.challenges()) {
                    challenges.add(new String[] {c.id(), a.id(), c.type(), c.token(), c.status()});
                }
            }
            if (!challenges.isEmpty()) {
                Object[] columns = new Object[5];
                for (int i = 0; i < columns.length; i++) {
                    int field = i;
                    columns[i] = challenges.stream().map(c -> c[field]).toArray(String[]::new);
                }
                sql.run(conn, what, "INSERT INTO acme_challenge (id, authz_id, type, token, status) "
                        + "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])",
                        Tuple.from(columns));
            }
            JsonArray ids = new JsonArray();
            order.identifiers().forEach(i -> ids.add(i.json()));
            sql.run(conn, what, "INSERT INTO acme_order (id, account_id, status, identifiers, profile, expires, "
                            + "not_before, not_after, replaces) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    Tuple.from(new Object[] {order.id(), order.accountId(), order.status(), ids.encode(),
                            order.profile(), time(order.expires()), time(order.notBefore()), time(order.notAfter()),
                            order.replaces()}));
            for (String authz : order.authorizationIds()) {
                sql.run(conn, what, "INSERT INTO acme_order_authorization (order_id, authz_id) VALUES ($1, $2)",
                        Tuple.of(order.id(), authz));
            }
        });
    }

    @Override
    public Optional<Order> order(String id) {
        // The order with its authorizations' ids, in one round trip: clients poll orders.
        return one(sql.run("reading ACME order " + id, "SELECT o.*, ARRAY(SELECT oa.authz_id "
                + "FROM acme_order_authorization oa JOIN acme_authorization a ON a.id = oa.authz_id "
                + "WHERE oa.order_id = o.id ORDER BY a.created_at, a.id) AS authz_ids FROM acme_order o WHERE o.id = $1",
                Tuple.of(id))).map(r -> order(r, List.of(r.getArrayOfStrings("authz_ids"))));
    }

    @Override
    public Optional<Order> orderBySerial(String serialHex) {
        return one(sql.run("reading the ACME order of certificate " + serialHex,
                "SELECT id FROM acme_order WHERE cert_serial = $1", Tuple.of(serialHex)))
                .flatMap(r -> order(r.getString(0)));
    }

    @Override
    public List<String> orderIdsOf(String accountId) {
        List<String> ids = new ArrayList<>();
        for (Row r : sql.run("listing the orders of ACME account " + accountId,
                "SELECT id FROM acme_order WHERE account_id = $1 AND status IN ('pending', 'ready', "
                        + "'processing', 'valid') ORDER BY created_at LIMIT 1000", Tuple.of(accountId))) {
            ids.add(r.getString(0));
        }
        return ids;
    }

    @Override
    public long ordersSince(String accountId, Instant since) {
        return sql.run("counting the orders of ACME account " + accountId,
                "SELECT count(*) FROM acme_order WHERE account_id = $1 AND created_at > $2",
                Tuple.of(accountId, time(since))).iterator().next().getLong(0);
    }

    @Override
    public long ordersForIdentifierSince(String accountId, Identifier identifier, Instant since) {
        // The account's orders of the last hour are few (its own limit bounds them): the account
        // index finds them, the containment test runs on those rows only.
        return sql.run("counting the ACME orders of account " + accountId + " for " + identifier.value(),
                "SELECT count(*) FROM acme_order WHERE account_id = $1 AND created_at > $2 "
                        + "AND identifiers::jsonb @> $3",
                Tuple.of(accountId, time(since), new JsonArray().add(identifier.json())))
                .iterator().next().getLong(0);
    }

    private static Order order(Row r, List<String> authz) {
        List<Identifier> identifiers = new ArrayList<>();
        new JsonArray(r.getString("identifiers")).forEach(o -> {
            JsonObject j = (JsonObject) o;
            identifiers.add(new Identifier(j.getString("type"), j.getString("value")));
        });
        return new Order(r.getString("id"), r.getString("account_id"), r.getString("status"), identifiers,
                r.getString("profile"), instant(r, "expires"), instant(r, "not_before"),
                instant(r, "not_after"), r.getString("error"), r.getString("cert_serial"),
                r.getString("cert_chain"), r.getString("replaces"), authz);
    }

    @Override
    public Optional<Authorization> reusableAuthorization(String accountId, Identifier base, boolean wildcard,
                                                         Instant validUntil, Instant createdAfter) {
        return one(sql.run("finding a reusable ACME authorization for " + base.value(),
                "SELECT id FROM acme_authorization WHERE account_id = $1 AND type = $2 AND value = $3 "
                        + "AND wildcard = $4 AND status = 'valid' AND expires > $5 AND created_at > $6 "
                        + "AND NOT EXISTS (SELECT 1 FROM acme_challenge c WHERE c.authz_id = acme_authorization.id "
                        + "AND c.type = 'dns-persist-01' AND c.status = 'valid') "
                        + "ORDER BY expires DESC LIMIT 1",
                Tuple.of(accountId, base.type(), base.value(), wildcard, time(validUntil), time(createdAfter))))
                .flatMap(r -> authorization(r.getString(0)));
    }

    @Override
    public Optional<Authorization> authorization(String id) {
        // The authorization and its challenges, in one round trip (a row per challenge): clients
        // poll authorizations while they are validated.
        RowSet<Row> rows = sql.run("reading ACME authorization " + id, "SELECT a.id, a.account_id, a.type, a.value, "
                + "a.wildcard, a.status, a.expires, c.id AS c_id, c.type AS c_type, c.token AS c_token, "
                + "c.status AS c_status, c.validated AS c_validated, c.error AS c_error FROM acme_authorization a "
                + "LEFT JOIN acme_challenge c ON c.authz_id = a.id WHERE a.id = $1 ORDER BY c.type", Tuple.of(id));
        Row r = null;
        List<Challenge> challenges = new ArrayList<>();
        for (Row row : rows) {
            r = row;
            if (row.getString("c_id") != null) {
                challenges.add(new Challenge(row.getString("c_id"), id, row.getString("c_type"),
                        row.getString("c_token"), row.getString("c_status"), instant(row, "c_validated"),
                        row.getString("c_error")));
            }
        }
        if (r == null) {
            return Optional.empty();
        }
        return Optional.of(new Authorization(r.getString("id"), r.getString("account_id"),
                new Identifier(r.getString("type"), r.getString("value")), r.getBoolean("wildcard"),
                r.getString("status"), instant(r, "expires"), challenges));
    }

    @Override
    public Optional<Challenge> challenge(String id) {
        return one(sql.run("reading ACME challenge " + id, "SELECT * FROM acme_challenge WHERE id = $1",
                Tuple.of(id))).map(PgAcmeRepository::challenge);
    }

    private static Challenge challenge(Row c) {
        return new Challenge(c.getString("id"), c.getString("authz_id"), c.getString("type"), c.getString("token"),
                c.getString("status"), instant(c, "validated"), c.getString("error"));
    }

    @Override
    public boolean startChallenge(String id) {
        return sql.run("starting ACME challenge " + id,
                "UPDATE acme_challenge SET status = 'processing', started = now() WHERE id = $1 AND status = 'pending'",
                Tuple.of(id)).rowCount() == 1;
    }

    @Override
    public List<Challenge> abandonedValidations(Instant startedBefore) {
        List<Challenge> out = new ArrayList<>();
        sql.run("reading abandoned ACME validations", "SELECT * FROM acme_challenge WHERE status = 'processing' "
                + "AND (started IS NULL OR started < $1) LIMIT 1000", Tuple.of(time(startedBefore)))
                .forEach(r -> out.add(challenge(r)));
        return out;
    }

    @Override
    public long validationsSince(String accountId, Instant since) {
        return sql.run("counting the validations of ACME account " + accountId,
                "SELECT count(*) FROM acme_challenge c JOIN acme_authorization a ON a.id = c.authz_id "
                        + "WHERE a.account_id = $1 AND c.started > $2",
                Tuple.of(accountId, time(since))).iterator().next().getLong(0);
    }

    @Override
    public void finishChallenge(Challenge challenge, boolean valid, String errorJson, Instant now) {
        String what = "recording the outcome of ACME challenge " + challenge.id();
        sql.inTransaction(what, conn -> {
            sql.run(conn, what, "UPDATE acme_challenge SET status = $2, validated = $3, error = $4 WHERE id = $1",
                    Tuple.of(challenge.id(), valid ? "valid" : "invalid", valid ? time(now) : null, errorJson));
            sql.run(conn, what, "UPDATE acme_authorization SET status = $2 WHERE id = $1 AND status = 'pending'",
                    Tuple.of(challenge.authzId(), valid ? "valid" : "invalid"));
            refreshOrders(conn, what, challenge.authzId());
        });
    }

    @Override
    public void refreshOrdersOf(String authzId) {
        String what = "updating the orders of ACME authorization " + authzId;
        sql.inTransaction(what, conn -> refreshOrders(conn, what, authzId));
    }

    @Override
    public void setAuthorizationStatus(String authzId, String status) {
        String what = "setting ACME authorization " + authzId + " " + status;
        sql.inTransaction(what, conn -> {
            sql.run(conn, what, "UPDATE acme_authorization SET status = $2 WHERE id = $1", Tuple.of(authzId, status));
            refreshOrders(conn, what, authzId);
        });
    }

    private void refreshOrders(SqlClient conn, String what, String authzId) {
        sql.run(conn, what, "UPDATE acme_order o SET status = 'invalid' WHERE o.status IN ('pending', 'ready') "
                + "AND EXISTS (SELECT 1 FROM acme_order_authorization oa JOIN acme_authorization a ON a.id = oa.authz_id "
                + "WHERE oa.order_id = o.id AND a.status NOT IN ('pending', 'valid')) AND o.id IN ("
                + "SELECT order_id FROM acme_order_authorization WHERE authz_id = $1)", Tuple.of(authzId));
        sql.run(conn, what, "UPDATE acme_order o SET status = 'ready' WHERE o.status = 'pending' AND NOT EXISTS ("
                + "SELECT 1 FROM acme_order_authorization oa JOIN acme_authorization a ON a.id = oa.authz_id "
                + "WHERE oa.order_id = o.id AND a.status <> 'valid') AND o.id IN ("
                + "SELECT order_id FROM acme_order_authorization WHERE authz_id = $1)", Tuple.of(authzId));
    }

    @Override
    public boolean startProcessing(String orderId) {
        return sql.run("finalizing ACME order " + orderId,
                "UPDATE acme_order SET status = 'processing' WHERE id = $1 AND status = 'ready'",
                Tuple.of(orderId)).rowCount() == 1;
    }

    @Override
    public void backToReady(String orderId) {
        sql.run("returning ACME order " + orderId + " to ready",
                "UPDATE acme_order SET status = 'ready' WHERE id = $1 AND status = 'processing'", Tuple.of(orderId));
    }

    @Override
    public void orderIssued(String orderId, String serialHex, String chainPem, Instant notAfter) {
        // One statement: the order becomes valid and the certificate gets the owner of the account's
        // EAB key, or else the owner one of the account's mailto: contacts is mapped to (V48).
        sql.run("recording the certificate of ACME order " + orderId, "WITH o AS (UPDATE acme_order SET "
                        + "status = 'valid', cert_serial = $2, cert_chain = $3, cert_not_after = $4 WHERE id = $1 "
                        + "RETURNING account_id), own AS (SELECT COALESCE("
                        + "(SELECT k.owner FROM o JOIN acme_account a ON a.id = o.account_id "
                        + "JOIN eab_key k ON k.kid = a.eab_kid), "
                        + "(SELECT m.owner FROM o JOIN acme_account a ON a.id = o.account_id "
                        + "CROSS JOIN LATERAL jsonb_array_elements_text(a.contact::jsonb) c(v) "
                        + "JOIN owner_acme_contact m ON m.contact = lower(substr(c.v, 8)) "
                        + "WHERE lower(c.v) LIKE 'mailto:%' ORDER BY m.contact LIMIT 1)) AS owner) "
                        + "INSERT INTO certificate_owner (ca_id, serial, owner, updated_by) "
                        + "SELECT c.ca_id, c.serial, own.owner, 'acme' FROM own JOIN certificate c ON c.serial = $5 "
                        + "WHERE own.owner IS NOT NULL ON CONFLICT DO NOTHING",
                Tuple.of(orderId, serialHex, chainPem, time(notAfter),
                        new BigDecimal(new BigInteger(serialHex, 16))));
    }

    @Override
    public boolean expireOrder(String orderId, Instant now) {
        // One statement, so that reading an order can settle it without a transaction.
        return sql.run("settling ACME order " + orderId, "WITH gone AS (UPDATE acme_authorization "
                        + "SET status = 'expired' WHERE id IN ("
                        + "SELECT authz_id FROM acme_order_authorization WHERE order_id = $1) "
                        + "AND status IN ('pending', 'valid') AND expires <= $2 RETURNING id) "
                        + "UPDATE acme_order SET status = 'invalid' WHERE id = $1 AND status IN ('pending', 'ready') "
                        + "AND (expires <= $2 OR EXISTS (SELECT 1 FROM gone) OR EXISTS (SELECT 1 FROM "
                        + "acme_order_authorization oa JOIN acme_authorization a ON a.id = oa.authz_id "
                        + "WHERE oa.order_id = $1 AND a.status NOT IN ('pending', 'valid')))",
                Tuple.of(orderId, time(now))).rowCount() == 1;
    }

    @Override
    public void expireAuthorization(String authzId, Instant now) {
        String what = "expiring ACME authorization " + authzId;
        sql.inTransaction(what, conn -> {
            if (sql.run(conn, what, "UPDATE acme_authorization SET status = 'expired' WHERE id = $1 "
                    + "AND status IN ('pending', 'valid') AND expires <= $2", Tuple.of(authzId, time(now)))
                    .rowCount() == 1) {
                refreshOrders(conn, what, authzId);
            }
        });
    }

    @Override
    public void expire(Instant now) {
        sql.run("expiring ACME orders", "UPDATE acme_order SET status = 'invalid' "
                + "WHERE status IN ('pending', 'ready') AND expires <= $1", Tuple.of(time(now)));
        sql.run("expiring ACME authorizations", "UPDATE acme_authorization SET status = 'expired' "
                + "WHERE status IN ('pending', 'valid') AND expires <= $1", Tuple.of(time(now)));
    }

    @Override
    public Purged purge(Instant endedBefore, int limit) {
        // Orders first: an authorization goes only once no order names it. Ids are chosen, then
        // deleted with their links in one transaction; a batch bounds each transaction.
        String what = "purging ended ACME orders";
        int orders = sql.inTransactionOf(what, conn -> {
            String[] ids = ids(sql.run(conn, what, "SELECT id FROM acme_order WHERE (cert_serial IS NULL AND expires < $1) "
                    + "OR cert_not_after < $1 LIMIT $2 FOR UPDATE SKIP LOCKED", Tuple.of(time(endedBefore), limit)));
            sql.run(conn, what, "DELETE FROM acme_order_authorization WHERE order_id = ANY($1)", Tuple.of(ids));
            return sql.run(conn, what, "DELETE FROM acme_order WHERE id = ANY($1)", Tuple.of(ids)).rowCount();
        });
        String authzWhat = "purging expired ACME authorizations";
        int authorizations = sql.inTransactionOf(authzWhat, conn -> {
            String[] ids = ids(sql.run(conn, authzWhat, "SELECT a.id FROM acme_authorization a WHERE a.expires < $1 "
                    + "AND NOT EXISTS (SELECT 1 FROM acme_order_authorization oa WHERE oa.authz_id = a.id) "
                    + "LIMIT $2 FOR UPDATE SKIP LOCKED", Tuple.of(time(endedBefore), limit)));
            sql.run(conn, authzWhat, "DELETE FROM acme_challenge WHERE authz_id = ANY($1)", Tuple.of(ids));
            return sql.run(conn, authzWhat, "DELETE FROM acme_authorization WHERE id = ANY($1)", Tuple.of(ids))
                    .rowCount();
        });
        return new Purged(orders, authorizations);
    }

    private static String[] ids(RowSet<Row> rows) {
        List<String> ids = new ArrayList<>();
        rows.forEach(r -> ids.add(r.getString(0)));
        return ids.toArray(String[]::new);
    }

    private static Optional<Row> one(RowSet<Row> rows) {
        var it = rows.iterator();
        return it.hasNext() ? Optional.of(it.next()) : Optional.empty();
    }
}
