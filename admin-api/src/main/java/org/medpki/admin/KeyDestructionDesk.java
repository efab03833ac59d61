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
import org.medpki.core.inventory.CaRole;
import org.medpki.core.retirement.KeyRetirementService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retirement of an issuing CA's key through the admin API, under dual control: a requester (or a
 * security officer) asks ({@code POST /api/v1/key-destructions}), and the request runs once
 * {@link Approvals#keyDestruction()} approvers (at least two) other than the requester approved it
 * (through the requests' approve/reject calls of {@link RevocationDesk}, which hands an approved
 * request of kind {@code key-destruction} to {@link #run}). Running it asks the CA (the CA API's
 * {@code key-destructions}, granted to the admin service as {@code destroyKeys}) to sign the CA's
 * final CRLs and destroy the key in the CA token, naming the requester and the approvers. The
 * request is checked when it is made with the CA's own rules ({@link KeyRetirementService#plan}:
 * the name, the key, every certificate of it and under it expired or revoked, or the key
 * compromised; not destroyed yet), so that what the approvers approve is what the CA will do; the
 * CA checks again when it runs. OCSP signer keys are refused here: they are in the OCSP token, which
 * the CA service does not open; they are retired on the CA host ({@code pki ca destroy-key}). A CA
 * that refuses for good (the key no longer qualifies, or was destroyed meanwhile) ends the request
 * failed with its reason; a CA that does not answer leaves it running for the next round. Blocking.
 */
public final class KeyDestructionDesk {
    static final String KIND = "key-destruction";
    private static final Logger LOG = LoggerFactory.getLogger(KeyDestructionDesk.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    /** Asks the CA to retire and destroy a CA key (the CA API); answers the CA's record as JSON. */
    public interface KeyDestroyer {
        JsonObject destroy(String ca, String keySha256, String actor, List<String> approvers);
    }

    private final KeyRetirementService checks;
    private final AdminRequests requests;
    private final KeyDestroyer destroyer;
    private final AuditLog audit;
    private final Clock clock;
    private final Approvals approvals;

    /**
     * {@code checks}: the CA's retirement rules over the inventory (no token: it only plans);
     * {@code desk} hands approved key destruction requests to this one.
     */
    public KeyDestructionDesk(KeyRetirementService checks, AdminRequests requests, KeyDestroyer destroyer,
                              AuditLog audit, Clock clock, Approvals approvals, RevocationDesk desk) {
        this.checks = checks;
        this.requests = requests;
        this.destroyer = destroyer;
        this.audit = audit;
        this.clock = clock;
        this.approvals = approvals;
        desk.handle(KIND, this::run);
    }

    /** {@code POST /api/v1/key-destructions} {"ca", "keySha256"}: a request waiting for approvals. */
    JsonObject submit(Admin admin, JsonObject body) {
        Bodies.only(body, Set.of("ca", "keySha256"), "");
        if (!(body.getValue("ca") instanceof String name) || !NAME.matcher(name).matches()) {
            throw Problem.badInput("ca", "ca must be the name of an issuing CA (1-100 letters, digits, '.', '_' or '-')");
        }
        Object key = body.getValue("keySha256");
        if (key != null && (!(key instanceof String k) || !SHA256_HEX.matcher(k).matches())) {
            throw Problem.badInput("keySha256", "keySha256 must be the SHA-256 of the key's SubjectPublicKeyInfo, "
                    + "64 lower-case hex digits");
        }
        KeyRetirementService.Plan plan;
        try {
            plan = checks.check(name, (String) key, "admin:" + admin.name());
        } catch (PkiException e) {
            throw Problem.badInput(e.publicDetail().contains("SHA-256") && key != null ? "keySha256" : "ca",
                    e.publicDetail());
        }
        if (plan.ca().record().role() == CaRole.OCSP_SIGNER) {
            audit.recordQuietly(AuditEvent.failure(clock.instant(), "key.destruction_refused", "admin:" + admin.name(),
                    Map.of("ca", name, "keySha256", plan.keySha256(), "why", "an OCSP signer's key is retired on the "
                            + "CA host")));
            throw Problem.badInput("ca", "'" + name + "' is an OCSP signer: its key is in the OCSP token, which the CA "
                    + "service does not open; retire it on the CA host with 'pki ca destroy-key " + name + "'");
        }
        Instant now = clock.instant();
        String id = Bodies.newId();
        JsonObject payload = new JsonObject().put("ca", plan.ca().name()).put("keySha256", plan.keySha256())
                .put("keyLabel", plan.ca().keyLabel()).put("grounds", plan.grounds());
        requests.create(new AdminRequests.Request(id, KIND, "pending-approval", admin.name(), plan.grounds(),
                approvals.keyDestruction(), 0, 0, now, now.plus(approvals.lifetime()), List.of(), List.of(),
                payload.encode()), List.of());
        Map<String, String> details = new LinkedHashMap<>();
        details.put("request", id);
        details.put("kind", KIND);
        details.put("ca", plan.ca().name());
        details.put("keySha256", plan.keySha256());
        details.put("keyLabel", plan.ca().keyLabel());
        details.put("grounds", plan.grounds());
        details.put("approvalsRequired", Integer.toString(approvals.keyDestruction()));
        audit.record(AuditEvent.success(now, "admin.request_created", "admin:" + admin.name(), details));
        return view(requests.request(id).orElseThrow());
    }

    /** {@code GET /api/v1/key-destructions/{id}}: the request, with the CA and key it destroys. */
    JsonObject get(String id) {
        requests.expire(clock.instant());
        return view(requests.request(id).filter(x -> x.kind().equals(KIND))
                .orElseThrow(() -> Problem.notFound("no key destruction request " + Bodies.cut(id))));
    }

    /** Runs an approved request: the CA retires the key, then the request is done (or failed, with the CA's reason). */
    void run(AdminRequests.Request request) {
        String id = request.id();
        JsonObject payload = payloadOf(request);
        String ca = payload.getString("ca");
        String actor = "admin:" + request.requester();
        List<String> approvers = request.approvals().stream().map(a -> "admin:" + a).toList();
        JsonObject done;
        try {
            done = destroyer.destroy(ca, payload.getString("keySha256"), actor, approvers);
        } catch (PkiException e) {
            // The CA or its token away, or the admin row without destroyKeys (an older installation): tried again.
            if (!Set.of(ErrorKind.CONFLICT, ErrorKind.NOT_FOUND, ErrorKind.MALFORMED, ErrorKind.KEY_NOT_FOUND)
                    .contains(e.kind())) {
                LOG.warn("key destruction request {} ({}): the CA did not retire the key now ({}); it is tried again "
                        + "at the next round", id, ca, e.publicDetail());
                throw e;
            }
            if (requests.finish(id, true, payload.copy().put("error", e.publicDetail()).encode())) {
                audit.record(AuditEvent.failure(clock.instant(), "admin.request_failed", actor,
                        Map.of("request", id, "kind", KIND, "ca", ca, "why", e.publicDetail())));
            }
            return;
        }
        if (requests.finish(id, false, payload.copy().put("result", done).encode())) {
            audit.record(AuditEvent.success(clock.instant(), "admin.request_done", actor,
                    Map.of("request", id, "kind", KIND, "ca", ca, "keySha256", payload.getString("keySha256"),
                            "outcome", "destroyed")));
        }
    }

    private static JsonObject payloadOf(AdminRequests.Request request) {
        if (request.payload() == null) {
            throw new PkiException(ErrorKind.INTERNAL, "request " + request.id() + " has no payload");
        }
        try {
            return new JsonObject(request.payload());
        } catch (DecodeException e) {
            throw new PkiException(ErrorKind.INTERNAL, "the payload of request " + request.id()
                    + " is not a key destruction");
        }
    }

    static JsonObject view(AdminRequests.Request r) {
        JsonObject payload = r.payload() == null ? new JsonObject() : new JsonObject(r.payload());
        return RevocationDesk.view(r).put("ca", payload.getString("ca")).put("keySha256", payload.getString("keySha256"));
    }
}
