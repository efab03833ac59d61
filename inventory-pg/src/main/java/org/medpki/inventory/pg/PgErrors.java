package org.medpki.inventory.pg;

import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.sql.SQLException;
import java.util.concurrent.TimeoutException;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

/**
 * Turns driver errors into {@link PkiException}s with messages an operator can act on. Messages
 * name the database as host:port/db and never carry the password (it is scrubbed in case a driver
 * message ever echoes it).
 */
final class PgErrors {

    private final DatabaseUrl url;
    private volatile boolean closed;

    PgErrors(DatabaseUrl url) {
        this.url = url;
    }

    /** After InventoryDatabase.close(), every failure is reported as that. */
    void closed() {
        closed = true;
    }

    /** DATABASE_UNAVAILABLE with the standard sentence. */
    PkiException unavailable(Throwable cause) {
        return new PkiException(ErrorKind.DATABASE_UNAVAILABLE,
                "the inventory database at " + url.location() + " is unreachable: " + reason(cause), scrubbed(cause));
    }

    /**
     * Maps any failure of an inventory operation; {@code what} says what was being done ("recording
     * the intent for serial 1a on CA 3").
     */
    PkiException map(Throwable t, String what) {
        Throwable e = unwrap(t);
        if (e instanceof PkiException p) {
            return p;
        }
        if (closed) {
            return new PkiException(ErrorKind.DATABASE_UNAVAILABLE, what + " failed: the connection to the inventory "
                    + "database at " + url.location() + " was closed by this process", null);
        }
        String state = sqlState(e);
        if (state != null) {
            String message = e instanceof PgException pg ? pg.getErrorMessage() : e.getMessage();
            if (state.equals("23505")) {
                return new PkiException(ErrorKind.CONFLICT, what + " failed: " + scrub(message), null);
            }
            if (state.equals("23503")) {
                return new PkiException(ErrorKind.NOT_FOUND, what + " failed: it refers to a row that does not exist ("
                        + scrub(message) + ")", null);
            }
            if (state.startsWith("23") || state.startsWith("22")) {
                return new PkiException(ErrorKind.MALFORMED, what + " failed: the database refused the values: "
                        + scrub(message), null);
            }
            if (state.equals("42501")) {
                // A login without a grant it needs is the deployment's fault, not the caller's: a
                // configuration error (exit 8; serverInternal to an ACME client), not UNAUTHORIZED,
                // which a front end would pass on to its client with the database user's name.
                return new PkiException(ErrorKind.CONFIGURATION, what + " failed: the database user " + url.user()
                        + " lacks a grant for this (run 'pki db migrate' as the owner): " + scrub(message), null);
            }
            if (state.startsWith("28")) {
                return new PkiException(ErrorKind.CONFIGURATION, "the inventory database at " + url.location()
                        + " refused the credentials of user " + url.user() + " (check the database URL)", null);
            }
            if (state.equals("3D000")) {
                return new PkiException(ErrorKind.CONFIGURATION, "the inventory database at " + url.location()
                        + " does not exist", null);
            }
            if (state.startsWith("08") || state.startsWith("57P") || state.equals("53300")) {
                return unavailable(e);
            }
            return new PkiException(ErrorKind.INTERNAL, what + " failed: SQLSTATE " + state + ": " + scrub(message),
                    scrubbed(e));
        }
        if (isConnectionProblem(e)) {
            return unavailable(e);
        }
        return new PkiException(ErrorKind.INTERNAL, what + " failed: " + scrub(String.valueOf(e)), scrubbed(e));
    }

    static Throwable unwrap(Throwable t) {
        Throwable e = t;
        while ((e instanceof java.util.concurrent.CompletionException
                || e instanceof java.util.concurrent.ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static String sqlState(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof PgException pg) {
                return pg.getSqlState();
            }
            if (c instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }

    static boolean isConnectionProblem(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ConnectException || c instanceof UnknownHostException
                    || c instanceof NoRouteToHostException || c instanceof ClosedChannelException
                    || c instanceof TimeoutException || c instanceof java.net.SocketException
                    || c instanceof io.vertx.sqlclient.ClosedConnectionException) {
                return true;
            }
            if ((c instanceof VertxException || c instanceof IllegalStateException) && c.getMessage() != null
                    && (c.getMessage().contains("onnection") || c.getMessage().contains("imeout")
                        || c.getMessage().toLowerCase(java.util.Locale.ROOT).contains("closed"))) {
                return true;
            }
        }
        return false;
    }

    /** The most telling message in the cause chain, e.g. "Connection refused". */
    String reason(Throwable t) {
        Throwable e = unwrap(t);
        String reason = null;
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof PgException pg) {
                reason = pg.getErrorMessage();
                break;
            }
            if (c instanceof ConnectException || c instanceof UnknownHostException) {
                reason = c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName();
                if (c instanceof UnknownHostException) {
                    reason = "unknown host " + reason;
                }
                break;
            }
            if (c.getMessage() != null) {
                reason = c.getMessage();
            }
        }
        if (reason == null) {
            reason = e.getClass().getSimpleName();
        }
        return scrub(reason);
    }

    String scrub(String message) {
        if (message == null) {
            return "";
        }
        String password = url.password();
        return password == null || password.isEmpty() ? message : message.replace(password, "***");
    }

    /**
     * The cause kept on the PkiException. Driver messages could in principle echo a password,
     * and a cause chain is printed in stack traces, so keep a scrubbed copy when that happens.
     */
    private Throwable scrubbed(Throwable e) {
        if (e == null || url.password() == null || url.password().isEmpty()) {
            return e;
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (String.valueOf(c.getMessage()).contains(url.password())) {
                return new IllegalStateException(scrub(String.valueOf(e)));
            }
        }
        return e;
    }
}
