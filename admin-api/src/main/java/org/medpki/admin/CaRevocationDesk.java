package org.medpki.admin;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
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
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.core.inventory.Inventory;
import org.medpki.core.revocation.CaRevocationService;
import org.medpki.core.revocation.RevocationReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revocation of an issuing CA or OCSP signer certificate through the admin API, under dual
 * control: a requester (or a security officer) asks ({@code POST /api/v1/ca-revocations}), and the
 * request runs once {@link Approvals#caRevocation()} approvers (two by default) other than the
 * requester approved it (through the requests' approve/reject calls of {@link RevocationDesk},
 * which hands an approved request of kind {@code ca-revocation} to {@link #run}). Running it asks the CA (the CA API's
 * {@code ca-revocations}, granted to the admin service as {@code revokeCas}) to revoke, which also
 * signs and publishes the root's CRL; a CA that does not answer leaves the request running, and it
 * is tried again at the next round. The request is checked when it is made (the name, the role,
 * the reason, not revoked yet), so that what the approvers approve is what the CA will do.
 * Blocking.
 */
public final class CaRevocationDesk {
    static final String KIND = "ca-revocation";
    private static final Logger LOG = LoggerFactory.getLogger(CaRevocationDesk.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    /** Asks the CA to revoke a CA or OCSP signer certificate (the CA API); ALREADY_REVOKED when it was. */
    public interface CaRevoker {
        void revoke(String ca, RevocationReason reason, String actor);
    }

    private final Inventory inventory;
    private final AdminRequests requests;
    private final CaRevoker revoker;
    private final AuditLog audit;
    private final Clock clock;
    private final Approvals approvals;

    /** {@code desk} hands approved CA revocation requests to this one. */
    public CaRevocationDesk(Inventory inventory, AdminRequests requests, CaRevoker revoker, AuditLog audit,
                            Clock clock, Approvals approvals, RevocationDesk desk) {
        this.inventory = inventory;
        this.requests = requests;
        this.revoker = revoker;
        this.audit = audit;
        this.clock = clock;
        this.approvals = approvals;
        desk.handle(KIND, this::run);
    }

    /** {@code POST /api/v1/ca-revocations} {"ca", "reason"}: a request waiting for two approvals. */
    JsonObject submit(Admin admin, JsonObject body) {
        Bodies.only(body, Set.of("ca", "reason"), "");
        if (!(body.getValue("ca") instanceof String name) || !NAME.matcher(name).matches()) {
            throw Problem.badInput("ca", "ca must be the name of an issuing CA or OCSP signer (1-100 letters, digits, "
                    + "'.', '_' or '-')");
        }
        if (!(body.getValue("reason") instanceof String reasonText)) {
            throw Problem.badInput("reason", "reason must be an RFC 5280 reason name, such as keyCompromise or "
                    + "cACompromise");
        }
        RevocationReason reason;
        try {
            reason = RevocationReason.parse(reasonText);
        } catch (IllegalArgumentException e) {
            throw Problem.badInput("reason", e.getMessage());
        }
        Hierarchy hierarchy = Hierarchy.load(inventory);
        CaCertificate target;
        try {
            target = CaRevocationService.revocable(hierarchy, name);
        } catch (PkiException e) {
            throw Problem.badInput("ca", e.publicDetail());
        }
        try {
            CaRevocationService.check(target.record().role(), reason);
        } catch (PkiException e) {
            throw Problem.badInput("reason", e.publicDetail());
        }
        if (inventory.caRevocations().stream().anyMatch(r -> r.caId() == target.record().id())) {
            throw Problem.badInput("ca", "'" + name + "' is revoked already");
        }
        Instant now = clock.instant();
        String id = Bodies.newId();
        requests.create(new AdminRequests.Request(id, KIND, "pending-approval", admin.name(), reason.rfcName(),
                approvals.caRevocation(), 0, 0, now, now.plus(approvals.lifetime()), List.of(), List.of(),
                new JsonObject().put("ca", target.name()).encode()), List.of());
        Map<String, String> details = new LinkedHashMap<>();
        details.put("request", id);
        details.put("kind", KIND);
        details.put("ca", target.name());
        details.put("role", target.record().role().wireName());
        details.put("serial", target.x509().getSerialNumber().toString(16));
        details.put("reason", reason.rfcName());
        details.put("approvalsRequired", Integer.toString(approvals.caRevocation()));
        audit.record(AuditEvent.success(now, "admin.request_created", "admin:" + admin.name(), details));
        return view(requests.request(id).orElseThrow(), target.name());
    }

    /** {@code GET /api/v1/ca-revocations/{id}}: the request, with the CA it revokes. */
    JsonObject get(String id) {
        requests.expire(clock.instant());
        AdminRequests.Request r = requests.request(id).filter(x -> x.kind().equals(KIND))
                .orElseThrow(() -> Problem.notFound("no CA revocation request " + Bodies.cut(id)));
        return view(r, caOf(r));
    }

    /** Runs an approved request: the CA revokes, then the request is done. */
    void run(AdminRequests.Request request) {
        String id = request.id();
        String ca = caOf(request);
        String actor = "admin:" + request.requester();
        String outcome = "revoked";
        try {
            revoker.revoke(ca, RevocationReason.parse(request.reason()), actor);
        } catch (PkiException e) {
            if (e.kind() != ErrorKind.ALREADY_REVOKED) {
                LOG.warn("CA revocation request {} ({}): the CA did not revoke now ({}); it is tried again at the next "
                        + "round", id, ca, e.publicDetail());
                throw e;
            }
            outcome = "already-revoked";
        }
        if (requests.finish(id, false, new JsonObject(request.payload()).put("outcome", outcome).encode())) {
            audit.record(AuditEvent.success(clock.instant(), "admin.request_done", actor,
                    Map.of("request", id, "kind", KIND, "ca", ca, "outcome", outcome)));
        }
    }

    private static String caOf(AdminRequests.Request request) {
        String id = request.id();
        if (request.payload() == null) {
            throw new PkiException(ErrorKind.INTERNAL, "request " + id + " has no payload");
        }
        try {
            return new JsonObject(request.payload()).getString("ca");
        } catch (DecodeException | ClassCastException e) {
            throw new PkiException(ErrorKind.INTERNAL, "the payload of request " + id + " is not a CA revocation");
        }
    }

    static JsonObject view(AdminRequests.Request r, String ca) {
        return RevocationDesk.view(r).put("ca", ca);
    }
}
