package org.medpki.acme;

import com.nimbusds.jose.jwk.JWK;
import io.vertx.core.json.JsonArray;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.text.ParseException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

/**
 * The ACME state in PostgreSQL (tables of migration V30). Every method blocks on
 * {@code Future.await()}: call it from a virtual thread or worker, never an event loop.
 * Multi-statement writes run in one transaction.
 */
public final class AcmeStore implements AcmeRepository {
    private final Pool pool;

    public AcmeStore(Pool pool) {
        this.pool = pool;
    }

    @Override
    public boolean reachable() {
        try {
            pool.query("SELECT 1").execute().await(2, java.util.concurrent.TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    // ---- nonces

    @Override
    public String newNonce(Instant expires) {
        String nonce = AcmeIds.newId();
        run(pool, "INSERT INTO acme_nonce (nonce, expires) VALUES ($1, $2)", Tuple.of(nonce, odt(expires)));
        return nonce;
    }

    /** True once for a nonce this (or another) instance issued and that has not expired. */
    @Override
    public boolean consumeNonce(String nonce, Instant now) {
        return run(pool, "DELETE FROM acme_nonce WHERE nonce = $1 AND expires > $2", Tuple.of(nonce, odt(now)))
                .rowCount() == 1;
    }

    @Override
    public int purgeNonces(Instant now) {
        return run(pool, "DELETE FROM acme_nonce WHERE expires <= $1", Tuple.of(odt(now))).rowCount();
    }

    // ---- EAB keys

    @Override
    public void createEabKey(EabKey key) {
        run(pool, "INSERT INTO eab_key (kid, hmac_key, profile, name_patterns) VALUES ($1, $2, $3, $4)",
                Tuple.of(key.kid(), io.vertx.core.buffer.Buffer.buffer(key.hmacKey()), key.profile(),
                        key.namePatterns().toArray(String[]::new)));
    }

    @Override
    public Optional<EabKey> eabKey(String kid) {
        return one(run(pool, "SELECT kid, hmac_key, profile, name_patterns, account_id FROM eab_key WHERE kid = $1",
                Tuple.of(kid))).map(r -> new EabKey(r.getString("kid"), r.getBuffer("hmac_key").getBytes(),
                r.getString("profile"), List.of(r.getArrayOfStrings("name_patterns")), r.getString("account_id")));
    }

    // ---- accounts

    /** Creates the account and, with an EAB key, binds that key to it (once only) in one transaction. */
    @Override
    public void createAccount(Account account) {
        inTransaction(conn -> {
            if (account.eabKid() != null) {
                int bound = run(conn, "UPDATE eab_key SET account_id = $1 WHERE kid = $2 AND account_id IS NULL",
                        Tuple.of(account.id(), account.eabKid())).rowCount();
                if (bound != 1) {
                    throw new AcmeException(ProblemType.UNAUTHORIZED,
                            "the external account key " + account.eabKid() + " is already bound to an account");
                }
            }
            run(conn, "INSERT INTO acme_account (id, thumbprint, jwk, contact, status, eab_kid) VALUES ($1, $2, $3, $4, $5, $6)",
                    Tuple.of(account.id(), account.thumbprint(), account.key().toJSONString(),
                            account.contact().encode(), account.status(), account.eabKid()));
        });
    }

    @Override
    public Optional<Account> accountByThumbprint(String thumbprint) {
        return one(run(pool, "SELECT * FROM acme_account WHERE thumbprint = $1", Tuple.of(thumbprint)))
                .map(AcmeStore::account);
    }

    @Override
    public Optional<Account> account(String id) {
        return one(run(pool, "SELECT * FROM acme_account WHERE id = $1", Tuple.of(id))).map(AcmeStore::account);
    }

    @Override
    public void updateAccount(String id, JsonArray contact, String status) {
        run(pool, "UPDATE acme_account SET contact = $2, status = $3 WHERE id = $1",
                Tuple.of(id, contact.encode(), status));
    }

    /** Key rollover; a key already used by another account is a conflict. */
    @Override
    public void changeKey(String id, String oldThumbprint, String thumbprint, JWK key) {
        try {
            int n = run(pool, "UPDATE acme_account SET thumbprint = $3, jwk = $4 WHERE id = $1 AND thumbprint = $2",
                    Tuple.of(id, oldThumbprint, thumbprint, key.toJSONString())).rowCount();
            if (n != 1) {
                throw new AcmeException(ProblemType.CONFLICT, "the account key changed concurrently");
            }
        } catch (PkiException e) {
            if (e.getCause() instanceof PgException pg && "23505".equals(pg.getSqlState())) {
                throw new AcmeException(ProblemType.CONFLICT, "the new key is already used by another account");
            }
            throw e;
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

    /** Stores a new order with its new authorizations (and links to reused ones) in one transaction. */
    @Override
    public void createOrder(Order order, List<Authorization> created) {
        inTransaction(conn -> {
            for (Authorization a : created) {
                run(conn, "INSERT INTO acme_authorization (id, account_id, type, value, wildcard, status, expires) "
                                + "VALUES ($1, $2, $3, $4, $5, $6, $7)",
                        Tuple.of(a.id(), a.accountId(), a.identifier().type(), a.identifier().value(), a.wildcard(),
                                a.status(), odt(a.expires())));
                for (Challenge c : a.challenges()) {
                    run(conn, "INSERT INTO acme_challenge (id, authz_id, type, token, status) VALUES ($1, $2, $3, $4, $5)",
                            Tuple.of(c.id(), a.id(), c.type(), c.token(), c.status()));
                }
            }
            JsonArray ids = new JsonArray();
            order.identifiers().forEach(i -> ids.add(i.json()));
            run(conn, "INSERT INTO acme_order (id, account_id, status, identifiers, profile, expires, not_before, "
                            + "not_after, replaces) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    Tuple.from(new Object[] {order.id(), order.accountId(), order.status(), ids.encode(),
                            order.profile(), odt(order.expires()), odt(order.notBefore()), odt(order.notAfter()),
                            order.replaces()}));
            for (String authz : order.authorizationIds()) {
                run(conn, "INSERT INTO acme_order_authorization (order_id, authz_id) VALUES ($1, $2)",
                        Tuple.of(order.id(), authz));
            }
        });
    }

    @Override
    public Optional<Order> order(String id) {
        Optional<Row> row = one(run(pool, "SELECT * FROM acme_order WHERE id = $1", Tuple.of(id)));
        if (row.isEmpty()) {
            return Optional.empty();
        }
        List<String> authz = new ArrayList<>();
        for (Row r : run(pool, "SELECT oa.authz_id FROM acme_order_authorization oa JOIN acme_authorization a "
                + "ON a.id = oa.authz_id WHERE oa.order_id = $1 ORDER BY a.created_at, a.id", Tuple.of(id))) {
            authz.add(r.getString(0));
        }
        return Optional.of(order(row.get(), authz));
    }

    @Override
    public Optional<Order> orderBySerial(String serialHex) {
        return one(run(pool, "SELECT id FROM acme_order WHERE cert_serial = $1", Tuple.of(serialHex)))
                .flatMap(r -> order(r.getString(0)));
    }

    @Override
    public List<String> orderIdsOf(String accountId) {
        List<String> ids = new ArrayList<>();
        for (Row r : run(pool, "SELECT id FROM acme_order WHERE account_id = $1 AND status IN ('pending', 'ready', "
                + "'processing', 'valid') ORDER BY created_at LIMIT 1000", Tuple.of(accountId))) {
            ids.add(r.getString(0));
        }
        return ids;
    }

    /** Orders the account made since {@code since}: for the per-account rate limit. */
    @Override
    public long ordersSince(String accountId, Instant since) {
        return run(pool, "SELECT count(*) FROM acme_order WHERE account_id = $1 AND created_at > $2",
                Tuple.of(accountId, odt(since))).iterator().next().getLong(0);
    }

    /** Orders naming {@code domain} or a name below it since {@code since}: for the per-domain limit. */
    @Override
    public long ordersForDomainSince(String domain, Instant since) {
        String like = "%\"" + domain.replace("\\", "").replace("%", "").replace("_", "\\_") + "\"%";
        String below = "%." + domain.replace("\\", "").replace("%", "").replace("_", "\\_") + "\"%";
        return run(pool, "SELECT count(*) FROM acme_order WHERE created_at > $1 AND (identifiers LIKE $2 OR identifiers LIKE $3)",
                Tuple.of(odt(since), like, below)).iterator().next().getLong(0);
    }

    private static Order order(Row r, List<String> authz) {
        List<Identifier> identifiers = new ArrayList<>();
        new JsonArray(r.getString("identifiers")).forEach(o -> {
            var j = (io.vertx.core.json.JsonObject) o;
            identifiers.add(new Identifier(j.getString("type"), j.getString("value")));
        });
        return new Order(r.getString("id"), r.getString("account_id"), r.getString("status"), identifiers,
                r.getString("profile"), instant(r.getOffsetDateTime("expires")), instant(r.getOffsetDateTime("not_before")),
                instant(r.getOffsetDateTime("not_after")), r.getString("error"), r.getString("cert_serial"),
                r.getString("cert_chain"), r.getString("replaces"), authz);
    }

    /** A valid, unexpired authorization of this account for the identifier, to reuse. */
    @Override
    public Optional<Authorization> reusableAuthorization(String accountId, Identifier base, boolean wildcard,
                                                         Instant validUntil, Instant createdAfter) {
        return one(run(pool, "SELECT id FROM acme_authorization WHERE account_id = $1 AND type = $2 AND value = $3 "
                        + "AND wildcard = $4 AND status = 'valid' AND expires > $5 AND created_at > $6 "
                        + "ORDER BY expires DESC LIMIT 1",
                Tuple.of(accountId, base.type(), base.value(), wildcard, odt(validUntil), odt(createdAfter))))
                .flatMap(r -> authorization(r.getString(0)));
    }

    @Override
    public Optional<Authorization> authorization(String id) {
        Optional<Row> row = one(run(pool, "SELECT * FROM acme_authorization WHERE id = $1", Tuple.of(id)));
        if (row.isEmpty()) {
            return Optional.empty();
        }
        List<Challenge> challenges = new ArrayList<>();
        for (Row c : run(pool, "SELECT * FROM acme_challenge WHERE authz_id = $1 ORDER BY type", Tuple.of(id))) {
            challenges.add(challenge(c));
        }
        Row r = row.get();
        return Optional.of(new Authorization(r.getString("id"), r.getString("account_id"),
                new Identifier(r.getString("type"), r.getString("value")), r.getBoolean("wildcard"),
                r.getString("status"), instant(r.getOffsetDateTime("expires")), challenges));
    }

    @Override
    public Optional<Challenge> challenge(String id) {
        return one(run(pool, "SELECT * FROM acme_challenge WHERE id = $1", Tuple.of(id))).map(AcmeStore::challenge);
    }

    private static Challenge challenge(Row c) {
        return new Challenge(c.getString("id"), c.getString("authz_id"), c.getString("type"), c.getString("token"),
                c.getString("status"), instant(c.getOffsetDateTime("validated")), c.getString("error"));
    }

    /**
     * Moves a pending challenge to processing; false when it was not pending (a second response
     * to the same challenge does not validate twice).
     */
    @Override
    public boolean startChallenge(String id) {
        return run(pool, "UPDATE acme_challenge SET status = 'processing' WHERE id = $1 AND status = 'pending'",
                Tuple.of(id)).rowCount() == 1;
    }

    /**
     * Records a validation's outcome: the challenge, its authorization (valid or invalid) and every
     * pending order that uses the authorization (ready once all its authorizations are valid,
     * invalid if one failed), in one transaction.
     */
    @Override
    public void finishChallenge(Challenge challenge, boolean valid, String errorJson, Instant now) {
        inTransaction(conn -> {
            run(conn, "UPDATE acme_challenge SET status = $2, validated = $3, error = $4 WHERE id = $1",
                    Tuple.of(challenge.id(), valid ? "valid" : "invalid", valid ? odt(now) : null, errorJson));
            run(conn, "UPDATE acme_authorization SET status = $2 WHERE id = $1 AND status = 'pending'",
                    Tuple.of(challenge.authzId(), valid ? "valid" : "invalid"));
            refreshOrders(conn, challenge.authzId());
        });
    }

    /** Re-derives the status of the pending orders using this authorization (after reuse). */
    @Override
    public void refreshOrdersOf(String authzId) {
        inTransaction(conn -> refreshOrders(conn, authzId));
    }

    @Override
    public void setAuthorizationStatus(String authzId, String status) {
        inTransaction(conn -> {
            run(conn, "UPDATE acme_authorization SET status = $2 WHERE id = $1", Tuple.of(authzId, status));
            refreshOrders(conn, authzId);
        });
    }

    private static void refreshOrders(SqlClient conn, String authzId) {
        run(conn, "UPDATE acme_order o SET status = 'invalid' WHERE o.status IN ('pending', 'ready') AND EXISTS ("
                + "SELECT 1 FROM acme_order_authorization oa JOIN acme_authorization a ON a.id = oa.authz_id "
                + "WHERE oa.order_id = o.id AND a.status NOT IN ('pending', 'valid')) AND o.id IN ("
                + "SELECT order_id FROM acme_order_authorization WHERE authz_id = $1)", Tuple.of(authzId));
        run(conn, "UPDATE acme_order o SET status = 'ready' WHERE o.status = 'pending' AND NOT EXISTS ("
                + "SELECT 1 FROM acme_order_authorization oa JOIN acme_authorization a ON a.id = oa.authz_id "
                + "WHERE oa.order_id = o.id AND a.status <> 'valid') AND o.id IN ("
                + "SELECT order_id FROM acme_order_authorization WHERE authz_id = $1)", Tuple.of(authzId));
    }

    /** ready -> processing, once: false if the order was not ready (finalize raced or came early). */
    @Override
    public boolean startProcessing(String orderId) {
        return run(pool, "UPDATE acme_order SET status = 'processing' WHERE id = $1 AND status = 'ready'",
                Tuple.of(orderId)).rowCount() == 1;
    }

    /** processing -> ready again: the CSR was refused, the client may finalize with a better one. */
    @Override
    public void backToReady(String orderId) {
        run(pool, "UPDATE acme_order SET status = 'ready' WHERE id = $1 AND status = 'processing'", Tuple.of(orderId));
    }

    @Override
    public void orderIssued(String orderId, String serialHex, String chainPem) {
        run(pool, "UPDATE acme_order SET status = 'valid', cert_serial = $2, cert_chain = $3 WHERE id = $1",
                Tuple.of(orderId, serialHex, chainPem));
    }

    /**
     * Settles one order whose time may be up, at the moment it is read (housekeeping runs only
     * every minute): its pending or valid authorizations past their expiry become expired, and a
     * pending or ready order becomes invalid when it has expired or when one of its authorizations
     * ended other than valid (RFC 8555 7.1.6). One statement; a no-op for a live order. True if
     * the order changed.
     */
    @Override
    public boolean expireOrder(String orderId, Instant now) {
        return run(pool, "WITH gone AS (UPDATE acme_authorization SET status = 'expired' WHERE id IN ("
                        + "SELECT authz_id FROM acme_order_authorization WHERE order_id = $1) "
                        + "AND status IN ('pending', 'valid') AND expires <= $2 RETURNING id) "
                        + "UPDATE acme_order SET status = 'invalid' WHERE id = $1 AND status IN ('pending', 'ready') "
                        + "AND (expires <= $2 OR EXISTS (SELECT 1 FROM gone) OR EXISTS (SELECT 1 FROM "
                        + "acme_order_authorization oa JOIN acme_authorization a ON a.id = oa.authz_id "
                        + "WHERE oa.order_id = $1 AND a.status NOT IN ('pending', 'valid')))",
                Tuple.of(orderId, odt(now))).rowCount() == 1;
    }

    /** An authorization past its expiry becomes expired, with the pending orders that use it. */
    @Override
    public void expireAuthorization(String authzId, Instant now) {
        inTransaction(conn -> {
            if (run(conn, "UPDATE acme_authorization SET status = 'expired' WHERE id = $1 "
                    + "AND status IN ('pending', 'valid') AND expires <= $2", Tuple.of(authzId, odt(now))).rowCount() == 1) {
                refreshOrders(conn, authzId);
            }
        });
    }

    /** Marks pending orders and authorizations whose time is up as invalid / expired. */
    @Override
    public void expire(Instant now) {
        run(pool, "UPDATE acme_order SET status = 'invalid' WHERE status IN ('pending', 'ready') AND expires <= $1",
                Tuple.of(odt(now)));
        run(pool, "UPDATE acme_authorization SET status = 'expired' WHERE status IN ('pending', 'valid') AND expires <= $1",
                Tuple.of(odt(now)));
    }

    // ---- plumbing

    private void inTransaction(Consumer<SqlConnection> work) {
        SqlConnection conn;
        try {
            conn = pool.getConnection().await();
        } catch (Exception e) {
            throw new PkiException(ErrorKind.DATABASE_UNAVAILABLE, "the ACME database cannot be reached", e);
        }
        try {
            Transaction tx = conn.begin().await();
            try {
                work.accept(conn);
                tx.commit().await();
            } catch (RuntimeException e) {
                try {
                    tx.rollback().await();
                } catch (Exception ignored) {
                    // the connection is closed below anyway
                }
                throw e;
            }
        } finally {
            conn.close();
        }
    }

    private static RowSet<Row> run(SqlClient client, String sql, Tuple args) {
        try {
            return client.preparedQuery(sql).execute(args).await();
        } catch (AcmeException | PkiException e) {
            throw e;
        } catch (Exception e) {
            throw new PkiException(ErrorKind.INTERNAL, "ACME database statement failed: " + e.getMessage(), e);
        }
    }

    private static Optional<Row> one(RowSet<Row> rows) {
        var it = rows.iterator();
        return it.hasNext() ? Optional.of(it.next()) : Optional.empty();
    }

    private static OffsetDateTime odt(Instant i) {
        return i == null ? null : i.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }
}
