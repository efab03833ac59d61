package org.medpki.hsm;

import java.util.Objects;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

/**
 * Where the PKI's keys live: the PKCS#11 library, the token (found by label, because slot ids
 * move when a token is initialised), where the user PIN comes from, and how many logged-in
 * sessions may sign at once.
 */
public record TokenConfig(String modulePath, String tokenLabel, PinSource pin, int sessionPoolSize) {

    /** Two sessions per core: signing is CPU-bound inside the token library. */
    public static int defaultSessionPoolSize() {
        return 2 * Runtime.getRuntime().availableProcessors();
    }

    public TokenConfig {
        Objects.requireNonNull(pin, "pin");
        if (modulePath == null || modulePath.isBlank()) {
            throw new PkiException(ErrorKind.CONFIGURATION, "token.module: the PKCS#11 module path is missing");
        }
        if (tokenLabel == null || tokenLabel.isBlank()) {
            throw new PkiException(ErrorKind.CONFIGURATION, "token.label: the token label is missing");
        }
        if (tokenLabel.length() > 32) {
            throw new PkiException(ErrorKind.CONFIGURATION,
                    "token.label: '" + tokenLabel + "' is longer than the 32 characters PKCS#11 allows");
        }
        if (sessionPoolSize < 1 || sessionPoolSize > 1024) {
            throw new PkiException(ErrorKind.CONFIGURATION,
                    "token.sessions: " + sessionPoolSize + " is not between 1 and 1024");
        }
    }

    /** A configuration with the default pool size. */
    public TokenConfig(String modulePath, String tokenLabel, PinSource pin) {
        this(modulePath, tokenLabel, pin, defaultSessionPoolSize());
    }
}
