package org.medpki.admin;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.medpki.core.audit.AuditEvent;
import org.medpki.core.audit.AuditLog;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.hierarchy.CaRollovers;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.core.hierarchy.IssuerGenerations;
import org.medpki.core.hierarchy.IssuingCaRollover;
import org.medpki.core.inventory.Inventory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rollover of an issuing CA to a new key through the admin API, under dual control: a requester (or
 * a security officer) asks ({@code POST /api/v1/ca-rollovers}), and the request runs once
 * {@link Approvals#caRollover()} approvers (at least two) other than the requester approved it
 * (through the requests' approve/reject calls of {@link RevocationDesk}, which hands an approved
 * request of kind {@code ca-rollover} to {@link #run}). Running it asks the CA (the CA API's
 * {@code ca-rollovers}, granted to the admin service as {@code rolloverCas}), the only process that
 * holds the keys, to generate the key and have the root certify it. The request is checked when it
 * is made, so that what the approvers approve is what the CA will do; a CA that does not answer
 * leaves the request running, tried again at the next round, and a refusal for good ends it failed
 * with the reason. Blocking.
 */
public final class CaRolloverDesk {
    static final String KIND = "ca-rollover";
    private static final Logger LOG = LoggerFactory.getLogger(CaRolloverDesk.class);
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    /** Asks the CA to roll {@code ca} over; {@code switchAt} null is now. Answers what the CA made. */
    public interface CaRoller {
        JsonObject rollover(String ca, Instant switchAt, String actor);
    }

    private final Inventory inventory;
    private final CaRollovers rollovers;
    private final AdminRequests requests;
    private final CaRoller roller;
    private final AuditLog audit;
    private final Clock clock;
    private final Approvals approvals;

    /** {@code desk} hands approved rollover requests to this one. */
    public CaRolloverDesk(Inventory inventory, CaRollovers rollovers, AdminRequests requests, CaRoller roller,
                          AuditLog audit, Clock clock, Approvals approvals, RevocationDesk desk) {
        this.inventory = inventory;
        this.rollovers = rollovers;
        this.requests = requests;
        this.roller = roller;
        this.audit = audit;
        this.clock = clock;
        this.approvals = approvals;
        desk.handle(KIND, this::run);
    }

    /** {@code POST /api/v1/ca-rollovers} {"ca", optional "switchAt"}: a request waiting for its approvals. */
    JsonObject submit(Admin admin, JsonObject body) {
        Bodies.only(body, Set.of("ca", "switchAt"), "");
        if (!(body.getValue("ca") instanceof String name) || !NAME.matcher(name).matches()) {
            throw Problem.badInput("ca", "ca must be the name of an issuing CA as the profiles use it (lower-case "
                    + "letters, digits and '-', at most 63)");
        }
        Instant now = clock.instant();
        Instant switchAt = null;
        if (body.getValue("switchAt") != null) {
            if (!(body.getValue("switchAt") instanceof String text)) {
                throw Problem.badInput("switchAt", "switchAt must be an RFC 3339 time such as 2026-12-24T06:00:00Z");
            }
            try {
                switchAt = Instant.parse(text).truncatedTo(ChronoUnit.SECONDS);
            } catch (DateTimeParseException e) {
                throw Problem.badInput("switchAt", "switchAt must be an RFC 3339 time such as 2026-12-24T06:00:00Z");
            }
            if (switchAt.isBefore(now.minusSeconds(60)) || switchAt.isAfter(now.plus(java.time.Duration.ofDays(365)))) {
                throw Problem.badInput("switchAt", "switchAt must be from now on and at most a year ahead");
            }
        }
        IssuerGenerations generations = new IssuerGenerations(Hierarchy.load(inventory), rollovers.all());
        CaCertificate target;
        try {
            target = IssuingCaRollover.rollable(generations, name);
        } catch (PkiException e) {
            throw Problem.badInput("ca", e.publicDetail());
        }
        String id = Bodies.newId();
        JsonObject payload = new JsonObject().put("ca", target.name());
        if (switchAt != null) {
            payload.put("switchAt", switchAt.toString());
        }
        requests.create(new AdminRequests.Request(id, KIND, "pending-approval", admin.name(), "key rollover",
                approvals.caRollover(), 0, 0, now, now.plus(approvals.lifetime()), List.of(), List.of(),
                payload.encode()), List.of());
        List<CaCertificate> all = generations.generations(target.name());
        Map<String, String> details = new LinkedHashMap<>();
        details.put("request", id);
        details.put("kind", KIND);
        details.put("ca", target.name());
        details.put("current", all.getLast().name());
        details.put("currentKeyLabel", all.getLast().keyLabel());
        details.put("switchAt", switchAt == null ? "when run" : switchAt.toString());
        details.put("approvalsRequired", Integer.toString(approvals.caRollover()));
        audit.record(AuditEvent.success(now, "admin.request_created", "admin:" + admin.name(), details));
        return view(requests.request(id).orElseThrow());
    }

    /** {@code GET /api/v1/ca-rollovers/{id}}: the request, with the CA and (once done) what the CA made. */
    JsonObject get(String id) {
        requests.expire(clock.instant());
        AdminRequests.Request r = requests.request(id).filter(x -> x.kind().equals(KIND))
                .orElseThrow(() -> Problem.notFound("no CA rollover request " + Bodies.cut(id)));
        return view(r);
    }

    /** Runs an approved request: the CA rolls the CA over, then the request is done (or failed, with why). */
    void run(AdminRequests.Request request) {
        String id = request.id();
        JsonObject payload = payload(request);
        String ca = payload.getString("ca");
        Instant switchAt = payload.getString("switchAt") == null ? null : Instant.parse(payload.getString("switchAt"));
        if (switchAt != null && !switchAt.isAfter(clock.instant())) {
            switchAt = null; // approved after the planned switch: issuance switches as soon as it is done
        }
        String actor = "admin:" + request.requester();
        JsonObject done;
        try {
            done = roller.rollover(ca, switchAt, actor);
        } catch (PkiException e) {
            if (e.kind() == ErrorKind.CA_UNAVAILABLE || e.kind() == ErrorKind.DATABASE_UNAVAILABLE
                    || e.kind() == ErrorKind.TOKEN_UNAVAILABLE || e.kind() == ErrorKind.UNAUTHORIZED
                    || e.kind() == ErrorKind.CONFIGURATION) {
                LOG.warn("CA rollover request {} ({}): the CA did not roll over now ({}); it is tried again at the "
                        + "next round", id, ca, e.publicDetail());
                throw e;
            }
            payload.put("error", e.publicDetail());
            if (requests.finish(id, true, payload.encode())) {
                audit.record(AuditEvent.failure(clock.instant(), "admin.request_done", actor,
                        Map.of("request", id, "kind", KIND, "ca", ca, "outcome", "failed", "why", e.publicDetail())));
            }
            return;
        }
        payload.put("result", done);
        if (requests.finish(id, false, payload.encode())) {
            audit.record(AuditEvent.success(clock.instant(), "admin.request_done", actor,
                    Map.of("request", id, "kind", KIND, "ca", ca, "outcome", "rolled-over",
                            "name", String.valueOf(done.getValue("name")),
                            "approvedBy", String.join(",", request.approvals()))));
        }
    }

    private static JsonObject payload(AdminRequests.Request request) {
        if (request.payload() == null) {
            throw new PkiException(ErrorKind.INTERNAL, "request " + request.id() + " has no payload");
        }
        try {
            return new JsonObject(request.payload());
        } catch (DecodeException e) {
            throw new PkiException(ErrorKind.INTERNAL, "the payload of request " + request.id()
                    + " is not a CA rollover");
        }
    }

    static JsonObject view(AdminRequests.Request r) {
        JsonObject payload = payload(r);
        JsonObject out = RevocationDesk.view(r).put("ca", payload.getString("ca"))
                .put("switchAt", payload.getString("switchAt"));
        if (payload.getValue("result") != null) {
            out.put("result", payload.getJsonObject("result"));
        }
        if (payload.getValue("error") != null) {
            out.put("error", payload.getString("error"));
        }
        return out;
    }
}
