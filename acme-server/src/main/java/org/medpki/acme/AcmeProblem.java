package org.medpki.acme;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that turns failures into RFC 7807 / RFC 8555 problem documents. Each
 * {@link ErrorKind} maps to exactly one problem type; internal failures become serverInternal
 * with a generic detail, and their stack trace stays in the log.
 */
public final class AcmeProblem {
    private static final Logger LOG = LoggerFactory.getLogger(AcmeProblem.class);

    private AcmeProblem() {
    }

    /** The failure handler mounted on the router. */
    public static void render(RoutingContext ctx) {
        AcmeException problem = of(ctx.failure(), ctx.statusCode());
        var response = ctx.response();
        if (response.headWritten()) {
            ctx.request().connection().close();
            return;
        }
        response.setStatusCode(problem.type().status())
                .putHeader("Content-Type", "application/problem+json")
                .putHeader("Cache-Control", "no-store");
        if (problem.retryAfter() != null) {
            response.putHeader("Retry-After", Long.toString(Math.max(1, problem.retryAfter().toSeconds())));
        }
        response.end(json(problem).encode());
    }

    /** Maps any failure (or a bare HTTP status from Vert.x Web) to a problem. */
    public static AcmeException of(Throwable failure, int status) {
        if (failure instanceof AcmeException a) {
            return a;
        }
        if (failure instanceof PkiException p) {
            return fromPki(p);
        }
        if (failure == null) {
            return switch (status) {
                case 404 -> new AcmeException(ProblemType.NOT_FOUND, "no such resource");
                case 405 -> new AcmeException(ProblemType.METHOD_NOT_ALLOWED, "method not allowed");
                case 413 -> new AcmeException(ProblemType.MALFORMED, "the request body is too large");
                case 415 -> new AcmeException(ProblemType.MALFORMED, "the Content-Type must be application/jose+json");
                default -> status >= 400 && status < 500
                        ? new AcmeException(ProblemType.MALFORMED, "the request is malformed")
                        : new AcmeException(ProblemType.SERVER_INTERNAL, "internal error");
            };
        }
        LOG.error("unexpected failure in the ACME server", failure);
        return new AcmeException(ProblemType.SERVER_INTERNAL, "internal error");
    }

    static AcmeException fromPki(PkiException p) {
        ProblemType type = switch (p.kind()) {
            case MALFORMED -> ProblemType.MALFORMED;
            case BAD_CSR, LINT_FAILED, UNKNOWN_PROFILE -> ProblemType.BAD_CSR;
            case BAD_PUBLIC_KEY -> ProblemType.BAD_PUBLIC_KEY;
            case BAD_SIGNATURE_ALGORITHM -> ProblemType.BAD_SIGNATURE_ALGORITHM;
            case REJECTED_IDENTIFIER -> ProblemType.REJECTED_IDENTIFIER;
            case NOT_FOUND -> ProblemType.NOT_FOUND;
            case ALREADY_REVOKED -> ProblemType.ALREADY_REVOKED;
            case BAD_REVOCATION_REASON -> ProblemType.BAD_REVOCATION_REASON;
            case UNAUTHORIZED -> ProblemType.UNAUTHORIZED;
            case CONFLICT -> ProblemType.CONFLICT;
            case CA_UNAVAILABLE -> ProblemType.SERVER_INTERNAL;
            case CONFIGURATION, TOKEN_UNAVAILABLE, TOKEN_LOGIN_FAILED, KEY_NOT_FOUND, DATABASE_UNAVAILABLE,
                 INTERNAL -> ProblemType.SERVER_INTERNAL;
        };
        if (p.kind() == ErrorKind.CA_UNAVAILABLE) {
            // Nothing was issued or revoked; the client may simply try again.
            LOG.warn("the CA is unavailable: {}", p.detail());
            return new AcmeException(type, "the CA is unavailable; try again shortly", null, java.util.List.of(),
                    java.time.Duration.ofSeconds(5));
        }
        if (p.kind() == ErrorKind.DATABASE_UNAVAILABLE) {
            // A database restart or failover: the client may send the request again in a moment.
            LOG.warn("the database is unavailable: {}", p.detail());
            return new AcmeException(type, "the service is briefly unavailable; try again shortly", null,
                    java.util.List.of(), java.time.Duration.ofSeconds(5));
        }
        if (type == ProblemType.SERVER_INTERNAL) {
            LOG.error("internal failure in the ACME server: {}", p.detail(), p);
            return new AcmeException(type, "internal error");
        }
        return new AcmeException(type, p.publicDetail(), null,
                p.subproblems().stream().map(AcmeProblem::fromPki).toList(), null);
    }

    public static JsonObject json(AcmeException problem) {
        JsonObject doc = new JsonObject().put("type", problem.type().urn()).put("detail", problem.detail())
                .put("status", problem.type().status());
        if (problem.identifier() != null) {
            doc.put("identifier", problem.identifier().json());
        }
        if (!problem.subproblems().isEmpty()) {
            JsonArray subs = new JsonArray();
            problem.subproblems().forEach(s -> {
                JsonObject sub = json(s);
                sub.remove("status");
                subs.add(sub);
            });
            doc.put("subproblems", subs);
        }
        return doc;
    }
}
