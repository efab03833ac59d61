package org.medpki.core.lint;

import java.util.ArrayList;
import java.util.List;

import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

/** Collects findings while the checks run. */
final class Findings {
    private final List<LintFinding> list = new ArrayList<>();

    void error(String code, String message) {
        list.add(new LintFinding(Severity.ERROR, code, message));
    }

    void warn(String code, String message) {
        list.add(new LintFinding(Severity.WARNING, code, message));
    }

    List<LintFinding> list() {
        return List.copyOf(list);
    }

    /** Throws LINT_FAILED listing the errors when there is any. */
    static void throwIfErrors(String what, List<LintFinding> findings) {
        List<String> errors = findings.stream().filter(LintFinding::isError).map(LintFinding::toString).toList();
        if (!errors.isEmpty()) {
            throw new PkiException(ErrorKind.LINT_FAILED, what + " failed lint: " + String.join("; ", errors));
        }
    }
}
