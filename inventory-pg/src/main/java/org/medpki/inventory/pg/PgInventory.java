package org.medpki.inventory.pg;

import static org.medpki.inventory.pg.PgQueries.bytes;
import static org.medpki.inventory.pg.PgQueries.instant;
import static org.medpki.inventory.pg.PgQueries.time;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.inventory.CaRecord;
import org.medpki.core.inventory.CaRevocation;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.inventory.CertificateIntent;
import org.medpki.core.inventory.CertificateQuery;
import org.medpki.core.inventory.CertificateRecord;
import org.medpki.core.inventory.CertificateStatus;
import org.medpki.core.inventory.Inventory;
import org.medpki.core.inventory.NewCa;
import org.medpki.core.revocation.RevocationReason;
import org.medpki.core.store.GroupCommit;
import org.medpki.core.store.GroupCommit.Outcome;

/**
 * {@link Inventory} on PostgreSQL. Intents and issuances are group-committed (see
 * {@link GroupCommit}): many issuing threads share one transaction per batch, and a duplicate
 * serial fails only its own caller. Every multi-statement write is one transaction.
 */
public final class PgInventory implements Inventory, AutoCloseable {

    private static final int MAX_BATCH = 500;
    private static final int WRITERS = 2;

    static final String CA_COLUMNS =
            "id, name, role, parent_id, key_label, certificate, not_before, not_after, created_at";
    private static final String CERT_COLUMNS = "ca_id, serial, profile, subject, sans, not_before, not_after, status, "
            + "revoked_at, revocation_reason, invalidity_date, der, requester, created_at";

    private static final String INSERT_INTENT = "INSERT INTO certificate (ca_id, serial, profile, subject, sans, "
            + "spki_sha256, not_before, not_after, status, tbs, requester, shard) "
            + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, $10, $11) "
            + "ON CONFLICT (ca_id, serial) DO NOTHING RETURNING serial";
    // One statement per batch: the rows come in as parallel arrays. sans (an array per row) travels
    // as a JSON array text, since PostgreSQL arrays cannot be ragged.
    private static final String INSERT_INTENTS = "INSERT INTO certificate (ca_id, serial, profile, subject, sans, "
            + "spki_sha256, not_before, not_after, status, tbs, requester, shard) "
            + "SELECT v.ca_id, v.serial, v.profile, v.subject, ARRAY(SELECT json_array_elements_text(v.sans::json)), "
            + "v.spki, v.not_before, v.not_after, 'pending', v.tbs, v.requester, v.shard "
            + "FROM unnest($1::bigint[], $2::numeric[], $3::text[], $4::text[], $5::text[], $6::bytea[], "
            + "$7::timestamptz[], $8::timestamptz[], $9::bytea[], $10::text[], $11::smallint[]) "
            + "AS v(ca_id, serial, profile, subject, sans, spki, not_before, not_after, tbs, requester, shard) "
            + "ON CONFLICT (ca_id, serial) DO NOTHING RETURNING ca_id, serial";
    // The notification is sent only if the row moved from pending to issued, in the same transaction.
    private static final String MARK_ISSUED = "WITH u AS (UPDATE certificate SET status = 'issued', der = $3, "
            + "issued_at = now() WHERE ca_id = $1 AND serial = $2 AND status = 'pending' RETURNING 1) "
            + "SELECT pg_notify('" + ISSUANCE_CHANNEL + "', $4) FROM u";
    private static final String MARK_ISSUED_BATCH = "WITH v AS (SELECT * FROM unnest($1::bigint[], $2::numeric[], "
            + "$3::bytea[], $4::text[]) AS v(ca_id, serial, der, payload)), "
            + "u AS (UPDATE certificate c SET status = 'issued', der = v.der, issued_at = now() FROM v "
            + "WHERE c.ca_id = v.ca_id AND c.serial = v.serial AND c.status = 'pending' RETURNING c.ca_id, c.serial, v.payload) "
            + "SELECT ca_id, serial, pg_notify('" + ISSUANCE_CHANNEL + "', payload) FROM u";
    private static final String MARK_REVOKED = "UPDATE certificate SET status = 'revoked', revoked_at = $3, "
            + "revocation_reason = $4, invalidity_date = $5 WHERE ca_id = $1 AND serial = $2 AND status = 'issued' "
            + "RETURNING " + CERT_COLUMNS;

    private final Pool pool;
    private final PgErrors errors;
    private final PgQueries sql;
    private final GroupCommit<CertificateIntent, Void> intents;
    private final GroupCommit<Issued, Void> issuances;

    private record Issued(long caId, BigInteger serial, byte[] der) {
    }

    PgInventory(Pool pool, PgErrors errors) {
        this.pool = pool;
        this.errors = errors;
        this.sql = new PgQueries(pool, errors);
        this.intents = new GroupCommit<>("inventory-intents", MAX_BATCH, WRITERS, () -> closed("inventory-intents"),
                this::writeIntents);
        this.issuances = new GroupCommit<>("inventory-issuances", MAX_BATCH, WRITERS,
                () -> closed("inventory-issuances"), this::writeIssued);
    }

    private static PkiException closed(String name) {
        return new PkiException(ErrorKind.DATABASE_UNAVAILABLE, "the inventory is closed (" + name + ")");
    }

    // ---- CAs ----

    @Override
    public CaRecord saveCa(NewCa ca) {
        Objects.requireNonNull(ca, "ca");
        String subject = subjectOf(ca);
        try {
            RowSet<Row> rows = pool.preparedQuery("INSERT INTO ca (name, role, parent_id, key_label, certificate, "
                            + "subject, not_before, not_after) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING " + CA_COLUMNS)
                    .execute(Tuple.tuple()
                            .addValue(ca.name()).addValue(ca.role().wireName()).addValue(ca.parentId())
                            .addValue(ca.keyLabel()).addValue(Buffer.buffer(ca.certificate())).addValue(subject)
                            .addValue(time(ca.notBefore())).addValue(time(ca.notAfter())))
                    .await();
            return caRecord(rows.iterator().next());
        } catch (Exception e) {
            PkiException p = errors.map(e, "recording CA " + ca.name());
            if (p.kind() == ErrorKind.CONFLICT) {
                throw new PkiException(ErrorKind.CONFLICT, "a CA named " + ca.name() + " is already recorded", p);
            }
            if (p.kind() == ErrorKind.NOT_FOUND) {
                throw new PkiException(ErrorKind.NOT_FOUND, "the parent CA " + ca.parentId() + " of CA " + ca.name()
                        + " is not recorded", p);
            }
            throw p;
        }
    }

    static String subjectOf(NewCa ca) {
        try {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(ca.certificate()));
            return cert.getSubjectX500Principal().getName();
        } catch (CertificateException | ClassCastException e) {
            throw new PkiException(ErrorKind.MALFORMED, "the certificate of CA " + ca.name()
                    + " is not a DER X.509 certificate", e);
        }
    }

    @Override
    public List<CaRecord> cas() {
        return sql.rows("listing the CAs", "SELECT " + CA_COLUMNS + " FROM ca ORDER BY id", Tuple.tuple())
                .stream().map(PgInventory::caRecord).toList();
    }

    @Override
    public Optional<CaRecord> ca(String name) {
        return sql.rows("looking up CA " + name, "SELECT " + CA_COLUMNS + " FROM ca WHERE name = $1", Tuple.of(name))
                .stream().findFirst().map(PgInventory::caRecord);
    }

    @Override
    public Optional<CaRecord> ca(long id) {
        return sql.rows("looking up CA " + id, "SELECT " + CA_COLUMNS + " FROM ca WHERE id = $1", Tuple.of(id))
                .stream().findFirst().map(PgInventory::caRecord);
    }

    // ---- intents and issuances (group-committed) ----

    @Override
    public void recordIntent(CertificateIntent intent) {
        intents.submit(Objects.requireNonNull(intent, "intent"));
    }

    private List<Outcome<Void>> writeIntents(List<CertificateIntent> batch) {
        int n = batch.size();
        Long[] caIds = new Long[n];
        BigDecimal[] serials = new BigDecimal[n];
        String[] profiles = new String[n];
        String[] subjects = new String[n];
        String[] sans = new String[n];
        Buffer[] spkis = new Buffer[n];
        OffsetDateTime[] notBefores = new OffsetDateTime[n];
        OffsetDateTime[] notAfters = new OffsetDateTime[n];
        Buffer[] tbss = new Buffer[n];
        String[] requesters = new String[n];
        Short[] shards = new Short[n];
        for (int i = 0; i < n; i++) {
            CertificateIntent in = batch.get(i);
            caIds[i] = in.caId();
            serials[i] = new BigDecimal(in.serial());
            profiles[i] = in.profile();
            subjects[i] = in.subject();
            sans[i] = jsonArray(in.sans());
            spkis[i] = Buffer.buffer(in.spkiSha256());
            notBefores[i] = time(in.notBefore());
            notAfters[i] = time(in.notAfter());
            tbss[i] = Buffer.buffer(in.tbsCertificate());
            requesters[i] = in.requester();
            shards[i] = (short) in.shard();
        }
        Tuple arrays = Tuple.tuple().addValue(caIds).addValue(serials).addValue(profiles).addValue(subjects)
                .addValue(sans).addValue(spkis).addValue(notBefores).addValue(notAfters).addValue(tbss)
                .addValue(requesters).addValue(shards);
        try {
            RowSet<Row> rows = pool.preparedQuery(INSERT_INTENTS).execute(arrays).await();
            java.util.Set<Key> inserted = new java.util.HashSet<>();
            rows.forEach(r -> inserted.add(new Key(r.getLong(0), r.getNumeric(1).bigIntegerValue())));
            // Of equal keys in one batch the first was inserted (rows are inserted in array order).
            List<Outcome<Void>> results = new ArrayList<>(n);
            for (CertificateIntent in : batch) {
                results.add(inserted.remove(new Key(in.caId(), in.serial())) ? GroupCommit.written(null)
                        : GroupCommit.failed(duplicate(in)));
            }
            return results;
        } catch (Exception e) {
            return retryAlone(batch, e, this::writeIntentAlone, i -> describe(i.caId(), i.serial(), "recording the intent for"));
        }
    }

    private record Key(long caId, BigInteger serial) {
    }

    /** A JSON array of strings, for passing a ragged text[] column through unnest. */
    static String jsonArray(List<String> values) {
        StringBuilder json = new StringBuilder("[");
        for (String v : values) {
            if (json.length() > 1) {
                json.append(',');
            }
            json.append('"');
            for (int i = 0; i < v.length(); i++) {
                char c = v.charAt(i);
                if (c == '"' || c == '\\') {
                    json.append('\\').append(c);
                } else if (c < 0x20) {
                    json.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
                } else {
                    json.append(c);
                }
            }
            json.append('"');
        }
        return json.append(']').toString();
    }

    private PkiException writeIntentAlone(CertificateIntent intent) {
        try {
            RowSet<Row> rows = pool.preparedQuery(INSERT_INTENT).execute(intentTuple(intent)).await();
            return rows.size() == 1 ? null : duplicate(intent);
        } catch (Exception e) {
            PkiException p = errors.map(e, describe(intent.caId(), intent.serial(), "recording the intent for"));
            if (p.kind() == ErrorKind.NOT_FOUND) {
                return new PkiException(ErrorKind.NOT_FOUND, "CA " + intent.caId() + " is not recorded", p);
            }
            return p;
        }
    }

    private static PkiException duplicate(CertificateIntent intent) {
        return new PkiException(ErrorKind.CONFLICT, "serial " + intent.serial().toString(16) + " is already recorded for CA "
                + intent.caId());
    }

    private static Tuple intentTuple(CertificateIntent i) {
        return Tuple.tuple()
                .addValue(i.caId()).addValue(new BigDecimal(i.serial())).addValue(i.profile()).addValue(i.subject())
                .addValue(i.sans().toArray(String[]::new)).addValue(Buffer.buffer(i.spkiSha256()))
                .addValue(time(i.notBefore())).addValue(time(i.notAfter())).addValue(Buffer.buffer(i.tbsCertificate()))
                .addValue(i.requester()).addValue((short) i.shard());
    }

    @Override
    public void recordIssued(long caId, BigInteger serial, byte[] der) {
        Objects.requireNonNull(serial, "serial");
        Objects.requireNonNull(der, "der");
        if (der.length == 0) {
            throw new PkiException(ErrorKind.MALFORMED, "the issued certificate for serial " + serial.toString(16) + " is empty");
        }
        issuances.submit(new Issued(caId, serial, der.clone()));
    }

    private List<Outcome<Void>> writeIssued(List<Issued> batch) {
        int n = batch.size();
        Long[] caIds = new Long[n];
        BigDecimal[] serials = new BigDecimal[n];
        Buffer[] ders = new Buffer[n];
        String[] payloads = new String[n];
        for (int i = 0; i < n; i++) {
            Issued is = batch.get(i);
            caIds[i] = is.caId();
            serials[i] = new BigDecimal(is.serial());
            ders[i] = Buffer.buffer(is.der());
            payloads[i] = payload(is.caId(), is.serial());
        }
        java.util.Set<Key> updated = new java.util.HashSet<>();
        try {
            // One statement, so one implicit transaction: rows and notifications commit together.
            pool.preparedQuery(MARK_ISSUED_BATCH).execute(Tuple.of(caIds, serials, ders, payloads)).await()
                    .forEach(r -> updated.add(new Key(r.getLong(0), r.getNumeric(1).bigIntegerValue())));
        } catch (Exception e) {
            return retryAlone(batch, e, this::writeIssuedAlone, i -> describe(i.caId(), i.serial(), "recording the issuance of"));
        }
        List<Outcome<Void>> results = new ArrayList<>(n);
        for (Issued is : batch) {
            // A key twice in one batch: the first caller wins, the second finds it issued.
            results.add(updated.remove(new Key(is.caId(), is.serial())) ? GroupCommit.written(null)
                    : GroupCommit.failed(whyNotIssued(is)));
        }
        return results;
    }

    private PkiException writeIssuedAlone(Issued issued) {
        try {
            RowSet<Row> rows = pool.withTransaction(c -> c.preparedQuery(MARK_ISSUED).execute(issuedTuple(issued))).await();
            return rows.size() == 1 ? null : whyNotIssued(issued);
        } catch (Exception e) {
            return errors.map(e, describe(issued.caId(), issued.serial(), "recording the issuance of"));
        }
    }

    private PkiException whyNotIssued(Issued issued) {
        try {
            Optional<String> status = sql.rows("checking", "SELECT status FROM certificate WHERE ca_id = $1 AND serial = $2",
                    Tuple.of(issued.caId(), new BigDecimal(issued.serial()))).stream().findFirst().map(r -> r.getString(0));
            String what = "certificate " + issued.serial().toString(16) + " of CA " + issued.caId();
            return status.isEmpty()
                    ? new PkiException(ErrorKind.NOT_FOUND, "no intent was recorded for " + what)
                    : new PkiException(ErrorKind.CONFLICT, what + " is already " + status.get());
        } catch (PkiException e) {
            return e;
        }
    }

    private static Tuple issuedTuple(Issued i) {
        return Tuple.of(i.caId(), new BigDecimal(i.serial()), Buffer.buffer(i.der()), payload(i.caId(), i.serial()));
    }

    /**
     * A failed batch: if the database is away every item fails the same way; otherwise one item
     * spoilt the transaction (a missing CA, a value a CHECK refuses), so each is retried on its
     * own and only the bad one fails.
     */
    private <T> List<Outcome<Void>> retryAlone(List<T> batch, Exception e,
                                               java.util.function.Function<T, PkiException> alone,
                                               java.util.function.Function<T, String> what) {
        PkiException mapped = errors.map(e, what.apply(batch.getFirst()));
        if (mapped.kind() == ErrorKind.DATABASE_UNAVAILABLE) {
            throw mapped;
        }
        return batch.stream().map(item -> {
            PkiException failure = alone.apply(item);
            return failure == null ? GroupCommit.<Void>written(null) : GroupCommit.<Void>failed(failure);
        }).toList();
    }

    // ---- reading ----

    @Override
    public Optional<CertificateRecord> certificate(long caId, BigInteger serial) {
        return sql.rows(describe(caId, serial, "looking up"), "SELECT " + CERT_COLUMNS
                        + " FROM certificate WHERE ca_id = $1 AND serial = $2",
                Tuple.of(caId, new BigDecimal(serial))).stream().findFirst().map(PgInventory::certificateRecord);
    }

    @Override
    public List<CertificateRecord> certificatesWithSerial(BigInteger serial) {
        return sql.rows("looking up serial " + serial.toString(16), "SELECT " + CERT_COLUMNS
                        + " FROM certificate WHERE serial = $1 ORDER BY ca_id",
                Tuple.of(new BigDecimal(serial))).stream().map(PgInventory::certificateRecord).toList();
    }

    @Override
    public boolean keyCompromised(byte[] spkiSha256) {
        // certificate_spki_sha256 (V1) makes this an index look-up.
        return sql.rows("looking up the key's revocations", "SELECT EXISTS (SELECT 1 FROM certificate "
                        + "WHERE spki_sha256 = $1 AND status = 'revoked' AND revocation_reason = $2)",
                Tuple.of(Buffer.buffer(spkiSha256), (short) RevocationReason.KEY_COMPROMISE.code()))
                .getFirst().getBoolean(0);
    }

    @Override
    public List<CertificateRecord> list(CertificateQuery q) {
        StringBuilder statement = new StringBuilder("SELECT ").append(CERT_COLUMNS).append(" FROM certificate WHERE true");
        Tuple params = Tuple.tuple();
        if (q.profile() != null) {
            params.addValue(q.profile());
            statement.append(" AND profile = $").append(params.size());
        }
        if (q.status() != null) {
            params.addValue(q.status().name().toLowerCase(java.util.Locale.ROOT));
            statement.append(" AND status = $").append(params.size());
        }
        if (q.san() != null) {
            // sans @> {name}: the GIN index on sans (V46) finds the rows.
            params.addValue(new String[] {q.san()});
            statement.append(" AND sans @> $").append(params.size()).append("::text[]");
        }
        if (q.caId() != null) {
            params.addValue(q.caId());
            statement.append(" AND ca_id = $").append(params.size());
        }
        if (q.owner() != null || q.tag() != null) {
            // certificate_owner (V48) holds owners and tags; indexed by owner and (GIN) by tags.
            statement.append(" AND EXISTS (SELECT 1 FROM certificate_owner o WHERE o.ca_id = certificate.ca_id "
                    + "AND o.serial = certificate.serial");
            if (q.owner() != null) {
                params.addValue(q.owner());
                statement.append(" AND o.owner = $").append(params.size());
            }
            if (q.tag() != null) {
                params.addValue(new String[] {q.tag()});
                statement.append(" AND o.tags @> $").append(params.size()).append("::text[]");
            }
            statement.append(')');
        }
        if (q.issuedAfter() != null) {
            params.addValue(time(q.issuedAfter()));
            statement.append(" AND issued_at >= $").append(params.size());
        }
        if (q.issuedBefore() != null) {
            params.addValue(time(q.issuedBefore()));
            statement.append(" AND issued_at < $").append(params.size());
        }
        if (q.spkiSha256() != null) {
            params.addValue(Buffer.buffer(q.spkiSha256()));
            statement.append(" AND spki_sha256 = $").append(params.size());
        }
        if (q.serials() != null) {
            params.addValue((Object) q.serials().stream().map(BigDecimal::new).toArray(BigDecimal[]::new));
            statement.append(" AND serial = ANY($").append(params.size()).append("::numeric[])");
        }
        if (q.expiringBefore() != null) {
            params.addValue(time(q.expiringBefore()));
            statement.append(" AND status = 'issued' AND not_after > now() AND not_after < $").append(params.size());
        }
        if (q.order() != null) {
            CertificateQuery.Order order = q.order();
            String column = switch (order.key()) {
                case NOT_AFTER -> "not_after";
                case CREATED_AT -> "created_at";
                case SERIAL -> null;
            };
            String direction = order.descending() ? " DESC" : "";
            if (order.after() != null) {
                // Keyset paging: a row comparison over the whole sort key, so that no row is skipped or repeated.
                CertificateQuery.Cursor c = order.after();
                StringBuilder left = new StringBuilder("(");
                StringBuilder right = new StringBuilder("(");
                if (column != null) {
                    params.addValue(time(c.time() == null ? java.time.Instant.EPOCH : c.time()));
                    left.append(column).append(", ");
                    right.append('$').append(params.size()).append(", ");
                }
                params.addValue(new BigDecimal(c.serial()));
                left.append("serial, ca_id)");
                right.append('$').append(params.size()).append("::numeric, ");
                params.addValue(c.caId());
                right.append('$').append(params.size()).append(')');
                statement.append(" AND ").append(left).append(order.descending() ? " < " : " > ").append(right);
            }
            statement.append(" ORDER BY ");
            if (column != null) {
                statement.append(column).append(direction).append(", ");
            }
            statement.append("serial").append(direction).append(", ca_id").append(direction);
        } else if (q.expiringBefore() != null) {
            statement.append(" ORDER BY not_after, ca_id, serial");
        } else {
            statement.append(" ORDER BY created_at DESC, ca_id, serial");
        }
        params.addValue(q.limit());
        statement.append(" LIMIT $").append(params.size());
        return sql.rows("listing certificates", statement.toString(), params).stream().map(PgInventory::certificateRecord).toList();
    }

    @Override
    public List<ProfileCount> countByProfile() {
        return sql.rows("counting certificates", "SELECT profile, status, count(*) FROM certificate "
                + "GROUP BY profile, status ORDER BY profile, status", Tuple.tuple()).stream()
                .map(r -> new ProfileCount(r.getString(0), status(r.getString(1)), r.getLong(2))).toList();
    }

    // ---- revocation ----

    @Override
    public CertificateRecord revoke(long caId, BigInteger serial, RevocationReason reason, Instant revokedAt,
                                    Instant invalidityDate) {
        Objects.requireNonNull(serial, "serial");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(revokedAt, "revokedAt");
        if (reason == RevocationReason.REMOVE_FROM_CRL) {
            throw new PkiException(ErrorKind.BAD_REVOCATION_REASON,
                    "removeFromCRL is not a reason to revoke: it is used only in delta CRLs");
        }
        String what = "certificate " + serial.toString(16) + " of CA " + caId;
        Tuple update = Tuple.tuple().addValue(caId).addValue(new BigDecimal(serial)).addValue(time(revokedAt))
                .addValue((short) reason.code()).addValue(time(invalidityDate));
        try {
            return pool.withTransaction(c -> c.preparedQuery(MARK_REVOKED).execute(update).compose(rows -> {
                if (rows.size() == 1) {
                    CertificateRecord revoked = certificateRecord(rows.iterator().next());
                    return c.preparedQuery("SELECT pg_notify($1, $2)")
                            .execute(Tuple.of(REVOCATION_CHANNEL, payload(caId, serial)))
                            .map(n -> revoked);
                }
                return c.preparedQuery("SELECT status FROM certificate WHERE ca_id = $1 AND serial = $2")
                        .execute(Tuple.of(caId, new BigDecimal(serial)))
                        .compose(s -> Future.<CertificateRecord>failedFuture(notRevocable(what,
                                s.size() == 0 ? null : s.iterator().next().getString(0))));
            })).await();
        } catch (Exception e) {
            throw errors.map(e, "revoking " + what);
        }
    }

    @Override
    public CaRevocation revokeCa(CaRevocation r) {
        Objects.requireNonNull(r, "revocation");
        String what = "CA " + r.caId();
        Tuple insert = Tuple.tuple().addValue(r.caId()).addValue(new BigDecimal(r.serial())).addValue(time(r.revokedAt()))
                .addValue((short) r.reason().code()).addValue(time(r.invalidityDate())).addValue(r.revokedBy());
        try {
            return pool.withTransaction(c -> c.preparedQuery("INSERT INTO ca_revocation (ca_id, serial, revoked_at, "
                    + "revocation_reason, invalidity_date, revoked_by) SELECT $1, $2, $3, $4, $5, $6 "
                    + "WHERE EXISTS (SELECT 1 FROM ca WHERE id = $1) ON CONFLICT (ca_id) DO NOTHING").execute(insert)
                    .compose(rows -> {
                        if (rows.rowCount() == 1) {
                            return c.preparedQuery("SELECT pg_notify($1, $2)")
                                    .execute(Tuple.of(CA_REVOCATION_CHANNEL, payload(r.caId(), r.serial())))
                                    .map(n -> r);
                        }
                        return c.preparedQuery("SELECT EXISTS (SELECT 1 FROM ca WHERE id = $1)")
                                .execute(Tuple.of(r.caId())).compose(e -> Future.<CaRevocation>failedFuture(
                                        e.iterator().next().getBoolean(0)
                                                ? new PkiException(ErrorKind.ALREADY_REVOKED, what + " is already revoked")
                                                : new PkiException(ErrorKind.NOT_FOUND, what + " is not in the inventory")));
                    })).await();
        } catch (Exception e) {
            throw errors.map(e, "revoking " + what);
        }
    }

    @Override
    public List<CaRevocation> caRevocations() {
        return sql.rows("reading the CA revocations", "SELECT ca_id, serial, revoked_at, revocation_reason, "
                + "invalidity_date, revoked_by FROM ca_revocation ORDER BY ca_id", Tuple.tuple()).stream()
                .map(row -> new CaRevocation(row.getLong("ca_id"), row.getNumeric("serial").bigIntegerValue(),
                        instant(row, "revoked_at"), RevocationReason.ofCode(row.getShort("revocation_reason")),
                        instant(row, "invalidity_date"), row.getString("revoked_by"))).toList();
    }

    private static PkiException notRevocable(String what, String status) {
        if (status == null) {
            return new PkiException(ErrorKind.NOT_FOUND, what + " is not in the inventory");
        }
        return switch (status) {
            case "revoked" -> new PkiException(ErrorKind.ALREADY_REVOKED, what + " is already revoked");
            case "pending" -> new PkiException(ErrorKind.NOT_FOUND, what + " was never issued");
            default -> new PkiException(ErrorKind.INTERNAL, what + " could not be revoked (status " + status + ")");
        };
    }

    // ---- helpers ----

    /** The NOTIFY payload: {@code <caId>:<serial in lower-case hex>}. */
    static String payload(long caId, BigInteger serial) {
        return caId + ":" + serial.toString(16);
    }

    private static String describe(long caId, BigInteger serial, String verb) {
        return verb + " certificate " + serial.toString(16) + " of CA " + caId;
    }

    private static CertificateStatus status(String s) {
        return CertificateStatus.valueOf(s.toUpperCase(java.util.Locale.ROOT));
    }

    static CaRecord caRecord(Row r) {
        return new CaRecord(r.getLong("id"), r.getString("name"), CaRole.ofWireName(r.getString("role")),
                r.getLong("parent_id"), r.getString("key_label"), bytes(r, "certificate"),
                instant(r, "not_before"), instant(r, "not_after"), instant(r, "created_at"));
    }

    private static CertificateRecord certificateRecord(Row r) {
        Short reason = r.getShort("revocation_reason");
        String[] sans = r.getArrayOfStrings("sans");
        return new CertificateRecord(r.getLong("ca_id"), r.getNumeric("serial").bigIntegerValue(),
                r.getString("profile"), r.getString("subject"), sans == null ? List.of() : Arrays.asList(sans),
                instant(r, "not_before"), instant(r, "not_after"), status(r.getString("status")),
                instant(r, "revoked_at"), reason == null ? null : RevocationReason.ofCode(reason),
                instant(r, "invalidity_date"), bytes(r, "der"), r.getString("requester"), instant(r, "created_at"));
    }

    /** Stops the batch writers after what is queued. */
    @Override
    public void close() {
        intents.close();
        issuances.close();
    }
}
