package org.medpki.admin;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.medpki.core.audit.AuditEvent;
import org.medpki.core.audit.AuditLog;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.inventory.CaRecord;
import org.medpki.core.inventory.CertificateQuery;
import org.medpki.core.inventory.CertificateRecord;
import org.medpki.core.inventory.CertificateStatus;
import org.medpki.core.inventory.Inventory;
import org.medpki.core.revocation.RevocationReason;
import org.medpki.core.revocation.RevocationService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revocation through the admin API, under dual control: a request names certificates (a list of
 * serials, or a query over the inventory), a dry run shows exactly which, and the request runs
 * once enough administrators other than the requester approved it ({@link Approvals}: by default
 * an operator's revocation of one certificate needs none, up to ten certificates one, more two).
 * Requests of other kinds share the approval rules here and run through {@link #handle}. A running request revokes its certificates one by one through the CA (the only writer
 * of certificate status), marking each done, so that a run stopped half-way resumes where it
 * stopped and revokes nothing twice. Every request, decision and completion is audited with the
 * names of the people. Blocking.
 */
public final class RevocationDesk {
    private static final Logger LOG = LoggerFactory.getLogger(RevocationDesk.class);
    static final int MAX_CERTIFICATES = 100_000;
    private static final Pattern HEX_SERIAL = Pattern.compile("[0-9a-fA-F]{1,40}");

    /** Asks the CA to revoke one certificate (the CA API); throws ALREADY_REVOKED when it was. */
    public interface Revoker {
        void revoke(BigInteger serial, String issuer, RevocationReason reason, String actor);
    }

    private final Inventory inventory;
    private final CertificateFilters filters;
    private final Approvals approvals;
    private final AdminRequests requests;
    private final Revoker revoker;
    private final AuditLog audit;
    private final Clock clock;
    private final Set<String> executing = ConcurrentHashMap.newKeySet();
    private final Map<String, Execution> kinds = new ConcurrentHashMap<>();

    /** Runs an approved request of another kind than revocation (one without items). */
    public interface Execution {
        void run(AdminRequests.Request request);
    }

    public RevocationDesk(Inventory inventory, Owners owners, AdminRequests requests, Revoker revoker, AuditLog audit,
                          Clock clock, Approvals approvals) {
        this.inventory = inventory;
        this.approvals = approvals;
        this.filters = new CertificateFilters(inventory, owners, clock);
        this.requests = requests;
        this.revoker = revoker;
        this.audit = audit;
        this.clock = clock;
    }

    /** {@code POST /api/v1/revocations}: a dry run, or a request (running at once when it needs no approval). */
    JsonObject submit(Admin admin, JsonObject body) {
        Bodies.only(body, Set.of("serials", "query", "reason", "dryRun"), "");
        if (!(body.getValue("reason") instanceof String reasonText)) {
            throw Problem.badInput("reason", "reason must be an RFC 5280 reason name, such as keyCompromise or superseded");
        }
        RevocationReason reason;
        try {
            reason = RevocationReason.parse(reasonText);
        } catch (IllegalArgumentException e) {
            throw Problem.badInput("reason", e.getMessage());
        }
        if (!RevocationService.ALLOWED.contains(reason)) {
            // Checked now: the CA would refuse each revocation of an approved request.
            throw Problem.badInput("reason", "reason " + reason.rfcName() + " is not used for end-entity certificates");
        }
        Object dry = body.getValue("dryRun");
        if (dry != null && !(dry instanceof Boolean)) {
            throw Problem.badInput("dryRun", "dryRun must be true or false");
        }
        boolean dryRun = Boolean.TRUE.equals(dry);
        List<CertificateRecord> selected = select(body);
        int required = approvals.revocation(selected.size(), admin.holds(AdminRole.OPERATOR));
        JsonArray serials = new JsonArray();
        selected.forEach(c -> serials.add(c.serial().toString(16)));
        if (dryRun) {
            return new JsonObject().putNull("id").put("state", "dry-run").put("count", selected.size())
                    .put("approvalsRequired", required).put("serials", serials);
        }
        Instant now = clock.instant();
        String id = Bodies.newId();
        String state = required == 0 ? "running" : "pending-approval";
        requests.create(new AdminRequests.Request(id, "revocation", state, admin.name(), reason.rfcName(), required,
                selected.size(), 0, now, now.plus(approvals.lifetime()), List.of(), List.of(), null),
                selected.stream().map(c -> new AdminRequests.Item(c.caId(), c.serial())).toList());
        Map<String, String> details = new LinkedHashMap<>();
        details.put("request", id);
        details.put("kind", "revocation");
        details.put("count", Integer.toString(selected.size()));
        details.put("reason", reason.rfcName());
        details.put("approvalsRequired", Integer.toString(required));
        audit.record(AuditEvent.success(now, "admin.request_created", actor(admin), details));
        if (required == 0) {
            execute(id);
        }
        return new JsonObject().put("id", id).put("state", state).put("count", selected.size())
                .put("approvalsRequired", required).put("serials", serials);
    }

    /** {@code POST /api/v1/requests/{id}/approve|reject} by an approver who did not make the request. */
    JsonObject decide(Admin admin, String id, boolean approve) {
        requests.expire(clock.instant());
        AdminRequests.Request request = requests.request(id)
                .orElseThrow(() -> Problem.notFound("no request " + Bodies.cut(id)));
        if (request.requester().equals(admin.name())) {
            throw Problem.forbidden("nobody decides on their own request");
        }
        if (AdminDesk.concerns(request, admin.name())) {
            throw Problem.forbidden("nobody decides on a change of their own enrolment or roles");
        }
        AdminRequests.Request after;
        try {
            after = requests.decide(id, admin.name(), approve, clock.instant());
        } catch (PkiException e) {
            if (e.kind() == ErrorKind.CONFLICT) {
                throw Problem.conflict(e.publicDetail());
            }
            throw e;
        }
        Map<String, String> details = new LinkedHashMap<>();
        details.put("request", id);
        details.put("requester", request.requester());
        details.put("approvals", String.join(",", after.approvals()));
        details.put("state", after.state());
        audit.record(AuditEvent.success(clock.instant(), approve ? "admin.request_approved" : "admin.request_rejected",
                actor(admin), details));
        if (after.state().equals("running")) {
            execute(id);
        }
        return view(after);
    }

    /** {@code GET /api/v1/requests}. */
    JsonObject list(String state, int limit) {
        requests.expire(clock.instant());
        JsonArray items = new JsonArray();
        requests.requests(state, limit).forEach(r -> items.add(view(r)));
        return new JsonObject().put("items", items);
    }

    /** {@code GET /api/v1/requests/{id}}. */
    JsonObject get(String id) {
        requests.expire(clock.instant());
        return view(requests.request(id).orElseThrow(() -> Problem.notFound("no request " + Bodies.cut(id))));
    }

    /**
     * Approved requests of {@code kind} run through {@code execution}: requests of every kind share
     * the approval rules, the listing and the resumption here.
     */
    public void handle(String kind, Execution execution) {
        kinds.put(kind, execution);
    }

    /** Runs a request that needs no approval (or has it) now, on a thread of its own. */
    void start(String id) {
        execute(id);
    }


    /** Resumes every running request (at start, and after another instance's approval). */
    public void resume() {
        requests.running().forEach(this::execute);
    }

    /** Runs a request's open items on a thread of its own, once per process at a time. */
    private void execute(String id) {
        if (!executing.add(id)) {
            return;
        }
        Thread.ofVirtual().name("admin-request-" + id).start(() -> {
            try {
                run(id);
            } catch (RuntimeException e) {
                LOG.warn("request {} stopped: {}; it resumes at the next round", id, e.getMessage());
            } finally {
                executing.remove(id);
            }
        });
    }

    private void run(String id) {
        AdminRequests.Request request = requests.request(id).orElseThrow();
        if (!request.kind().equals("revocation")) {
            Execution execution = kinds.get(request.kind());
            if (execution == null) {
                LOG.warn("request {} of kind {} waits for a service that runs that kind", id, request.kind());
            } else {
                execution.run(request);
            }
            return;
        }
        RevocationReason reason = RevocationReason.parse(request.reason());
        String actor = "admin:" + request.requester();
        Map<Long, String> caNames = new ConcurrentHashMap<>();
        while (true) {
            List<AdminRequests.Item> open = requests.openItems(id, 500);
            if (open.isEmpty()) {
                break;
            }
            for (AdminRequests.Item item : open) {
                String issuer = caNames.computeIfAbsent(item.caId(),
                        caId -> inventory.ca(caId).map(CaRecord::name).orElseThrow());
                String outcome;
                try {
                    revoker.revoke(item.serial(), issuer, reason, actor);
                    outcome = "revoked";
                } catch (PkiException e) {
                    if (e.kind() != ErrorKind.ALREADY_REVOKED) {
                        throw e;
                    }
                    outcome = "already-revoked";
                }
                requests.itemDone(id, item, outcome);
            }
        }
        if (requests.finishIfComplete(id)) {
            audit.record(AuditEvent.success(clock.instant(), "admin.request_done", actor,
                    Map.of("request", id, "count", Integer.toString(request.itemCount()))));
        }
    }

    private List<CertificateRecord> select(JsonObject body) {
        Object serials = body.getValue("serials");
        Object query = body.getValue("query");
        if ((serials == null) == (query == null)) {
            throw Problem.badInput("serials", "give either serials (a list of hex serials) or query, not both");
        }
        List<CertificateRecord> selected = new ArrayList<>();
        if (serials != null) {
            if (!(serials instanceof JsonArray list) || list.isEmpty() || list.size() > MAX_CERTIFICATES) {
                throw Problem.badInput("serials", "serials must be a list of 1 to " + MAX_CERTIFICATES + " hex serials");
            }
            Set<BigInteger> seen = new LinkedHashSet<>();
            for (int i = 0; i < list.size(); i++) {
                String field = "serials[" + i + "]";
                if (!(list.getValue(i) instanceof String s) || !HEX_SERIAL.matcher(s).matches()) {
                    throw Problem.badInput(field, field + " must be a serial in hex (1-40 digits)");
                }
                BigInteger serial = new BigInteger(s, 16);
                if (!seen.add(serial)) {
                    throw Problem.badInput(field, field + " repeats serial " + s);
                }
                List<CertificateRecord> found = inventory.certificatesWithSerial(serial);
                if (found.isEmpty()) {
                    throw Problem.badInput(field, field + ": no certificate has serial " + s);
                }
                for (CertificateRecord c : found) {
                    if (c.status() != CertificateStatus.ISSUED) {
                        throw Problem.badInput(field, field + ": certificate " + s + " is "
                                + c.status().name().toLowerCase(java.util.Locale.ROOT) + ", not issued");
                    }
                    selected.add(c);
                }
            }
        } else {
            if (!(query instanceof JsonObject q)) {
                throw Problem.badInput("query", "query must be an object of filters: "
                        + String.join(", ", CertificateFilters.NAMES.stream().sorted().toList()));
            }
            Bodies.only(q, CertificateFilters.NAMES, "query.");
            CertificateQuery filter = filters.parse(q::getValue, "query.", CertificateStatus.ISSUED, MAX_CERTIFICATES);
            if (!CertificateFilters.filters(filter)) {
                throw Problem.badInput("query", "a query names at least one filter: "
                        + String.join(", ", CertificateFilters.NAMES.stream().sorted().toList()));
            }
            selected.addAll(inventory.list(filter));
            if (selected.isEmpty()) {
                throw Problem.badInput("query", "the query matches no issued certificate");
            }
        }
        return selected;
    }

    static JsonObject view(AdminRequests.Request r) {
        return new JsonObject().put("id", r.id()).put("kind", r.kind()).put("state", r.state())
                .put("requester", r.requester()).put("reason", r.reason()).put("count", r.itemCount())
                .put("done", r.itemsDone()).put("approvalsRequired", r.approvalsRequired())
                .put("approvals", new JsonArray(r.approvals())).put("rejections", new JsonArray(r.rejections()))
                .put("createdAt", r.createdAt().toString()).put("expiresAt", r.expiresAt().toString())
                .put("payload", r.payload() == null ? null : new JsonObject(r.payload()));
    }



    private static String actor(Admin admin) {
        return "admin:" + admin.name();
    }


}
