package org.medpki.admin;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.medpki.core.audit.AuditEvent;
import org.medpki.core.audit.AuditLog;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.issuance.IssuedCertificate;
import org.medpki.core.policy.RequestValidator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Administrators through the admin API, under dual control: a security officer asks for a new
 * administrator (a CSR made on their token, whose CN is their name) or for other roles of an
 * existing one; the change runs once enough approvers other than the security officer approved
 * it (two by default). A new administrator's certificate is issued by the CA (the admin profile)
 * and handed out in the request's payload. Every step is audited with the names. Blocking.
 */
public final class AdminDesk {
    private static final Logger LOG = LoggerFactory.getLogger(AdminDesk.class);
    static final String KIND = "admin-change";
    private static final int MAX_CSR = 16 * 1024;

    /** Has the CA issue an administrator's certificate (the CA API, admin profile). */
    public interface Enroller {
        IssuedCertificate issue(byte[] csr, String requester);
    }

    /** Finds the inventory id of the CA named {@code issuer}. */
    public interface CaIds {
        long id(String issuer);
    }

    private final AdminRegistry admins;
    private final AdminRequests requests;
    private final RevocationDesk desk;
    private final Enroller ca;
    private final CaIds caIds;
    private final AuditLog audit;
    private final Clock clock;
    private final Approvals approvals;

    public AdminDesk(AdminRegistry admins, AdminRequests requests, RevocationDesk desk, Enroller ca, CaIds caIds,
                     AuditLog audit, Clock clock, Approvals approvals) {
        this.admins = admins;
        this.requests = requests;
        this.desk = desk;
        this.ca = ca;
        this.caIds = caIds;
        this.audit = audit;
        this.clock = clock;
        this.approvals = approvals;
        desk.handle(KIND, this::run);
    }

    /** {@code GET /api/v1/admins}. */
    JsonObject list() {
        JsonArray items = new JsonArray();
        for (AdminRegistry.Enrolled e : admins.all()) {
            items.add(new JsonObject().put("name", e.admin().name()).put("roles", wire(e.admin().roles()))
                    .put("certificates", new JsonArray(e.certificates())));
        }
        return new JsonObject().put("items", items);
    }

    /** {@code POST /api/v1/admins}: a request to enroll an administrator (new, or a new certificate). */
    JsonObject requestEnrollment(Admin officer, JsonObject body) {
        Bodies.only(body, Set.of("name", "roles", "csr"), "");
        Admin wanted = admin(body.getValue("name"), body.getValue("roles"));
        if (!(body.getValue("csr") instanceof String csrPem) || csrPem.length() > MAX_CSR) {
            throw Problem.badInput("csr", "csr must be a PKCS#10 request in PEM of at most 16 KiB");
        }
        byte[] csr = der(csrPem);
        Optional<String> cn;
        try {
            cn = RequestValidator.commonName(csr);
        } catch (PkiException e) {
            throw Problem.badInput("csr", e.publicDetail());
        }
        if (cn.isEmpty() || !cn.get().equals(wanted.name())) {
            throw Problem.badInput("csr", "the CSR's CN must be the administrator's name '" + wanted.name() + "'"
                    + cn.map(c -> ", not '" + Bodies.cut(c) + "'").orElse(" (it has none)"));
        }
        JsonObject payload = new JsonObject().put("action", "enroll").put("name", wanted.name())
                .put("roles", wire(wanted.roles())).put("csr", Base64.getEncoder().encodeToString(csr));
        return submit(officer, payload, "enroll " + wanted.name() + " as " + String.join(",", wire(wanted.roles())));
    }

    /** {@code PUT /api/v1/admins/{name}/roles}: a request to give an administrator other roles. */
    JsonObject requestRoles(Admin officer, String name, JsonObject body) {
        Bodies.only(body, Set.of("roles"), "");
        Admin wanted = admin(name, body.getValue("roles"));
        Admin now = admins.admin(name).orElseThrow(() -> Problem.notFound("no administrator is named " + Bodies.cut(name)));
        if (now.roles().equals(wanted.roles())) {
            throw Problem.badInput("roles", name + " holds exactly these roles already");
        }
        JsonObject payload = new JsonObject().put("action", "roles").put("name", name)
                .put("roles", wire(wanted.roles())).put("rolesBefore", wire(now.roles()));
        return submit(officer, payload, "roles of " + name + ": " + String.join(",", wire(wanted.roles())));
    }

    private JsonObject submit(Admin officer, JsonObject payload, String reason) {
        Instant now = clock.instant();
        String id = Bodies.newId();
        int required = approvals.adminChange();
        requests.create(new AdminRequests.Request(id, KIND, "pending-approval", officer.name(), reason, required, 0, 0,
                now, now.plus(approvals.lifetime()), List.of(), List.of(), payload.encode()), List.of());
        Map<String, String> details = new LinkedHashMap<>();
        details.put("request", id);
        details.put("kind", KIND);
        details.put("action", payload.getString("action"));
        details.put("admin", payload.getString("name"));
        details.put("roles", String.join(",", payload.getJsonArray("roles").getList()));
        details.put("approvalsRequired", Integer.toString(required));
        audit.record(AuditEvent.success(now, "admin.request_created", "admin:" + officer.name(), details));
        return RevocationDesk.view(requests.request(id).orElseThrow());
    }

    /** Whether {@code request} changes {@code name}'s enrolment or roles (which they may not approve). */
    static boolean concerns(AdminRequests.Request request, String name) {
        return KIND.equals(request.kind()) && request.payload() != null
                && name.equals(new JsonObject(request.payload()).getString("name"));
    }

    /** Runs an approved change; a refusal by the CA ends the request failed, with the reason. */
    private void run(AdminRequests.Request request) {
        JsonObject payload = new JsonObject(request.payload());
        String name = payload.getString("name");
        Set<AdminRole> roles = roles(payload.getJsonArray("roles"));
        String actor = "admin:" + request.requester();
        Map<String, String> details = new LinkedHashMap<>();
        details.put("request", request.id());
        details.put("admin", name);
        details.put("roles", String.join(",", wire(roles)));
        details.put("approvedBy", String.join(",", request.approvals()));
        if (payload.getString("action").equals("roles")) {
            admins.setRoles(name, roles);
            payload.put("result", new JsonObject().put("roles", wire(roles)));
            requests.finish(request.id(), false, payload.encode());
            audit.record(AuditEvent.success(clock.instant(), "admin.roles_changed", actor, details));
            return;
        }
        IssuedCertificate issued;
        try {
            issued = ca.issue(Base64.getDecoder().decode(payload.getString("csr")), "admin:" + request.requester());
        } catch (PkiException e) {
            if (e.kind() == ErrorKind.CA_UNAVAILABLE || e.kind() == ErrorKind.DATABASE_UNAVAILABLE
                    || e.kind() == ErrorKind.TOKEN_UNAVAILABLE) {
                throw e;   // resumed at the next round
            }
            LOG.warn("request {}: the CA refused the administrator certificate: {}", request.id(), e.publicDetail());
            payload.put("error", e.publicDetail());
            requests.finish(request.id(), true, payload.encode());
            details.put("error", e.publicDetail());
            audit.record(AuditEvent.failure(clock.instant(), "admin.enrolled", actor, details));
            return;
        }
        admins.enroll(new Admin(name, roles), caIds.id(issued.issuer()), issued.serial(), actor);
        payload.put("result", new JsonObject().put("serial", issued.serial().toString(16))
                .put("certificate", issued.pemChain()));
        requests.finish(request.id(), false, payload.encode());
        details.put("serial", issued.serial().toString(16));
        details.put("breakGlass", "false");
        audit.record(AuditEvent.success(clock.instant(), "admin.enrolled", actor, details));
    }

    private static Admin admin(Object name, Object roles) {
        if (!(name instanceof String n)) {
            throw Problem.badInput("name", "name must be the administrator's name");
        }
        if (!(roles instanceof JsonArray list) || list.isEmpty()) {
            throw Problem.badInput("roles", "roles must be a non-empty list of: " + known());
        }
        Set<AdminRole> wanted = EnumSet.noneOf(AdminRole.class);
        for (int i = 0; i < list.size(); i++) {
            String field = "roles[" + i + "]";
            if (!(list.getValue(i) instanceof String r)) {
                throw Problem.badInput(field, field + " must be one of: " + known());
            }
            wanted.add(AdminRole.ofWireName(r).orElseThrow(() -> Problem.badInput(field, field + " '" + Bodies.cut(r)
                    + "' is no role (known: " + known() + ")")));
        }
        try {
            return new Admin(n, wanted);
        } catch (IllegalArgumentException e) {
            throw Problem.badInput("name", e.getMessage());
        }
    }

    private static Set<AdminRole> roles(JsonArray names) {
        Set<AdminRole> roles = EnumSet.noneOf(AdminRole.class);
        names.forEach(n -> roles.add(AdminRole.ofWireName((String) n).orElseThrow()));
        return roles;
    }

    private static List<String> wire(Set<AdminRole> roles) {
        return roles.stream().map(AdminRole::wireName).sorted().toList();
    }

    private static String known() {
        return EnumSet.allOf(AdminRole.class).stream().map(AdminRole::wireName).collect(Collectors.joining(", "));
    }

    private static byte[] der(String pem) {
        String body = pem.replaceAll("-----(BEGIN|END) (NEW )?CERTIFICATE REQUEST-----", "").replaceAll("\\s", "");
        try {
            byte[] der = Base64.getDecoder().decode(body);
            if (der.length == 0) {
                throw new IllegalArgumentException("empty");
            }
            return der;
        } catch (IllegalArgumentException e) {
            throw Problem.badInput("csr", "csr must be a PKCS#10 request in PEM");
        }
    }



}
