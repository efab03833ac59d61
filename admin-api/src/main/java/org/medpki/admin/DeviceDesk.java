package org.medpki.admin;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.medpki.core.audit.AuditEvent;
import org.medpki.core.audit.AuditLog;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.revocation.RevocationReason;
import org.medpki.core.profile.CertificateProfile;
import org.medpki.device.DeviceNames;
import org.medpki.device.DeviceRegistry;
import org.medpki.device.EnrollmentCodes;

/**
 * {@code /api/v1/devices}: the device registry for PKI operators. A registration answers the
 * device's one-time enrollment code once (it is in no log line and no audit entry; the registry
 * keeps its hash and a copy sealed with the code key). A decommission spends the code and has the
 * CA revoke the device's certificates in force (cessationOfOperation), as {@code pki device
 * decommission} does on the CA host. Audited. Blocking.
 */
public final class DeviceDesk {
    /** As {@code pki device register} accepts it: unique per manufacturer, safe in a URL and a log line. */
    static final Pattern SERIAL = org.medpki.device.DeviceRegistry.SERIAL;
    private static final Set<String> STATES = Set.of("registered", "enrolled", "decommissioned");
    private static final Set<String> LIST_PARAMETERS = Set.of("state", "serial", "manufacturer", "limit");
    private static final int MAX_CERTIFICATES = 100;

    private final Devices devices;
    private final Supplier<EnrollmentCodes> codes;
    private final RevocationDesk.Revoker revoker;
    private final AuditLog audit;
    private final Clock clock;
    private final Duration codeLifetime;
    private final String defaultProfile;
    private final Map<String, CertificateProfile> profiles;

    /**
     * @param codes          the code key of the enrollment services (read when a device is registered:
     *                       an installation without one can still list and decommission)
     * @param revoker        the CA API, which revokes the certificates of a decommissioned device
     * @param codeLifetime   how long a new code is valid (devices.codeLifetime)
     * @param defaultProfile the profile of a device registered without one (devices.profile)
     * @param profiles       the profiles a device may be registered under (devices.profiles), by name;
     *                       holds {@code defaultProfile}
     */
    public DeviceDesk(Devices devices, Supplier<EnrollmentCodes> codes, RevocationDesk.Revoker revoker, AuditLog audit,
                      Clock clock, Duration codeLifetime, String defaultProfile,
                      Map<String, CertificateProfile> profiles) {
        this.devices = devices;
        this.codes = codes;
        this.revoker = revoker;
        this.audit = audit;
        this.clock = clock;
        this.codeLifetime = codeLifetime;
        this.defaultProfile = defaultProfile;
        this.profiles = Map.copyOf(profiles);
        if (!this.profiles.containsKey(defaultProfile)) {
            throw new IllegalArgumentException("the device profiles " + this.profiles.keySet() + " do not hold "
                    + defaultProfile);
        }
    }

    /** {@code GET /api/v1/devices}: {"items": [...]}, filtered by state, serial and manufacturer. */
    JsonObject list(MultiMap params) {
        for (String name : params.names()) {
            if (!LIST_PARAMETERS.contains(name)) {
                throw Problem.badInput(Bodies.cut(name), "unknown parameter " + Bodies.cut(name) + " (known: "
                        + String.join(", ", LIST_PARAMETERS.stream().sorted().toList()) + ")");
            }
        }
        String state = single(params, "state");
        if (state != null && !STATES.contains(state)) {
            throw Problem.badInput("state", "state must be registered, enrolled or decommissioned");
        }
        String serial = single(params, "serial");
        if (serial != null && !SERIAL.matcher(serial).matches()) {
            throw Problem.badInput("serial", serialRule());
        }
        String manufacturer = text(single(params, "manufacturer"), "manufacturer", 128);
        String limitText = single(params, "limit");
        int limit = InventoryQueries.DEFAULT_LIMIT;
        if (limitText != null) {
            if (!limitText.matches("[0-9]{1,9}") || Integer.parseInt(limitText) < 1) {
                throw Problem.badInput("limit", "limit must be a whole number from 1 to " + InventoryQueries.MAX_LIMIT);
            }
            // Clamped: a reader asking for more gets a full page, not a refusal.
            limit = Math.min(Integer.parseInt(limitText), InventoryQueries.MAX_LIMIT);
        }
        JsonArray items = new JsonArray();
        devices.devices(state, serial, manufacturer, limit, clock.instant()).forEach(d -> items.add(view(d)));
        return new JsonObject().put("items", items);
    }

    /** {@code GET /api/v1/devices/{serial}}: the device and its certificates (newest first). */
    JsonObject get(String serial, MultiMap params) {
        Devices.Entry device = one(serial, text(single(params, "manufacturer"), "manufacturer", 128));
        JsonArray certificates = new JsonArray();
        for (Devices.Held c : devices.deviceCertificates(device.id(), MAX_CERTIFICATES)) {
            certificates.add(new JsonObject().put("issuer", c.issuer()).put("serial", c.serial().toString(16))
                    .put("status", c.status()).put("notAfter", c.notAfter() == null ? null : c.notAfter().toString()));
        }
        return view(device).put("certificates", certificates);
    }

    /**
     * {@code POST /api/v1/devices}: 201 {serial, manufacturer, enrollmentCode, expires, and uri and
     * profile when the device has them}.
     */
    JsonObject register(Admin admin, JsonObject body) {
        Bodies.only(body, Set.of("serial", "manufacturer", "model", "location", "owner", "uri", "profile"), "");
        if (!(body.getValue("serial") instanceof String serial) || !SERIAL.matcher(serial).matches()) {
            throw Problem.badInput("serial", serialRule());
        }
        String manufacturer = text(body.getValue("manufacturer"), "manufacturer", 128);
        String model = text(body.getValue("model"), "model", 128);
        String location = text(body.getValue("location"), "location", 128);
        String owner = text(body.getValue("owner"), "owner", 128);
        String uri = null;
        if (body.getValue("uri") != null) {
            String problem = body.getValue("uri") instanceof String s ? DeviceNames.uriProblem(s) : "must be a string";
            if (problem != null) {
                throw Problem.badInput("uri", "uri " + problem);
            }
            uri = body.getString("uri");
        }
        String profile = null;
        if (body.getValue("profile") != null) {
            if (!(body.getValue("profile") instanceof String p) || !profiles.containsKey(p)) {
                throw Problem.badInput("profile", "profile must be one of the device profiles ("
                        + String.join(", ", profiles.keySet().stream().sorted().toList()) + ")");
            }
            profile = p;
        }
        checkNames(serial, manufacturer, uri, profile);
        EnrollmentCodes sealer;
        try {
            sealer = codes.get();
        } catch (PkiException e) {
            // The key file's path and state are for the service's operator, not the API's client.
            throw Problem.unavailable("this admin service has no device code key: copy the CA host's to it");
        }
        String code = EnrollmentCodes.newCode();
        Instant now = clock.instant();
        Instant expires = now.plus(codeLifetime);
        Devices.Entry device;
        try {
            device = devices.registerDevice(new Devices.NewDevice(serial, manufacturer, model, location, owner, uri,
                    profile), actor(admin), EnrollmentCodes.hash(code), id -> sealer.seal(code, id), expires, now);
        } catch (PkiException e) {
            if (e.kind() == ErrorKind.CONFLICT) {
                // The registry's own sentence: the device is decommissioned, or its URI is another's.
                throw Problem.conflict(e.getMessage());
            }
            throw e;
        }
        audit.record(AuditEvent.success(now, "device.registered", actor(admin),
                DeviceRegistry.registeredDetails(serial, manufacturer, uri, profile, expires)));
        JsonObject out = new JsonObject().put("serial", device.serial()).put("manufacturer", device.manufacturer())
                .put("enrollmentCode", code).put("expires", expires.toString());
        if (device.uri() != null) {
            out.put("uri", device.uri());
        }
        if (device.profile() != null) {
            out.put("profile", device.profile());
        }
        return out;
    }

    /**
     * Refuses a registration the CA would refuse at enrollment: the device's profile (the one
     * given, else the one it has, else devices.profile) must take its URI (the one given, else the
     * one it has), and one that needs a subjectAltName needs a URI.
     */
    private void checkNames(String serial, String manufacturer, String uri, String profile) {
        Devices.Entry existing = devices.devices(null, serial, manufacturer == null ? "" : manufacturer, 1,
                clock.instant()).stream().findFirst().orElse(null);
        String effectiveUri = uri != null ? uri : existing == null ? null : existing.uri();
        String effectiveProfile = profile != null ? profile
                : existing != null && existing.profile() != null ? existing.profile() : defaultProfile;
        CertificateProfile p = profiles.get(effectiveProfile);
        if (p == null) {
            throw Problem.badInput("profile", "device " + serial + " has profile " + effectiveProfile
                    + ", which is no longer a device profile: give one of " + String.join(", ",
                    profiles.keySet().stream().sorted().toList()));
        }
        String problem = DeviceNames.profileProblem(p, effectiveUri);
        if (problem != null) {
            throw Problem.badInput(uri != null || effectiveUri == null ? "uri" : "profile", problem);
        }
    }

    /**
     * {@code POST /api/v1/devices/{serial}/decommission}: {serial, state, revoked}. The device is
     * marked first, so that it cannot enroll while its certificates are revoked; a revocation that
     * fails leaves it decommissioned, and repeating the call revokes the rest.
     */
    JsonObject decommission(Admin admin, String serial, JsonObject body) {
        Bodies.only(body, Set.of("manufacturer"), "");
        Devices.Entry device = one(serial, text(body.getValue("manufacturer"), "manufacturer", 128));
        Instant now = clock.instant();
        List<Devices.InForce> inForce = devices.decommissionDevice(device.id(), actor(admin), now);
        List<String> revoked = new ArrayList<>();
        for (Devices.InForce c : inForce) {
            try {
                revoker.revoke(c.serial(), c.issuer(), RevocationReason.CESSATION_OF_OPERATION, actor(admin));
                revoked.add(c.serial().toString(16));
            } catch (PkiException e) {
                if (e.kind() != ErrorKind.ALREADY_REVOKED) {
                    audit.record(AuditEvent.failure(clock.instant(), "device.decommissioned", actor(admin),
                            Map.of("device", serial, "revoked", String.join(" ", revoked),
                                    "failedAt", c.serial().toString(16))));
                    throw Problem.unavailable("device " + serial + " is decommissioned, but the CA did not revoke "
                            + "certificate " + c.serial().toString(16) + ": repeat the decommission");
                }
            }
        }
        Map<String, String> details = new LinkedHashMap<>();
        details.put("device", serial);
        if (!device.manufacturer().isEmpty()) {
            details.put("manufacturer", device.manufacturer());
        }
        details.put("revoked", String.join(" ", revoked));
        audit.record(AuditEvent.success(now, "device.decommissioned", actor(admin), details));
        return new JsonObject().put("serial", serial).put("manufacturer", device.manufacturer())
                .put("state", "decommissioned").put("revoked", new JsonArray(revoked));
    }

    private Devices.Entry one(String serial, String manufacturer) {
        if (!SERIAL.matcher(serial).matches()) {
            throw Problem.badInput("serial", serialRule());
        }
        List<Devices.Entry> found = devices.devices(null, serial, manufacturer, 2, clock.instant());
        if (found.isEmpty()) {
            throw Problem.notFound("no registered device " + serial + (manufacturer == null ? "" : " of "
                    + Bodies.cut(manufacturer)));
        }
        if (found.size() > 1) {
            throw Problem.badInput("manufacturer", "devices of several manufacturers have serial " + serial
                    + ": name one with manufacturer");
        }
        return found.getFirst();
    }

    private static JsonObject view(Devices.Entry d) {
        return new JsonObject().put("serial", d.serial()).put("manufacturer", d.manufacturer()).put("model", d.model())
                .put("location", d.location()).put("owner", d.owner()).put("state", d.state())
                .put("registeredAt", d.registeredAt() == null ? null : d.registeredAt().toString())
                .put("codeExpires", d.codeExpires() == null ? null : d.codeExpires().toString())
                .put("codeUsed", d.codeUsed()).put("activeCertificates", d.activeCertificates())
                .put("uri", d.uri()).put("profile", d.profile());
    }

    /** Optional text as the command line accepts it: 1 to {@code max} characters, no control characters. */
    private static String text(Object value, String field, int max) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof String s) || s.isBlank() || s.length() > max || s.chars().anyMatch(Character::isISOControl)) {
            throw Problem.badInput(field, field + " must be 1 to " + max + " printable characters");
        }
        return s;
    }

    private static String single(MultiMap params, String name) {
        List<String> values = params.getAll(name);
        if (values.size() > 1) {
            throw Problem.badInput(name, name + " may be given once");
        }
        return values.isEmpty() ? null : values.getFirst();
    }

    private static String serialRule() {
        return "serial must start with a letter or digit and hold at most 64 of letters, digits and . _ : / + -";
    }

    private static String actor(Admin admin) {
        return "admin:" + admin.name();
    }
}
