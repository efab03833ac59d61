package org.medpki.inventory.pg;

import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.medpki.core.error.ErrorKind;
import org.medpki.admin.Devices;
import org.medpki.core.error.PkiException;
import org.medpki.device.DeviceRegistry;

/**
 * The device registry on PostgreSQL (tables device, device_enrollment_code, device_certificate of
 * V56): the enrollment front ends' port, and registration, listing and decommissioning for the
 * command line on the CA host and the admin API ({@link Devices}).
 */
public final class PgDeviceRegistry implements DeviceRegistry, Devices {
    /** What the registry holds about one device, for listings. */
    public record Registered(long id, String serial, String manufacturer, String model, String location, String owner,
                             String state, Instant registeredAt, String registeredBy, Instant codeExpires,
                             boolean codeUsed, long activeCertificates, String uri, String profile) {
    }

    /**
     * A new registration: the code's hash and sealed copy are made by the caller (EnrollmentCodes).
     * {@code uri} and {@code profile} (null: none given) replace those of a device registered again.
     */
    public record Registration(String serial, String manufacturer, String model, String location, String owner,
                               String registeredBy, String uri, String profile) {
        public Registration(String serial, String manufacturer, String model, String location, String owner,
                            String registeredBy) {
            this(serial, manufacturer, model, location, owner, registeredBy, null, null);
        }
    }

    private static final String DEVICE = "d.id, d.serial, d.manufacturer, d.state, d.uri, d.profile";
    /** The partial unique index of V58: one live device per URI. */
    private static final String URI_INDEX = "device_uri_live";
    private final PgQueries sql;

    public static PgDeviceRegistry over(InventoryDatabase database) {
        return new PgDeviceRegistry(database.queries());
    }

    PgDeviceRegistry(PgQueries sql) {
        this.sql = sql;
    }

    /**
     * Registers a device (or, for one already registered and not decommissioned, replaces its
     * code) and stores its code; {@code seal} seals the code for the new device's id. One
     * transaction. CONFLICT for a decommissioned device.
     */
    public Registered register(Registration r, byte[] codeSha256, java.util.function.LongFunction<byte[]> seal,
                               Instant expires, Instant now) {
        long id;
        try {
            id = registerIn(r, codeSha256, seal, expires, now);
        } catch (PkiException e) {
            // Another registration with the URI committed meanwhile: the index's refusal, said plainly.
            if (e.kind() == ErrorKind.CONFLICT && r.uri() != null && String.valueOf(e.getMessage()).contains(URI_INDEX)) {
                throw uriTaken(r.uri());
            }
            throw e;
        }
        return byId(id, now);
    }

    private static PkiException uriTaken(String uri) {
        return new PkiException(ErrorKind.CONFLICT, "another device that is not decommissioned has the URI " + uri);
    }

    private long registerIn(Registration r, byte[] codeSha256, java.util.function.LongFunction<byte[]> seal,
                            Instant expires, Instant now) {
        return sql.inTransactionOf("registering device " + r.serial(), conn -> {
            List<Row> existing = list(sql.run(conn, "reading device " + r.serial(),
                    "SELECT id, state FROM device WHERE manufacturer = $1 AND serial = $2 FOR UPDATE",
                    Tuple.of(nz(r.manufacturer()), r.serial())));
            long deviceId;
            Long self = existing.isEmpty() ? null : existing.getFirst().getLong("id");
            if (r.uri() != null && sql.run(conn, "checking the URI of device " + r.serial(), "SELECT 1 FROM device "
                    + "WHERE uri = $1 AND state <> 'decommissioned' AND ($2::bigint IS NULL OR id <> $2)",
                    Tuple.of(r.uri(), self)).size() > 0) {
                throw uriTaken(r.uri());
            }
            if (existing.isEmpty()) {
                deviceId = sql.run(conn, "registering device " + r.serial(), "INSERT INTO device (serial, manufacturer, "
                        + "model, location, owner, registered_at, registered_by, uri, profile) VALUES ($1, $2, $3, $4, "
                        + "$5, $6, $7, $8, $9) RETURNING id", Tuple.from(java.util.Arrays.asList(r.serial(),
                        nz(r.manufacturer()), r.model(), r.location(), r.owner(), PgQueries.time(now), r.registeredBy(),
                        r.uri(), r.profile()))).iterator().next().getLong("id");
            } else if ("decommissioned".equals(existing.getFirst().getString("state"))) {
                throw new PkiException(ErrorKind.CONFLICT, "device " + r.serial() + " is decommissioned: it cannot enroll "
                        + "again");
            } else {
                deviceId = existing.getFirst().getLong("id");
                sql.run(conn, "updating device " + r.serial(), "UPDATE device SET model = coalesce($2, model), "
                        + "location = coalesce($3, location), owner = coalesce($4, owner), uri = coalesce($5, uri), "
                        + "profile = coalesce($6, profile) WHERE id = $1",
                        Tuple.from(java.util.Arrays.asList(deviceId, r.model(), r.location(), r.owner(), r.uri(),
                                r.profile())));
            }
            // Replaced, else inserted (the device's row is locked): no ON CONFLICT, which would need
            // the admin API's login to read the codes' columns, which it never does.
            Tuple code = Tuple.of(deviceId, codeSha256, seal.apply(deviceId), PgQueries.time(now), PgQueries.time(expires));
            if (sql.run(conn, "replacing the enrollment code of " + r.serial(), "UPDATE device_enrollment_code SET "
                    + "code_sha256 = $2, code_sealed = $3, created_at = $4, expires_at = $5, used_at = NULL "
                    + "WHERE device_id = $1", code).rowCount() == 0) {
                sql.run(conn, "storing the enrollment code of " + r.serial(), "INSERT INTO device_enrollment_code "
                        + "(device_id, code_sha256, code_sealed, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)", code);
            }
            return deviceId;
        });
    }

    /** Devices, ordered by serial, at most {@code limit}, optionally only those in {@code state}. */
    public List<Registered> list(String state, int limit, Instant now) {
        return sql.rows("listing devices", listing("($1::text IS NULL OR d.state = $1)") + " ORDER BY d.serial, d.manufacturer LIMIT $3",
                Tuple.of(state, PgQueries.time(now), limit)).stream().map(PgDeviceRegistry::registered).toList();
    }

    /** Registered devices with this serial (any manufacturer). */
    public List<Registered> withSerial(String serial, Instant now) {
        return sql.rows("reading device " + serial, listing("d.serial = $1") + " ORDER BY d.manufacturer",
                Tuple.of(serial, PgQueries.time(now))).stream().map(PgDeviceRegistry::registered).toList();
    }

    private Registered byId(long id, Instant now) {
        return sql.rows("reading device " + id, listing("d.id = $1::bigint") + " LIMIT 1",
                Tuple.of(id, PgQueries.time(now))).stream().map(PgDeviceRegistry::registered).findFirst().orElseThrow();
    }

    private static String listing(String where) {
        return "SELECT d.id, d.serial, d.manufacturer, d.model, d.location, d.owner, d.state, d.registered_at, "
                + "d.registered_by, d.uri, d.profile, k.expires_at, k.used_at IS NOT NULL AS code_used, "
                + "(SELECT count(*) FROM device_certificate dc JOIN certificate c ON (c.ca_id, c.serial) = "
                + "(dc.ca_id, dc.serial) WHERE dc.device_id = d.id AND c.status = 'issued' AND c.not_after > $2) AS active "
                + "FROM device d LEFT JOIN device_enrollment_code k ON k.device_id = d.id WHERE " + where;
    }

    /**
     * Marks the device decommissioned (its code spent) and answers its certificates that are
     * still active (issuer CA name, serial), for the caller to revoke. NOT_FOUND for an unknown
     * device; a decommissioned one answers its certificates again (a run that stopped half-way).
     */
    public List<DeviceCertificate> decommission(long deviceId, String by, Instant now) {
        return sql.inTransactionOf("decommissioning device " + deviceId, conn -> {
            sql.run(conn, "decommissioning device " + deviceId, "UPDATE device SET state = 'decommissioned', "
                    + "decommissioned_at = $2, decommissioned_by = $3 WHERE id = $1 AND state <> 'decommissioned'",
                    Tuple.of(deviceId, PgQueries.time(now), by));
            sql.run(conn, "spending the code of device " + deviceId, "UPDATE device_enrollment_code SET used_at = $2 "
                    + "WHERE device_id = $1 AND used_at IS NULL", Tuple.of(deviceId, PgQueries.time(now)));
            return list(sql.run(conn, "reading the certificates of device " + deviceId, "SELECT ca.name, c.serial "
                    + "FROM certificate c JOIN ca ON ca.id = c.ca_id WHERE c.status = 'issued' AND ((c.ca_id, c.serial) IN "
                    + "(SELECT ca_id, serial FROM device_certificate WHERE device_id = $1) OR c.requester LIKE '%:device:' || $1)",
                    Tuple.of(deviceId))).stream()
                    .map(row -> new DeviceCertificate(deviceId, row.getString("name"),
                            row.getBigDecimal("serial").toBigInteger())).toList();
        });
    }

    @Override
    public List<Entry> devices(String state, String serial, String manufacturer, int limit, Instant now) {
        return sql.rows("listing devices", listing("($1::text IS NULL OR d.state = $1) AND ($3::text IS NULL OR "
                + "d.serial = $3) AND ($4::text IS NULL OR d.manufacturer = $4)") + " ORDER BY d.serial, d.manufacturer "
                + "LIMIT $5", Tuple.of(state, PgQueries.time(now), serial, manufacturer, limit)).stream()
                .map(PgDeviceRegistry::registered).map(PgDeviceRegistry::entry).toList();
    }

    @Override
    public Entry registerDevice(NewDevice d, String by, byte[] codeSha256, java.util.function.LongFunction<byte[]> seal,
                                Instant expires, Instant now) {
        return entry(register(new Registration(d.serial(), d.manufacturer(), d.model(), d.location(), d.owner(), by,
                d.uri(), d.profile()), codeSha256, seal, expires, now));
    }

    @Override
    public List<Held> deviceCertificates(long deviceId, int limit) {
        return sql.rows("reading the certificates of device " + deviceId, "SELECT ca.name, c.serial, c.status, "
                + "c.not_after FROM certificate c JOIN ca ON ca.id = c.ca_id WHERE (c.ca_id, c.serial) IN (SELECT ca_id, "
                + "serial FROM device_certificate WHERE device_id = $1) OR c.requester LIKE '%:device:' || $1::bigint "
                + "ORDER BY c.not_after DESC LIMIT $2", Tuple.of(deviceId, limit)).stream()
                .map(r -> new Held(r.getString("name"), r.getBigDecimal("serial").toBigInteger(), r.getString("status"),
                        PgQueries.instant(r, "not_after"))).toList();
    }

    @Override
    public List<InForce> decommissionDevice(long deviceId, String by, Instant now) {
        return decommission(deviceId, by, now).stream().map(c -> new InForce(c.issuer(), c.serial())).toList();
    }

    private static Entry entry(Registered r) {
        return new Entry(r.id(), r.serial(), r.manufacturer(), r.model(), r.location(), r.owner(), r.state(),
                r.registeredAt(), r.codeExpires(), r.codeUsed(), r.activeCertificates(), r.uri(), r.profile());
    }

    @Override
    public Optional<Device> byLiveCode(byte[] codeSha256, String serial, Instant now) {
        return sql.rows("finding a device by its enrollment code", "SELECT " + DEVICE + " FROM device d "
                + "JOIN device_enrollment_code k ON k.device_id = d.id WHERE k.code_sha256 = $1 AND k.used_at IS NULL "
                + "AND k.expires_at > $2 AND d.state <> 'decommissioned' AND ($3::text IS NULL OR d.serial = $3)",
                Tuple.of(codeSha256, PgQueries.time(now), serial)).stream().map(PgDeviceRegistry::device).findFirst();
    }

    @Override
    public Optional<SealedCode> sealedLiveCode(String serial, Instant now) {
        List<Row> rows = sql.rows("reading the enrollment code of " + serial, "SELECT d.id, k.code_sealed FROM device d "
                + "JOIN device_enrollment_code k ON k.device_id = d.id WHERE d.serial = $1 AND k.used_at IS NULL "
                + "AND k.expires_at > $2 AND d.state <> 'decommissioned' LIMIT 2", Tuple.of(serial, PgQueries.time(now)));
        return rows.size() != 1 ? Optional.empty()
                : Optional.of(new SealedCode(rows.getFirst().getLong("id"), PgQueries.bytes(rows.getFirst(), "code_sealed")));
    }

    @Override
    public List<Device> bySerial(String serial) {
        return sql.rows("finding devices by serial", "SELECT " + DEVICE + " FROM device d WHERE d.serial = $1 "
                + "AND d.state <> 'decommissioned'", Tuple.of(serial)).stream().map(PgDeviceRegistry::device).toList();
    }

    @Override
    public Optional<Holder> currentHolder(byte[] certificateDer, Instant now) {
        return sql.rows("finding the device of a certificate", "SELECT " + DEVICE + ", ca.name AS ca_name, c.serial AS "
                + "cert_serial FROM certificate c JOIN device_certificate dc ON (dc.ca_id, dc.serial) = (c.ca_id, c.serial) "
                + "JOIN device d ON d.id = dc.device_id JOIN ca ON ca.id = c.ca_id WHERE c.der = $1 AND c.status = 'issued' "
                + "AND c.not_before <= $2 AND c.not_after > $2 AND d.state <> 'decommissioned'",
                Tuple.of(certificateDer, PgQueries.time(now))).stream().findFirst()
                .map(r -> new Holder(device(r), new DeviceCertificate(r.getLong("id"), r.getString("ca_name"),
                        r.getBigDecimal("cert_serial").toBigInteger())));
    }

    @Override
    public List<Unrecorded> unrecordedCertificates(long deviceId) {
        return sql.rows("finding unrecorded certificates of device " + deviceId, "SELECT ca.name, c.serial, c.der "
                + "FROM certificate c JOIN ca ON ca.id = c.ca_id WHERE c.requester LIKE '%:device:' || $1::bigint "
                + "AND c.status = 'issued' AND NOT EXISTS (SELECT 1 FROM device_certificate dc WHERE "
                + "(dc.ca_id, dc.serial) = (c.ca_id, c.serial)) ORDER BY c.issued_at DESC LIMIT 10", Tuple.of(deviceId))
                .stream().map(r -> new Unrecorded(new DeviceCertificate(deviceId, r.getString("name"),
                        r.getBigDecimal("serial").toBigInteger()), PgQueries.bytes(r, "der"))).toList();
    }

    @Override
    public void recordEnrollment(long deviceId, DeviceCertificate certificate, String protocol, byte[] spentCodeSha256,
                                 Instant supersedeAfter, Instant now) {
        sql.inTransaction("recording a certificate of device " + deviceId, conn -> {
            if (spentCodeSha256 != null && sql.run(conn, "spending the enrollment code of device " + deviceId,
                    "UPDATE device_enrollment_code SET used_at = $3 WHERE device_id = $1 AND code_sha256 = $2 "
                    + "AND used_at IS NULL AND expires_at > $3", Tuple.of(deviceId, spentCodeSha256, PgQueries.time(now)))
                    .rowCount() != 1) {
                throw new PkiException(ErrorKind.CONFLICT, "the enrollment code of the device was spent meanwhile");
            }
            BigDecimal serial = new BigDecimal(certificate.serial());
            // The device's other certificates still in force are superseded after the grace period.
            sql.run(conn, "superseding the earlier certificates of device " + deviceId, "UPDATE device_certificate dc "
                    + "SET supersede_after = $3 FROM certificate c WHERE dc.device_id = $1 AND dc.supersede_after IS NULL "
                    + "AND (c.ca_id, c.serial) = (dc.ca_id, dc.serial) AND c.status = 'issued' AND NOT (dc.serial = $2 AND "
                    + "dc.ca_id = (SELECT id FROM ca WHERE name = $4))",
                    Tuple.of(deviceId, serial, PgQueries.time(supersedeAfter), certificate.issuer()));
            sql.run(conn, "recording a certificate of device " + deviceId, "INSERT INTO device_certificate (ca_id, serial, "
                    + "device_id, protocol, enrolled_at, supersede_after) SELECT id, $2, $1, $3, $4, $5 FROM ca WHERE name = $6 "
                    + "ON CONFLICT (ca_id, serial) DO NOTHING", Tuple.of(deviceId, serial, protocol, PgQueries.time(now),
                    null, certificate.issuer()));
            sql.run(conn, "marking device " + deviceId + " enrolled", "UPDATE device SET state = 'enrolled' "
                    + "WHERE id = $1 AND state = 'registered'", Tuple.of(deviceId));
        });
    }

    @Override
    public void recordSuperseded(DeviceCertificate certificate, String protocol, Instant now) {
        sql.update("recording a superseded certificate of device " + certificate.deviceId(), "INSERT INTO "
                + "device_certificate (ca_id, serial, device_id, protocol, enrolled_at, supersede_after) SELECT id, $2, "
                + "$1, $3, $4, $4 FROM ca WHERE name = $5 ON CONFLICT (ca_id, serial) DO NOTHING",
                Tuple.of(certificate.deviceId(), new BigDecimal(certificate.serial()), protocol, PgQueries.time(now),
                        certificate.issuer()));
    }

    @Override
    public List<DeviceCertificate> dueForSupersession(String requesterPrefix, Instant now, int limit) {
        return sql.rows("finding superseded device certificates", "SELECT dc.device_id, ca.name, c.serial FROM "
                + "device_certificate dc JOIN certificate c ON (c.ca_id, c.serial) = (dc.ca_id, dc.serial) JOIN ca ON "
                + "ca.id = c.ca_id WHERE dc.supersede_after IS NOT NULL AND dc.supersede_after <= $1 AND c.status = 'issued' "
                + "AND starts_with(c.requester, $2) ORDER BY dc.supersede_after LIMIT $3",
                Tuple.of(PgQueries.time(now), requesterPrefix, limit)).stream()
                .map(r -> new DeviceCertificate(r.getLong("device_id"), r.getString("name"),
                        r.getBigDecimal("serial").toBigInteger())).toList();
    }

    private static Device device(Row r) {
        return new Device(r.getLong("id"), r.getString("serial"), r.getString("manufacturer"), r.getString("state"),
                r.getString("uri"), r.getString("profile"));
    }

    private static Registered registered(Row r) {
        return new Registered(r.getLong("id"), r.getString("serial"), r.getString("manufacturer"), r.getString("model"),
                r.getString("location"), r.getString("owner"), r.getString("state"), PgQueries.instant(r, "registered_at"),
                r.getString("registered_by"), PgQueries.instant(r, "expires_at"),
                Boolean.TRUE.equals(r.getBoolean("code_used")), r.getLong("active"), r.getString("uri"),
                r.getString("profile"));
    }

    private static List<Row> list(io.vertx.sqlclient.RowSet<Row> rows) {
        List<Row> l = new java.util.ArrayList<>();
        rows.forEach(l::add);
        return l;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
