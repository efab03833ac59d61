package org.medpki.core.error;

import java.util.List;
import java.util.Objects;

/**
 * The one error type that crosses module boundaries. The {@link #detail()} is safe to show to the
 * operator or client except for {@link ErrorKind#INTERNAL}, whose detail stays in the process log.
 * Never put a PIN, key material or an EAB secret into a detail.
 */
public final class PkiException extends RuntimeException {
    private final ErrorKind kind;
    private final List<PkiException> subproblems;

    public PkiException(ErrorKind kind, String detail) {
        this(kind, detail, null, List.of());
    }

    public PkiException(ErrorKind kind, String detail, Throwable cause) {
        this(kind, detail, cause, List.of());
    }

    public PkiException(ErrorKind kind, String detail, Throwable cause, List<PkiException> subproblems) {
        super(Objects.requireNonNull(detail, "detail"), cause);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.subproblems = List.copyOf(subproblems);
    }

    public ErrorKind kind() {
        return kind;
    }

    public String detail() {
        return getMessage();
    }

    public List<PkiException> subproblems() {
        return subproblems;
    }

    /** The detail that may leave the process: internal errors are reduced to a generic sentence. */
    public String publicDetail() {
        return kind == ErrorKind.INTERNAL ? "internal error" : getMessage();
    }
}
