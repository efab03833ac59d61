package org.medpki.admin;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.medpki.core.audit.AuditEvent;
import org.medpki.core.audit.AuditLog;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.inventory.CaRecord;
import org.medpki.core.inventory.CertificateRecord;
import org.medpki.core.inventory.Inventory;

/**
 * Owners through the admin API: who owns which certificates (a person or a team, with the address
 * expiry notices go to), each certificate's owner, location and tags, and the ACME account contacts
 * and EAB keys whose certificates an owner gets at issuance. Changes are audited. Blocking.
 */
public final class OwnerDesk {
    private static final Pattern HEX_SERIAL = Pattern.compile("[0-9a-fA-F]{1,40}");
    private static final int MAX_MAPPINGS = 1000;

    private final Owners owners;
    private final Inventory inventory;
    private final AuditLog audit;
    private final Clock clock;

    public OwnerDesk(Owners owners, Inventory inventory, AuditLog audit, Clock clock) {
        this.owners = owners;
        this.inventory = inventory;
        this.audit = audit;
        this.clock = clock;
    }

    /** {@code GET /api/v1/owners}. */
    JsonObject list() {
        JsonArray items = new JsonArray();
        owners.owners(InventoryQueries.MAX_LIMIT).forEach(o -> items.add(view(o)));
        return new JsonObject().put("items", items);
    }

    /** {@code GET /api/v1/owners/{name}}. */
    JsonObject get(String name) {
        return owners.owner(name).map(OwnerDesk::view)
                .orElseThrow(() -> Problem.notFound("no owner is named " + Bodies.cut(name)));
    }

    /** {@code PUT /api/v1/owners/{name}}: creates or replaces the owner and its mappings. */
    JsonObject put(Admin admin, String name, JsonObject body) {
        Bodies.only(body, Set.of("contact", "location", "acmeContacts", "eabKeys"), "");
        if (!Owners.NAME.matcher(name).matches()) {
            throw Problem.badInput("name", "an owner's name is 1-128 letters, digits, spaces or . _ @ -, starting "
                    + "with a letter or digit");
        }
        String contact = address(body.getValue("contact"), "contact");
        String location = location(body.getValue("location"));
        List<String> contacts = list(body, "acmeContacts", Owners.ADDRESS, "an e-mail address");
        List<String> eabKeys = list(body, "eabKeys", Pattern.compile("[A-Za-z0-9_-]{1,128}"), "an EAB key id");
        int assigned;
        try {
            assigned = owners.put(new Owners.Owner(name, contact, location, contacts, eabKeys), actor(admin));
        } catch (PkiException e) {
            if (e.kind() == ErrorKind.MALFORMED) {
                String message = e.getMessage();
                int colon = message.indexOf(':');
                throw Problem.badInput(colon > 0 ? message.substring(0, colon) : "body", message);
            }
            throw e;
        }
        Map<String, String> details = new LinkedHashMap<>();
        details.put("owner", name);
        details.put("contact", contact == null ? "" : contact);
        details.put("acmeContacts", String.join(",", contacts));
        details.put("eabKeys", String.join(",", eabKeys));
        details.put("certificatesAssigned", Integer.toString(assigned));
        audit.record(AuditEvent.success(clock.instant(), "admin.owner_set", actor(admin), details));
        return get(name).put("certificatesAssigned", assigned);
    }

    /** {@code PUT /api/v1/certificates/{serial}/owner}: the certificate's owner, location and tags. */
    JsonObject assign(Admin admin, String serialHex, JsonObject body) {
        Bodies.only(body, Set.of("owner", "location", "tags", "issuer"), "");
        if (!HEX_SERIAL.matcher(serialHex).matches()) {
            throw Problem.badInput("serial", "serial must be a serial in hex (1-40 digits)");
        }
        BigInteger serial = new BigInteger(serialHex, 16);
        Object owner = body.getValue("owner");
        if (owner != null && !(owner instanceof String s && Owners.NAME.matcher(s).matches())) {
            throw Problem.badInput("owner", "owner must be an owner's name, or null");
        }
        String location = location(body.getValue("location"));
        List<String> tags = list(body, "tags", Owners.TAG, "a tag (letters, digits, . _ : / -)");
        if (tags.size() > 32) {
            throw Problem.badInput("tags", "a certificate has at most 32 tags");
        }
        List<CertificateRecord> found = new ArrayList<>(inventory.certificatesWithSerial(serial));
        if (body.getValue("issuer") != null) {
            if (!(body.getValue("issuer") instanceof String issuer)) {
                throw Problem.badInput("issuer", "issuer must be a CA's name");
            }
            long caId = inventory.ca(issuer).map(CaRecord::id)
                    .orElseThrow(() -> Problem.badInput("issuer", "no CA is named " + Bodies.cut(issuer)));
            found.removeIf(c -> c.caId() != caId);
        }
        if (found.isEmpty()) {
            throw Problem.notFound("no certificate has serial " + serialHex);
        }
        if (found.size() > 1) {
            throw Problem.badInput("issuer", "serial " + serialHex + " is issued by several CAs: name the issuer");
        }
        CertificateRecord certificate = found.getFirst();
        try {
            owners.assign(certificate.caId(), serial, new Owners.Ownership((String) owner, location, tags), actor(admin));
        } catch (PkiException e) {
            if (e.kind() == ErrorKind.NOT_FOUND) {
                throw Problem.badInput("owner", e.getMessage());
            }
            throw e;
        }
        Map<String, String> details = new LinkedHashMap<>();
        details.put("serial", serial.toString(16));
        details.put("owner", owner == null ? "" : (String) owner);
        details.put("location", location == null ? "" : location);
        details.put("tags", String.join(",", tags));
        audit.record(AuditEvent.success(clock.instant(), "admin.certificate_owner_set", actor(admin), details));
        return new JsonObject().put("serial", serial.toString(16)).put("owner", owner).put("location", location)
                .put("tags", new JsonArray(tags));
    }

    private static JsonObject view(Owners.Owner o) {
        return new JsonObject().put("name", o.name()).put("contact", o.contact()).put("location", o.location())
                .put("acmeContacts", new JsonArray(o.acmeContacts())).put("eabKeys", new JsonArray(o.eabKeys()));
    }

    private static String address(Object value, String field) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof String s) || !Owners.ADDRESS.matcher(s).matches()) {
            throw Problem.badInput(field, field + " must be an e-mail address such as pki-team@hospital.example");
        }
        return s;
    }

    private static String location(Object value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof String s) || s.isBlank() || s.length() > 200 || s.chars().anyMatch(Character::isISOControl)) {
            throw Problem.badInput("location", "location must be text of 1-200 characters without control characters");
        }
        return s;
    }

    private static List<String> list(JsonObject body, String field, Pattern each, String what) {
        Object value = body.getValue(field);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof JsonArray array) || array.size() > MAX_MAPPINGS) {
            throw Problem.badInput(field, field + " must be a list of at most " + MAX_MAPPINGS + " entries");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            if (!(array.getValue(i) instanceof String s) || !each.matcher(s).matches()) {
                throw Problem.badInput(field + "[" + i + "]", field + "[" + i + "] must be " + what);
            }
            if (!out.contains(s)) {
                out.add(s);
            }
        }
        return out;
    }


    private static String actor(Admin admin) {
        return "admin:" + admin.name();
    }

}
