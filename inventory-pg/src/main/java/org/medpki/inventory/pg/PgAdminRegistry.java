package org.medpki.inventory.pg;

import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.medpki.admin.Admin;
import org.medpki.admin.AdminRegistry;
import org.medpki.admin.AdminRole;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

/** {@link AdminRegistry} on PostgreSQL (tables of V46). */
public final class PgAdminRegistry implements AdminRegistry {
    private final PgQueries sql;

    /** The admin tables over {@code database}'s pool. */
    public static AdminRegistry over(InventoryDatabase database) {
        return new PgAdminRegistry(database.queries());
    }

    PgAdminRegistry(PgQueries sql) {
        this.sql = sql;
    }

    @Override
    public Optional<Admin> holder(long caId, BigInteger serial) {
        return sql.rows("reading the administrator of a certificate", "SELECT a.name, a.roles FROM admin_certificate c "
                        + "JOIN admin a ON a.name = c.admin_name WHERE c.ca_id = $1 AND c.serial = $2",
                Tuple.of(caId, new BigDecimal(serial))).stream().findFirst().map(PgAdminRegistry::admin);
    }

    @Override
    public Optional<Admin> enroll(Admin admin, long caId, BigInteger serial, String enrolledBy) {
        String what = "enrolling administrator " + admin.name();
        String[] roles = admin.roles().stream().map(AdminRole::wireName).sorted().toArray(String[]::new);
        return sql.inTransactionOf(what, conn -> {
            Optional<Admin> before = sql.run(conn, what, "SELECT name, roles FROM admin WHERE name = $1 FOR UPDATE",
                    Tuple.of(admin.name())).stream().findFirst().map(PgAdminRegistry::admin);
            if (before.isEmpty()) {
                sql.run(conn, what, "INSERT INTO admin (name, roles, created_by) VALUES ($1, $2, $3)",
                        Tuple.of(admin.name(), roles, enrolledBy));
            } else {
                sql.run(conn, what, "UPDATE admin SET roles = $2, updated_at = now() WHERE name = $1",
                        Tuple.of(admin.name(), (Object) roles));
            }
            sql.run(conn, what, "INSERT INTO admin_certificate (ca_id, serial, admin_name, enrolled_by) "
                    + "VALUES ($1, $2, $3, $4)", Tuple.of(caId, new BigDecimal(serial), admin.name(), enrolledBy));
            return before;
        });
    }

    @Override
    public Optional<Admin> admin(String name) {
        return sql.rows("reading administrator " + name, "SELECT name, roles FROM admin WHERE name = $1",
                Tuple.of(name)).stream().findFirst().map(PgAdminRegistry::admin);
    }

    @Override
    public List<Enrolled> all() {
        return sql.rows("listing administrators", "SELECT a.name, a.roles, ARRAY(SELECT c.serial::text "
                        + "FROM admin_certificate c WHERE c.admin_name = a.name ORDER BY c.enrolled_at) AS serials "
                        + "FROM admin a ORDER BY a.name",
                        Tuple.tuple()).stream()
                .map(r -> new Enrolled(admin(r), Arrays.stream(r.getArrayOfStrings("serials"))
                        .map(d -> new BigInteger(d).toString(16)).toList()))
                .toList();
    }

    @Override
    public void setRoles(String name, Set<AdminRole> roles) {
        String[] wire = roles.stream().map(AdminRole::wireName).sorted().toArray(String[]::new);
        if (sql.run("changing the roles of " + name, "UPDATE admin SET roles = $2, updated_at = now() WHERE name = $1",
                Tuple.of(name, (Object) wire)).rowCount() != 1) {
            throw new PkiException(ErrorKind.NOT_FOUND, "no administrator is named " + name);
        }
    }

    private static Admin admin(Row r) {
        Set<AdminRole> roles = EnumSet.noneOf(AdminRole.class);
        for (String role : r.getArrayOfStrings("roles")) {
            roles.add(AdminRole.ofWireName(role).orElseThrow(() -> new PkiException(ErrorKind.INTERNAL,
                    "the inventory holds an unknown administrator role: " + role)));
        }
        return new Admin(r.getString("name"), roles);
    }
}
