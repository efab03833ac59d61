package org.medpki.admin;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.security.cert.Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.medpki.caapi.CallerAuthenticator;
import org.medpki.caapi.CallerTrust;
import org.medpki.core.audit.AuditBudget;
import org.medpki.core.audit.AuditEvent;
import org.medpki.core.audit.AuditLog;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.listener.ConnectionGuard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API: HTTPS under {@code /api/v1/}, every request authenticated by a client
 * certificate of the admin profile (checked against the inventory by {@link CallerAuthenticator}:
 * issued here, unexpired, not revoked) whose holder the admin tables name, then allowed or refused
 * by the holder's roles (deny by default). Refusals are answered with problem documents and
 * audited within a budget. The OpenAPI document at {@code /api/v1/openapi.json},
 * {@code /health} and Prometheus {@code /metrics} ({@link AdminMetrics}) need no certificate.
 */
public final class AdminApiServer extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(AdminApiServer.class);
    private static final String ADMIN = "medpki.admin";
    /** The DER of the client certificate that authenticated the request. */
    static final String CERTIFICATE = "medpki.admin.certificate";
    private static final Set<AdminRole> ANY_ROLE = EnumSet.allOf(AdminRole.class);
    /** The resources and the method each answers: another method on them is 405, not 404. */
    private static final Map<Pattern, String> RESOURCES = Map.of(
            Pattern.compile("/health|/metrics|/api/v1/openapi\\.json|/api/v1/me|/api/v1/certificates|/api/v1/audit"
                    + "|/api/v1/kpis|/api/v1/expiry-timeline|/api/v1/audit/verification|/api/v1/compliance-report"
                    + "|/api/v1/certificates/[^/]+/(?!owner$)[^/]+(/pem|/der)?"), "GET",
            Pattern.compile("/api/v1/requests(/[^/]+)?|/api/v1/owners|/api/v1/ca-revocations/[^/]+"), "GET",
            Pattern.compile("/api/v1/owners/[^/]+"), "GET, PUT",
            Pattern.compile("/api/v1/certificates/[^/]+/owner|/api/v1/admins/[^/]+/roles"), "PUT",
            Pattern.compile("/api/v1/admins|/api/v1/devices"), "GET, POST",
            Pattern.compile("/api/v1/revocations|/api/v1/ca-revocations|/api/v1/requests/[^/]+/(approve|reject)"), "POST",
            Pattern.compile("/api/v1/key-destructions"), "POST",
            Pattern.compile("/api/v1/key-destructions/[^/]+"), "GET",
            Pattern.compile("/api/v1/ca-rollovers/[^/]+|/api/v1/devices/[^/]+"), "GET",
            Pattern.compile("/api/v1/ca-rollovers|/api/v1/devices/[^/]+/decommission"), "POST");
    /** A mass revocation by serials: 100,000 hex serials of 20 octets fit. */
    private static final int MAX_BODY = 5 * 1024 * 1024;
    private static final Set<String> REQUEST_STATES = Set.of("pending-approval", "running", "done", "rejected",
            "expired", "failed");

    /** The API's own TLS key and certificate chain (a service certificate naming its host). */
    public record TlsIdentity(String keyPem, String chainPem) {
    }

    private final AdminApiConfig config;
    private final TlsIdentity tls;
    private final CallerAuthenticator authenticator;
    private final AdminRegistry admins;
    private final InventoryQueries queries;
    private final RevocationDesk desk;
    private final OwnerDesk owners;
    private final AdminDesk adminDesk;
    private final CaRevocationDesk caDesk;
    private KeyDestructionDesk keyDesk;
    private DeviceDesk deviceDesk;
    private KpiDesk kpiDesk;
    private AuditVerification auditVerification;
    private java.util.function.Supplier<java.util.Optional<JsonObject>> complianceReports;
    private final CaRolloverDesk rolloverDesk;
    private final AuditLog audit;
    private final Clock clock;
    private final BooleanSupplier ready;
    private final AuditBudget budget;
    private final String openApi;
    private final AdminMetrics metrics;
    private final Csrf csrf = new Csrf(this::refusedCsrf);
    private HttpServer server;

    public AdminApiServer(AdminApiConfig config, TlsIdentity tls, CallerAuthenticator authenticator,
                          AdminRegistry admins, InventoryQueries queries, RevocationDesk desk, OwnerDesk owners,
                          AdminDesk adminDesk, CaRevocationDesk caDesk, CaRolloverDesk rolloverDesk, AuditLog audit,
                          Clock clock, BooleanSupplier ready, AdminMetrics metrics) {
        this.caDesk = caDesk;
        this.rolloverDesk = rolloverDesk;
        this.config = config;
        this.tls = tls;
        this.authenticator = authenticator;
        this.admins = admins;
        this.queries = queries;
        this.desk = desk;
        this.owners = owners;
        this.adminDesk = adminDesk;
        this.audit = audit;
        this.clock = clock;
        this.ready = ready;
        this.budget = new AuditBudget(20, Duration.ofMinutes(1), clock);
        this.openApi = resource("openapi.json");
        this.metrics = metrics;
    }

    /** Offers key retirement under dual control ({@code /api/v1/key-destructions}); before it is deployed. */
    public AdminApiServer keyDestructions(KeyDestructionDesk desk) {
        this.keyDesk = desk;
        return this;
    }

    /** Offers the device registry ({@code /api/v1/devices}); before it is deployed. */
    public AdminApiServer devices(DeviceDesk desk) {
        this.deviceDesk = desk;
        return this;
    }

    /** Offers the KPIs and the expiry timeline, also as metrics; before it is deployed. */
    /**
     * Enables {@code GET /api/v1/compliance-report} (auditors): {@code newest} answers the newest
     * report 'pki report compliance' filed, as {"id", "generatedAt", "filedAt", "ok", "failed",
     * "report"}. Call before deploying.
     */
    public AdminApiServer complianceReports(java.util.function.Supplier<java.util.Optional<JsonObject>> newest) {
        this.complianceReports = newest;
        return this;
    }

    /** Enables {@code GET /api/v1/audit/verification} (auditors). Call before deploying. */
    public AdminApiServer auditVerification(AuditVerification verification) {
        this.auditVerification = verification;
        return this;
    }

    public AdminApiServer kpis(KpiDesk desk) {
        this.kpiDesk = desk;
        metrics.kpis(desk.kpis());
        return this;
    }

    /** The port it listens on (the configured one, or the one chosen for port 0). */
    public int actualPort() {
        return server.actualPort();
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        router.route().handler(metrics::observe);
        router.get("/health").handler(ctx -> blocking(ctx, () -> {
            if (!ready.getAsBoolean()) {
                throw Problem.unavailable("the inventory does not answer");
            }
            return new JsonObject().put("status", "UP");
        }));
        router.get("/metrics").handler(ctx -> offContext(metrics::scrape).onComplete(r -> {
            if (r.succeeded()) {
                ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4").end(r.result());
            } else {
                problem(ctx, asProblem(r.cause()));
            }
        }));
        Console.install(router);
        router.get("/api/v1/openapi.json").handler(ctx -> ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(openApi));
        // Before any asynchronous step, so that no byte of the body is lost; bounded, and the
        // listener's body deadline and connection cap bound what unauthenticated senders can hold.
        router.post("/api/v1/*").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY));
        router.put("/api/v1/*").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY));
        router.route("/api/v1/*").handler(this::authenticate);
        router.route("/api/v1/*").handler(csrf::check);
        router.get("/api/v1/me").handler(ctx -> allowed(ctx, ANY_ROLE,
                () -> me(admin(ctx)).put("csrfToken", csrf.token(ctx.get(CERTIFICATE)))));
        router.get("/api/v1/certificates").handler(ctx -> allowed(ctx, ANY_ROLE,
                () -> queries.certificates(ctx.queryParams())));
        router.get("/api/v1/certificates/:issuer/:serial").handler(ctx -> allowed(ctx, ANY_ROLE,
                () -> queries.detail().describe(ctx.pathParam("issuer"), ctx.pathParam("serial"),
                        admin(ctx).holds(AdminRole.AUDITOR))));
        router.get("/api/v1/certificates/:issuer/:serial/:format").handler(this::download);
        router.get("/api/v1/audit").handler(ctx -> allowed(ctx, EnumSet.of(AdminRole.AUDITOR),
                () -> queries.audit(ctx.queryParams())));
        if (complianceReports != null) {
            router.get("/api/v1/compliance-report").handler(ctx -> allowed(ctx, EnumSet.of(AdminRole.AUDITOR),
                    () -> complianceReports.get().orElseThrow(() -> Problem.notFound("no compliance report has been "
                            + "filed yet: run 'pki report compliance' on the CA host"))));
        }
        if (auditVerification != null) {
            router.get("/api/v1/audit/verification").handler(ctx -> allowed(ctx, EnumSet.of(AdminRole.AUDITOR),
                    auditVerification::status));
        }
        router.post("/api/v1/revocations").handler(ctx -> allowed(ctx, EnumSet.of(AdminRole.REQUESTER, AdminRole.OPERATOR),
                        () -> desk.submit(admin(ctx), jsonBody(ctx))));
        if (caDesk != null) {
            router.post("/api/v1/ca-revocations").handler(ctx -> allowed(ctx,
                    EnumSet.of(AdminRole.REQUESTER, AdminRole.SECURITY_OFFICER), () -> caDesk.submit(admin(ctx), jsonBody(ctx))));
            router.get("/api/v1/ca-revocations/:id").handler(ctx -> allowed(ctx, ANY_ROLE,
                    () -> caDesk.get(ctx.pathParam("id"))));
        }
        if (keyDesk != null) {
            router.post("/api/v1/key-destructions").handler(ctx -> allowed(ctx,
                    EnumSet.of(AdminRole.REQUESTER, AdminRole.SECURITY_OFFICER), () -> keyDesk.submit(admin(ctx), jsonBody(ctx))));
            router.get("/api/v1/key-destructions/:id").handler(ctx -> allowed(ctx, ANY_ROLE,
                    () -> keyDesk.get(ctx.pathParam("id"))));
        }
        if (rolloverDesk != null) {
            router.post("/api/v1/ca-rollovers").handler(ctx -> allowed(ctx,
                    EnumSet.of(AdminRole.REQUESTER, AdminRole.SECURITY_OFFICER),
                    () -> rolloverDesk.submit(admin(ctx), jsonBody(ctx))));
            router.get("/api/v1/ca-rollovers/:id").handler(ctx -> allowed(ctx, ANY_ROLE,
                    () -> rolloverDesk.get(ctx.pathParam("id"))));
        }
        if (deviceDesk != null) {
            router.get("/api/v1/devices").handler(ctx -> allowed(ctx, ANY_ROLE, () -> deviceDesk.list(ctx.queryParams())));
            router.get("/api/v1/devices/:serial").handler(ctx -> allowed(ctx, ANY_ROLE,
                    () -> deviceDesk.get(ctx.pathParam("serial"), ctx.queryParams())));
            router.post("/api/v1/devices").handler(ctx -> allowed(ctx, EnumSet.of(AdminRole.OPERATOR), 201,
                    () -> deviceDesk.register(admin(ctx), jsonBody(ctx))));
            router.post("/api/v1/devices/:serial/decommission").handler(ctx -> allowed(ctx,
                    EnumSet.of(AdminRole.OPERATOR), () -> deviceDesk.decommission(admin(ctx), ctx.pathParam("serial"),
                            ctx.body() == null || ctx.body().isEmpty() ? new JsonObject() : jsonBody(ctx))));
        }
        if (kpiDesk != null) {
            router.get("/api/v1/kpis").handler(ctx -> allowed(ctx, ANY_ROLE, () -> kpiDesk.kpis(ctx.queryParams())));
            router.get("/api/v1/expiry-timeline").handler(ctx -> allowed(ctx, ANY_ROLE,
                    () -> kpiDesk.timeline(ctx.queryParams())));
        }
        router.get("/api/v1/requests").handler(ctx -> allowed(ctx, ANY_ROLE, () -> {
            String state = ctx.queryParams().get("state");
            if (state != null && !REQUEST_STATES.contains(state)) {
                throw Problem.badInput("state", "state must be one of " + String.join(", ", REQUEST_STATES));
            }
            return desk.list(state, InventoryQueries.MAX_LIMIT);
        }));
        router.get("/api/v1/requests/:id").handler(ctx -> allowed(ctx, ANY_ROLE,
                () -> desk.get(ctx.pathParam("id"))));
        router.post("/api/v1/requests/:id/approve").handler(ctx -> allowed(ctx, EnumSet.of(AdminRole.APPROVER),
                () -> desk.decide(admin(ctx), ctx.pathParam("id"), true)));
        router.post("/api/v1/requests/:id/reject").handler(ctx -> allowed(ctx, EnumSet.of(AdminRole.APPROVER),
                () -> desk.decide(admin(ctx), ctx.pathParam("id"), false)));
        router.get("/api/v1/owners").handler(ctx -> allowed(ctx, ANY_ROLE, owners::list));
        router.get("/api/v1/owners/:name").handler(ctx -> allowed(ctx, ANY_ROLE, () -> owners.get(ctx.pathParam("name"))));
        router.put("/api/v1/owners/:name").handler(ctx -> allowed(ctx, EnumSet.of(AdminRole.OPERATOR),
                () -> owners.put(admin(ctx), ctx.pathParam("name"), jsonBody(ctx))));
        router.put("/api/v1/certificates/:serial/owner").handler(ctx -> allowed(ctx, EnumSet.of(AdminRole.OPERATOR),
                () -> owners.assign(admin(ctx), ctx.pathParam("serial"), jsonBody(ctx))));
        router.get("/api/v1/admins").handler(ctx -> allowed(ctx,
                EnumSet.of(AdminRole.SECURITY_OFFICER, AdminRole.AUDITOR), adminDesk::list));
        router.post("/api/v1/admins").handler(ctx -> allowed(ctx, EnumSet.of(AdminRole.SECURITY_OFFICER),
                () -> adminDesk.requestEnrollment(admin(ctx), jsonBody(ctx))));
        router.put("/api/v1/admins/:name/roles").handler(ctx -> allowed(ctx, EnumSet.of(AdminRole.SECURITY_OFFICER),
                () -> adminDesk.requestRoles(admin(ctx), ctx.pathParam("name"), jsonBody(ctx))));
        router.route().handler(ctx -> {
            String path = ctx.request().path();
            String allowed = RESOURCES.entrySet().stream().filter(e -> e.getKey().matcher(path).matches())
                    .map(Map.Entry::getValue).findFirst().orElse(null);
            if (allowed != null) {
                ctx.response().putHeader(HttpHeaders.ALLOW, allowed);
                problem(ctx, Problem.methodNotAllowed(ctx.request().method() + " is not allowed on " + cut(path)
                        + " (" + allowed + " is)"));
            } else {
                problem(ctx, Problem.notFound("no such resource: " + cut(path)));
            }
        });
        router.errorHandler(413, ctx -> problem(ctx, Problem.badInput("body", "the body is larger than "
                + MAX_BODY / (1024 * 1024) + " MiB")));
        router.errorHandler(500, ctx -> {
            LOG.error("admin API request failed", ctx.failure());
            problem(ctx, Problem.internal());
        });
        // Requests approved elsewhere (another instance), or left running by a stopped process.
        offContext(() -> {
            desk.resume();
            return null;
        });
        vertx.setPeriodic(60_000, t -> offContext(() -> {
            desk.resume();
            return null;
        }));
        ConnectionGuard guard = new ConnectionGuard(config.listener());
        metrics.listener(guard);
        HttpServerOptions options = guard.apply(new HttpServerOptions()).setSsl(true)
                .setKeyCertOptions(new PemKeyCertOptions().addKeyValue(Buffer.buffer(tls.keyPem()))
                        .addCertValue(Buffer.buffer(tls.chainPem())))
                // Any client certificate passes the handshake: the refusal of a foreign, expired or
                // revoked one is a 401 problem with an audit entry, not a silent TLS failure.
                .setClientAuth(ClientAuth.REQUEST)
                .setTrustOptions(TrustOptions.wrap(new CallerTrust(authenticator.issuers())))
                .setCompressionSupported(false).setHost(config.host()).setPort(config.port());
        return guard.install(vertx, vertx.createHttpServer(options), router).listen().onSuccess(s -> server = s);
    }

    private void authenticate(RoutingContext ctx) {
        List<Certificate> chain;
        try {
            chain = ctx.request().connection().peerCertificates();
        } catch (SSLPeerUnverifiedException | RuntimeException e) {
            chain = List.of();
        }
        List<Certificate> peer = chain;
        String from = "admin-client:" + (ctx.request().remoteAddress() == null ? "unknown"
                : ctx.request().remoteAddress().hostAddress());
        offContext(() -> {
            CallerAuthenticator.Caller caller;
            try {
                caller = authenticator.authenticate(peer);
            } catch (CallerAuthenticator.Refusal r) {
                refused(from, r.getMessage(), ctx.request().path(), r.subject());
                throw Problem.unauthenticated("an administrator certificate of this PKI is required: " + r.getMessage());
            }
            Admin admin = admins.holder(caller.caId(), caller.serial())
                    .filter(a -> a.name().equals(caller.name()))
                    .orElseThrow(() -> {
                        refused(from, "certificate of no enrolled administrator", ctx.request().path(), caller.name());
                        return Problem.unauthenticated("this certificate belongs to no enrolled administrator");
                    });
            return admin;
        }).onComplete(r -> {
            if (r.succeeded()) {
                ctx.put(ADMIN, r.result());
                try {
                    ctx.put(CERTIFICATE, peer.getFirst().getEncoded());
                } catch (java.security.cert.CertificateEncodingException e) {
                    problem(ctx, Problem.unauthenticated("the client certificate cannot be encoded"));
                    return;
                }
                ctx.next();
            } else {
                problem(ctx, asProblem(r.cause()));
            }
        });
    }

    /** Runs {@code work} if the administrator holds one of {@code roles}; else 403, audited. */
    private void allowed(RoutingContext ctx, Set<AdminRole> roles, Callable<JsonObject> work) {
        allowed(ctx, roles, 200, work);
    }

    /** As above, answering {@code status} on success (201 for a resource made). */
    private void allowed(RoutingContext ctx, Set<AdminRole> roles, int status, Callable<JsonObject> work) {
        Admin admin = admin(ctx);
        if (admin.roles().stream().noneMatch(roles::contains)) {
            String needed = String.join(" or ", roles.stream().map(AdminRole::wireName).toList());
            offContext(() -> {
                refused("admin:" + admin.name(), "role not allowed", ctx.request().path(), needed);
                return null;
            });
            problem(ctx, Problem.forbidden(ctx.request().method() + " " + cut(ctx.request().path())
                    + " needs the role " + needed));
            return;
        }
        blocking(ctx, status, work);
    }

    /** {@code GET /api/v1/certificates/{issuer}/{serial}/pem|der}: the certificate itself, any role. */
    private void download(RoutingContext ctx) {
        String format = ctx.pathParam("format");
        if (!format.equals("pem") && !format.equals("der")) {
            problem(ctx, Problem.notFound("no such resource: " + cut(ctx.request().path())));
            return;
        }
        offContext(() -> queries.detail().find(ctx.pathParam("issuer"), ctx.pathParam("serial"))).onComplete(r -> {
            if (r.failed()) {
                problem(ctx, asProblem(r.cause()));
                return;
            }
            String name = r.result().serialHex() + (format.equals("pem") ? ".pem" : ".cer");
            ctx.response().putHeader(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + name + "\"")
                    .putHeader("X-Content-Type-Options", "nosniff");
            if (format.equals("pem")) {
                ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/pem-certificate-chain")
                        .end(CertificateDetail.pem(r.result().der()));
            } else {
                ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/pkix-cert")
                        .end(Buffer.buffer(r.result().der()));
            }
        });
    }

    private static JsonObject jsonBody(RoutingContext ctx) {
        try {
            Object value = ctx.body().asJsonObject();
            if (value == null) {
                throw Problem.badInput("body", "the body must be a JSON object");
            }
            return (JsonObject) value;
        } catch (io.vertx.core.json.DecodeException | ClassCastException e) {
            throw Problem.badInput("body", "the body must be a JSON object");
        }
    }

    private static Admin admin(RoutingContext ctx) {
        return ctx.get(ADMIN);
    }

    private static JsonObject me(Admin admin) {
        return new JsonObject().put("name", admin.name())
                .put("roles", admin.roles().stream().map(AdminRole::wireName).sorted().toList());
    }

    private void blocking(RoutingContext ctx, Callable<JsonObject> work) {
        blocking(ctx, 200, work);
    }

    private void blocking(RoutingContext ctx, int status, Callable<JsonObject> work) {
        offContext(work).onComplete(r -> {
            if (r.succeeded()) {
                if (status == 201) {
                    // A new device's one-time code is in the answer: no cache keeps it.
                    ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
                }
                ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .end(r.result().encode());
            } else {
                problem(ctx, asProblem(r.cause()));
            }
        });
    }

    private static Problem asProblem(Throwable t) {
        if (t instanceof Problem p) {
            return p;
        }
        if (t instanceof PkiException e && e.kind() == ErrorKind.DATABASE_UNAVAILABLE) {
            return Problem.unavailable("the inventory does not answer just now");
        }
        LOG.error("admin API request failed", t);
        return Problem.internal();
    }

    private static void problem(RoutingContext ctx, Problem p) {
        if (ctx.response().ended()) {
            return;
        }
        ctx.response().setStatusCode(p.status()).putHeader(HttpHeaders.CONTENT_TYPE, "application/problem+json")
                .end(p.json().encode());
    }

    private void refusedCsrf(RoutingContext ctx, String reason) {
        Admin admin = admin(ctx);
        offContext(() -> {
            refused("admin:" + admin.name(), reason, ctx.request().method() + " " + ctx.request().path(),
                    cut(ctx.request().getHeader(HttpHeaders.ORIGIN)));
            return null;
        });
        problem(ctx, Problem.forbidden(reason));
    }

    /** A refusal anyone can provoke: within the budget of its reason; beyond it only counted. */
    private void refused(String who, String reason, String path, String subject) {
        metrics.refused(reason);
        long skipped = budget.admit(reason);
        if (skipped == AuditBudget.SKIP) {
            return;
        }
        Map<String, String> details = new LinkedHashMap<>();
        details.put("reason", reason);
        details.put("path", cut(path));
        details.put("certificate", cut(subject));
        if (skipped > 0) {
            details.put("skippedBefore", Long.toString(skipped));
        }
        audit.recordQuietly(AuditEvent.failure(clock.instant(), "admin-api.refused", who, details));
    }

    /** Blocking work (inventory, audit log) on a virtual thread, completed on this verticle's context. */
    private <T> Future<T> offContext(Callable<T> work) {
        io.vertx.core.Context context = vertx.getOrCreateContext();
        Promise<T> promise = Promise.promise();
        Thread.ofVirtual().name("admin-api-call").start(() -> {
            try {
                T result = work.call();
                context.runOnContext(v -> promise.complete(result));
            } catch (Throwable t) {
                context.runOnContext(v -> promise.fail(t));
            }
        });
        return promise.future();
    }

    private static String cut(String s) {
        return s == null ? "" : s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    private static String resource(String name) {
        try (InputStream in = AdminApiServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read resource " + name, e);
        }
    }
}
