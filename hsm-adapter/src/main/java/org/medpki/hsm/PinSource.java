package org.medpki.hsm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

/**
 * Where the token's user PIN comes from. The PIN is read afresh at every login (so a rotated PIN
 * file is picked up after a token loss) and handed out as a char[] that the caller wipes. No
 * implementation's {@code toString} or error message contains the PIN.
 */
public sealed interface PinSource permits PinSource.Environment, PinSource.File, PinSource.Given {

    /** The environment variable that holds the PIN itself. */
    String PIN_VARIABLE = "PKI_TOKEN_PIN";
    /** The environment variable that names a file holding the PIN. */
    String PIN_FILE_VARIABLE = "PKI_TOKEN_PIN_FILE";
    /** The PIN of the OCSP signers' token (a token of its own, never able to open a CA key). */
    String OCSP_PIN_VARIABLE = "PKI_OCSP_TOKEN_PIN";
    /** The file holding the PIN of the OCSP signers' token. */
    String OCSP_PIN_FILE_VARIABLE = "PKI_OCSP_TOKEN_PIN_FILE";
    /** The PIN of the enrollment token (the SCEP registration authority's key, nothing else). */
    String ENROLL_PIN_VARIABLE = "PKI_ENROLL_TOKEN_PIN";
    /** The file holding the PIN of the enrollment token. */
    String ENROLL_PIN_FILE_VARIABLE = "PKI_ENROLL_TOKEN_PIN_FILE";

    /** A fresh copy of the PIN; the caller overwrites it when done. */
    char[] read();

    /** PKI_TOKEN_PIN_FILE when set, else PKI_TOKEN_PIN, from the process environment. */
    static PinSource fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /** As {@link #fromEnvironment()}, from the given variables. */
    static PinSource fromEnvironment(Map<String, String> env) {
        return fromEnvironment(env, PIN_VARIABLE, PIN_FILE_VARIABLE);
    }

    /**
     * The same rule for any token: the variable {@code fileVariable} (a file holding the PIN) when
     * set, else the variable {@code pinVariable}. The OCSP token's PIN comes this way from
     * {@link #OCSP_PIN_FILE_VARIABLE} / {@link #OCSP_PIN_VARIABLE}.
     */
    static PinSource fromEnvironment(Map<String, String> env, String pinVariable, String fileVariable) {
        String file = env.get(fileVariable);
        if (file != null && !file.isBlank()) {
            return new File(Path.of(file));
        }
        if (env.get(pinVariable) != null) {
            return new Environment(pinVariable, env);
        }
        throw new PkiException(ErrorKind.CONFIGURATION,
                "no token PIN: set " + fileVariable + " (a file holding the PIN) or " + pinVariable);
    }

    /** The PIN is the value of an environment variable. */
    final class Environment implements PinSource {
        private final String variable;
        private final Map<String, String> env;

        /** The variable from the process environment. */
        public Environment(String variable) {
            this(variable, System.getenv());
        }

        /** The variable from the given map (tests, or an environment read once at start). */
        public Environment(String variable, Map<String, String> env) {
            this.variable = Objects.requireNonNull(variable, "variable");
            this.env = Objects.requireNonNull(env, "env");
        }

        public String variable() {
            return variable;
        }

        @Override
        public char[] read() {
            String value = env.get(variable);
            if (value == null || value.isEmpty()) {
                throw new PkiException(ErrorKind.CONFIGURATION,
                        "the token PIN variable " + variable + " is not set");
            }
            return value.toCharArray();
        }

        @Override
        public String toString() {
            return "PIN from environment variable " + variable;
        }
    }

    /** The PIN is the content of a file (UTF-8); trailing line breaks are dropped. */
    record File(Path path) implements PinSource {
        public File {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public char[] read() {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(path);
            } catch (IOException e) {
                // The exception text names only the path, never the content.
                throw new PkiException(ErrorKind.CONFIGURATION,
                        "cannot read the token PIN file " + path + ": " + e.getClass().getSimpleName());
            }
            try {
                int end = bytes.length;
                while (end > 0 && (bytes[end - 1] == '\n' || bytes[end - 1] == '\r')) {
                    end--;
                }
                if (end == 0) {
                    throw new PkiException(ErrorKind.CONFIGURATION, "the token PIN file " + path + " is empty");
                }
                CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes, 0, end));
                char[] pin = new char[chars.remaining()];
                chars.get(pin);
                Arrays.fill(chars.array(), '\0');
                return pin;
            } catch (CharacterCodingException e) {
                throw new PkiException(ErrorKind.CONFIGURATION, "the token PIN file " + path + " is not UTF-8");
            } finally {
                Arrays.fill(bytes, (byte) 0);
            }
        }

        @Override
        public String toString() {
            return "PIN from file " + path;
        }
    }

    /** A PIN the operator typed (ceremony tools); kept as a private copy. */
    final class Given implements PinSource {
        private final char[] pin;

        public Given(char[] pin) {
            Objects.requireNonNull(pin, "pin");
            if (pin.length == 0) {
                throw new PkiException(ErrorKind.CONFIGURATION, "the token PIN is empty");
            }
            this.pin = pin.clone();
        }

        @Override
        public char[] read() {
            return pin.clone();
        }

        @Override
        public String toString() {
            return "PIN given by the operator";
        }
    }
}
