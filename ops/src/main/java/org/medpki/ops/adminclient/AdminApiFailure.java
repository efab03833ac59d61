package org.medpki.ops.adminclient;

/**
 * The admin API answered with a problem document, or could not be reached: one line for the
 * operator and the exit status of its class (documented in the README). Never carries a key, a
 * PIN or a stack trace.
 */
public final class AdminApiFailure extends RuntimeException {
    /** 401 or 403: the certificate or its administrator's roles were refused. */
    public static final int REFUSED = 9;
    /** 404. */
    public static final int NOT_FOUND = 4;
    /** 409. */
    public static final int CONFLICT = 5;
    /** 422 (and other refusals of the request's content). */
    public static final int BAD_INPUT = 3;
    /** 503: the admin service cannot reach its inventory. */
    public static final int UNAVAILABLE = 7;
    /** No answer: connection refused, a timeout, or TLS failed (server certificate not trusted). */
    public static final int UNREACHABLE = 12;
    /** Anything else (500, an unexpected answer). */
    public static final int OTHER = 1;

    private final int exitCode;

    public AdminApiFailure(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }

    /** The exit status for an HTTP status the API answered with. */
    public static int exitCodeOf(int httpStatus) {
        return switch (httpStatus) {
            case 401, 403 -> REFUSED;
            case 404 -> NOT_FOUND;
            case 409 -> CONFLICT;
            case 400, 413, 422 -> BAD_INPUT;
            case 503 -> UNAVAILABLE;
            default -> OTHER;
        };
    }
}
