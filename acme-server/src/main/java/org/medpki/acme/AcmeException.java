package org.medpki.acme;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * An ACME-specific refusal (bad nonce, unknown account, order not ready ...) that has no
 * counterpart in ca-core's ErrorKind. The detail is sent to the client: never put secrets in it.
 * {@code identifier} is set on subproblems; {@code retryAfter} on rate limits.
 */
public final class AcmeException extends RuntimeException {
    private final ProblemType type;
    private final Identifier identifier;
    private final List<AcmeException> subproblems;
    private final Duration retryAfter;

    public AcmeException(ProblemType type, String detail) {
        this(type, detail, null, List.of(), null);
    }

    public AcmeException(ProblemType type, String detail, Identifier identifier, List<AcmeException> subproblems,
                         Duration retryAfter) {
        super(Objects.requireNonNull(detail, "detail"), null, false, false);
        this.type = Objects.requireNonNull(type, "type");
        this.identifier = identifier;
        this.subproblems = List.copyOf(subproblems);
        this.retryAfter = retryAfter;
    }

    public ProblemType type() {
        return type;
    }

    public String detail() {
        return getMessage();
    }

    public Identifier identifier() {
        return identifier;
    }

    public List<AcmeException> subproblems() {
        return subproblems;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
