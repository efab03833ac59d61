package org.medpki.ops.install;

import java.nio.file.Path;
import org.medpki.hsm.PinSource;

/**
 * The installation's tokens. The CA token holds the root, issuing CA and audit keys; the OCSP
 * token holds only the OCSP signers' keys, under a PIN of its own, so that a host running only the
 * OCSP responder never holds a PIN that opens a CA key; the enrollment token holds only the SCEP
 * RA's key. All are handled by the same code; only where the PIN comes from differs.
 */
public enum TokenRole {
    CA("token", PinSource.PIN_VARIABLE, PinSource.PIN_FILE_VARIABLE, "token.pin", "token.so-pin"),
    OCSP("ocspToken", PinSource.OCSP_PIN_VARIABLE, PinSource.OCSP_PIN_FILE_VARIABLE, "ocsp-token.pin",
            "ocsp-token.so-pin"),
    /**
     * The enrollment token: the SCEP registration authority's RSA key only (it decrypts what devices
     * send and signs the replies), opened by the SCEP service alone. The CA token's module with
     * the label {@code <label>-enroll}; made by 'pki up' when SCEP is enabled.
     */
    ENROLL("enrollToken", PinSource.ENROLL_PIN_VARIABLE, PinSource.ENROLL_PIN_FILE_VARIABLE, "enroll-token.pin",
            "enroll-token.so-pin");

    private final String configKey;
    private final String pinVariable;
    private final String pinFileVariable;
    private final String labPinFile;
    private final String soPinFile;

    TokenRole(String configKey, String pinVariable, String pinFileVariable, String labPinFile, String soPinFile) {
        this.configKey = configKey;
        this.pinVariable = pinVariable;
        this.pinFileVariable = pinFileVariable;
        this.labPinFile = labPinFile;
        this.soPinFile = soPinFile;
    }

    /** The section of medpki.yaml that describes this token. */
    public String configKey() {
        return configKey;
    }

    /** The environment variable holding the PIN. */
    public String pinVariable() {
        return pinVariable;
    }

    /** The environment variable naming a file that holds the PIN. */
    public String pinFileVariable() {
        return pinFileVariable;
    }

    /** Where 'pki init' keeps a generated lab PIN (mode 600) when neither variable is set. */
    public Path labPin(PkiHome home) {
        return home.dir().resolve(labPinFile);
    }

    /** Where the SO PIN of a SoftHSM2 token made by 'pki init' is kept (mode 600). */
    public Path soPin(PkiHome home) {
        return home.dir().resolve(soPinFile);
    }
}
