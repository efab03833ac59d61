package org.medpki.ops.adminclient;

import java.io.Console;
import java.util.Map;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

/**
 * A secret (a token PIN, a key's passphrase) from an environment variable or typed at the
 * terminal without echo; never from an argument, which every local user can read in the process
 * list.
 */
final class SecretInput {
    private SecretInput() {
    }

    /** The value of {@code variable}, else a prompt on the terminal; the caller wipes the array. */
    static char[] read(Map<String, String> env, String variable, String prompt) {
        String value = env.get(variable);
        if (value != null && !value.isEmpty()) {
            return value.toCharArray();
        }
        Console console = System.console();
        if (console == null || !console.isTerminal()) {
            throw new PkiException(ErrorKind.CONFIGURATION, prompt + " is needed: set " + variable
                    + " or run the command in a terminal to be asked for it");
        }
        char[] typed = console.readPassword("%s: ", prompt);
        if (typed == null || typed.length == 0) {
            throw new PkiException(ErrorKind.CONFIGURATION, "no " + prompt + " was typed");
        }
        return typed;
    }
}
