package org.medpki.inventory.pg;

import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.medpki.admin.Owners;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.inventory.CertificateRecord;

/** {@link Owners} on PostgreSQL (tables of V48). */
public final class PgOwners implements Owners {
    private final PgQueries sql;

    public static Owners over(InventoryDatabase database) {
        return new PgOwners(database.queries());
    }

    PgOwners(PgQueries sql) {
        this.sql = sql;
    }

    @Override
    public int put(Owner owner, String by) {
        String what = "recording owner " + owner.name();
        String[] contacts = owner.acmeContacts().stream().map(c -> c.toLowerCase(Locale.ROOT)).distinct()
                .toArray(String[]::new);
        String[] kids = owner.eabKeys().stream().distinct().toArray(String[]::new);
        return sql.inTransactionOf(what, conn -> {
            sql.run(conn, what, "INSERT INTO owner (name, contact, location, updated_by) VALUES ($1, $2, $3, $4) "
                    + "ON CONFLICT (name) DO UPDATE SET contact = EXCLUDED.contact, location = EXCLUDED.location, "
                    + "updated_at = now(), updated_by = EXCLUDED.updated_by",
                    Tuple.of(owner.name(), owner.contact(), owner.location(), by));
            for (Row taken : sql.run(conn, what, "SELECT contact, owner FROM owner_acme_contact "
                    + "WHERE contact = ANY($1) AND owner <> $2", Tuple.of((Object) contacts, owner.name()))) {
                throw new PkiException(ErrorKind.MALFORMED, "acmeContacts: " + taken.getString(0)
                        + " belongs to owner " + taken.getString(1));
            }
            sql.run(conn, what, "DELETE FROM owner_acme_contact WHERE owner = $1 AND NOT contact = ANY($2)",
                    Tuple.of(owner.name(), (Object) contacts));
            sql.run(conn, what, "INSERT INTO owner_acme_contact (contact, owner) SELECT unnest($1::text[]), $2 "
                    + "ON CONFLICT (contact) DO NOTHING", Tuple.of((Object) contacts, owner.name()));
            List<String> known = new ArrayList<>();
            sql.run(conn, what, "SELECT kid FROM eab_key WHERE kid = ANY($1)", Tuple.of((Object) kids))
                    .forEach(r -> known.add(r.getString(0)));
            for (String kid : kids) {
                if (!known.contains(kid)) {
                    throw new PkiException(ErrorKind.MALFORMED, "eabKeys: no EAB key has id " + kid);
                }
            }
            sql.run(conn, what, "UPDATE eab_key SET owner = NULL WHERE owner = $1 AND NOT kid = ANY($2)",
                    Tuple.of(owner.name(), (Object) kids));
            sql.run(conn, what, "UPDATE eab_key SET owner = $1 WHERE kid = ANY($2)", Tuple.of(owner.name(), (Object) kids));
            // The certificates the mapped accounts already have: their orders name the serials in hex.
            List<BigDecimal> serials = new ArrayList<>();
            sql.run(conn, what, "SELECT o.cert_serial FROM acme_order o JOIN acme_account a ON a.id = o.account_id "
                    + "WHERE o.cert_serial IS NOT NULL AND (a.eab_kid = ANY($1) OR EXISTS (SELECT 1 FROM "
                    + "jsonb_array_elements_text(a.contact::jsonb) c WHERE lower(c) = ANY($2)))",
                    Tuple.of((Object) kids, (Object) Arrays.stream(contacts).map(c -> "mailto:" + c).toArray(String[]::new)))
                    .forEach(r -> serials.add(new BigDecimal(new BigInteger(r.getString(0), 16))));
            if (serials.isEmpty()) {
                return 0;
            }
            return sql.run(conn, what, "INSERT INTO certificate_owner (ca_id, serial, owner, updated_by) "
                    + "SELECT ca_id, serial, $1, $2 FROM certificate WHERE serial = ANY($3::numeric[]) "
                    + "ON CONFLICT (ca_id, serial) DO UPDATE SET owner = EXCLUDED.owner, updated_at = now(), "
                    + "updated_by = EXCLUDED.updated_by WHERE certificate_owner.owner IS NULL",
                    Tuple.of(owner.name(), by, (Object) serials.toArray(BigDecimal[]::new))).rowCount();
        });
    }

    @Override
    public Optional<Owner> owner(String name) {
        return select("WHERE w.name = $1", Tuple.of(name)).stream().findFirst();
    }

    @Override
    public List<Owner> owners(int limit) {
        return select("ORDER BY w.name LIMIT $1", Tuple.of(limit));
    }

    private List<Owner> select(String rest, Tuple params) {
        return sql.rows("reading owners", "SELECT w.name, w.contact, w.location, "
                        + "ARRAY(SELECT contact FROM owner_acme_contact m WHERE m.owner = w.name ORDER BY contact), "
                        + "ARRAY(SELECT kid FROM eab_key k WHERE k.owner = w.name ORDER BY kid) "
                        + "FROM owner w " + rest, params).stream()
                .map(r -> new Owner(r.getString(0), r.getString(1), r.getString(2), strings(r, 3), strings(r, 4)))
                .toList();
    }

    @Override
    public void assign(long caId, BigInteger serial, Ownership ownership, String by) {
        String what = "recording the owner of certificate " + serial.toString(16);
        sql.inTransactionOf(what, conn -> {
            if (ownership.owner() != null && sql.run(conn, what, "SELECT 1 FROM owner WHERE name = $1",
                    Tuple.of(ownership.owner())).size() == 0) {
                throw new PkiException(ErrorKind.NOT_FOUND, "no owner is named " + ownership.owner());
            }
            sql.run(conn, what, "INSERT INTO certificate_owner (ca_id, serial, owner, location, tags, updated_by) "
                            + "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (ca_id, serial) DO UPDATE SET "
                            + "owner = EXCLUDED.owner, location = EXCLUDED.location, tags = EXCLUDED.tags, "
                            + "updated_at = now(), updated_by = EXCLUDED.updated_by",
                    Tuple.of(caId, new BigDecimal(serial), ownership.owner(), ownership.location(),
                            ownership.tags().toArray(String[]::new), by));
            return null;
        });
    }

    @Override
    public Map<String, Ownership> ownership(Collection<CertificateRecord> certificates) {
        Map<String, Ownership> found = new HashMap<>();
        if (certificates.isEmpty()) {
            return found;
        }
        Long[] cas = certificates.stream().map(CertificateRecord::caId).toArray(Long[]::new);
        BigDecimal[] serials = certificates.stream().map(c -> new BigDecimal(c.serial())).toArray(BigDecimal[]::new);
        sql.rows("reading the owners of certificates", "SELECT o.ca_id, o.serial, o.owner, o.location, o.tags "
                        + "FROM certificate_owner o JOIN unnest($1::bigint[], $2::numeric[]) AS k(ca_id, serial) "
                        + "ON o.ca_id = k.ca_id AND o.serial = k.serial", Tuple.of((Object) cas, (Object) serials))
                .forEach(r -> found.put(Owners.key(r.getLong(0), r.getNumeric(1).bigIntegerValue()),
                        new Ownership(r.getString(2), r.getString(3), strings(r, 4))));
        return found;
    }

    @Override
    public List<BigInteger> serialsOfAccount(String accountId, int limit) {
        return serials("SELECT cert_serial FROM acme_order WHERE account_id = $1 AND cert_serial IS NOT NULL "
                + "ORDER BY created_at DESC LIMIT $2", accountId, limit);
    }

    @Override
    public List<BigInteger> serialsOfEabKey(String kid, int limit) {
        return serials("SELECT o.cert_serial FROM acme_account a JOIN acme_order o ON o.account_id = a.id "
                + "WHERE a.eab_kid = $1 AND o.cert_serial IS NOT NULL ORDER BY o.created_at DESC LIMIT $2", kid, limit);
    }

    private List<BigInteger> serials(String statement, String id, int limit) {
        return sql.rows("reading the certificates of ACME orders", statement, Tuple.of(id, limit)).stream()
                .map(r -> new BigInteger(r.getString(0), 16)).toList();
    }

    private static List<String> strings(Row r, int column) {
        String[] values = r.getArrayOfStrings(column);
        return values == null ? List.of() : Arrays.asList(values);
    }
}
