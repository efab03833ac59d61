package org.medpki.core.lint;

import java.util.Objects;

/** One lint result: severity, a stable code (e.g. "e_aki_missing") and a sentence for people. */
public record LintFinding(Severity severity, String code, String message) {
    public LintFinding {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    @Override
    public String toString() {
        return code + ": " + message;
    }
}
