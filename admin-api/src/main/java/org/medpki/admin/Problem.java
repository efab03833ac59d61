package org.medpki.admin;

import io.vertx.core.json.JsonObject;

/**
 * An answer other than success, as an RFC 9457 problem document: a type URI, a title, the HTTP
 * status, a detail for people and, for bad input, the field that is wrong. The detail never holds
 * a stack trace or an internal address.
 */
public final class Problem extends RuntimeException {
    private final int status;
    private final String slug;
    private final String field;

    private Problem(int status, String slug, String detail, String field) {
        super(detail, null, false, false);
        this.status = status;
        this.slug = slug;
        this.field = field;
    }

    /** 401: no certificate, or one that does not authenticate an administrator. */
    public static Problem unauthenticated(String detail) {
        return new Problem(401, "unauthenticated", detail, null);
    }

    /** 403: the administrator's roles do not allow this. */
    public static Problem forbidden(String detail) {
        return new Problem(403, "forbidden", detail, null);
    }

    public static Problem notFound(String detail) {
        return new Problem(404, "not-found", detail, null);
    }

    public static Problem methodNotAllowed(String detail) {
        return new Problem(405, "method-not-allowed", detail, null);
    }

    /** 409: the request was decided already (by this administrator, or for good). */
    public static Problem conflict(String detail) {
        return new Problem(409, "conflict", detail, null);
    }

    /** 422: a parameter or member that is wrong; {@code field} names it. */
    public static Problem badInput(String field, String detail) {
        return new Problem(422, "bad-input", detail, field);
    }

    /** 503: the inventory cannot be reached just now. */
    public static Problem unavailable(String detail) {
        return new Problem(503, "unavailable", detail, null);
    }

    public static Problem internal() {
        return new Problem(500, "internal", "the request failed on the server", null);
    }

    public int status() {
        return status;
    }

    public String slug() {
        return slug;
    }

    public JsonObject json() {
        JsonObject j = new JsonObject().put("type", "urn:medpki:problem:" + slug).put("title", title())
                .put("status", status).put("detail", getMessage());
        if (field != null) {
            j.put("field", field);
        }
        return j;
    }

    private String title() {
        return switch (slug) {
            case "unauthenticated" -> "Not authenticated";
            case "forbidden" -> "Not allowed for your roles";
            case "not-found" -> "Not found";
            case "method-not-allowed" -> "Method not allowed";
            case "bad-input" -> "Bad input";
            case "conflict" -> "Already decided";
            case "unavailable" -> "Service unavailable";
            default -> "Internal error";
        };
    }
}
