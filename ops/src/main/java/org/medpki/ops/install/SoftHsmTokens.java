package org.medpki.ops.install;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.hsm.TokenInitialiser;

/**
 * Creates the SoftHSM2 token of a laptop or test installation at its first 'pki init'. A real HSM's
 * token is initialised by its own tools under the vendor's procedure; this class is only for
 * SoftHSM2, which stands in for one.
 */
public final class SoftHsmTokens {
    private SoftHsmTokens() {
    }

    public static boolean isSoftHsm(String modulePath) {
        return modulePath.contains("softhsm");
    }

    /** Lists the token labels SoftHSM2 knows under the current SOFTHSM2_CONF. */
    public static List<String> labels() {
        String out = run(List.of("softhsm2-util", "--show-slots"), "list the SoftHSM2 slots");
        return out.lines().map(String::trim).filter(l -> l.startsWith("Label:"))
                .map(l -> l.substring("Label:".length()).trim()).filter(l -> !l.isEmpty()).toList();
    }

    /**
     * Initialises a token with this label in a free slot of the module. The SO PIN is random and
     * kept in {@code soPinFile} (mode 600): it is needed only to re-initialise or unblock the token.
     */
    public static void create(String modulePath, String label, char[] userPin, Path soPinFile) {
        String conf = System.getenv("SOFTHSM2_CONF");
        if (conf == null || !Files.exists(Path.of(conf))) {
            throw new PkiException(ErrorKind.CONFIGURATION, "SOFTHSM2_CONF is not set or names no file: "
                    + "start the PKI through ops/pki, which sets it to PKI_HOME/softhsm2.conf");
        }
        byte[] random = new byte[12];
        new SecureRandom().nextBytes(random);
        String soPin = HexFormat.of().formatHex(random);
        SecretFiles.write(soPinFile, soPin);
        initialise(modulePath, label, soPin.toCharArray(), userPin);
    }

    /**
     * Runs hsm-adapter's TokenInitialiser in a JVM of its own (SoftHSM2 reads its token list once
     * per process), the PINs on its standard input: no PIN in any process's arguments.
     */
    private static void initialise(String modulePath, String label, char[] soPin, char[] userPin) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), TokenInitialiser.class.getName(), modulePath, label);
        String what = "initialise the SoftHSM2 token '" + label + "'";
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            try (var stdin = p.getOutputStream()) {
                stdin.write((new String(soPin) + "\n" + new String(userPin) + "\n").getBytes(StandardCharsets.UTF_8));
            }
            byte[] output = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new PkiException(ErrorKind.TOKEN_UNAVAILABLE, "could not " + what + ": "
                        + new String(output, StandardCharsets.UTF_8).strip());
            }
        } catch (IOException e) {
            throw new PkiException(ErrorKind.TOKEN_UNAVAILABLE, "could not " + what + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PkiException(ErrorKind.TOKEN_UNAVAILABLE, "interrupted while trying to " + what);
        }
    }

    private static String run(List<String> command, String what) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] output = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                // The output of softhsm2-util never echoes PINs; the command line (which has them) is not shown.
                throw new PkiException(ErrorKind.TOKEN_UNAVAILABLE, "could not " + what + ": "
                        + new String(output, StandardCharsets.UTF_8).strip());
            }
            return new String(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new PkiException(ErrorKind.TOKEN_UNAVAILABLE, "could not " + what
                    + ": softhsm2-util is not installed (Debian package softhsm2)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PkiException(ErrorKind.TOKEN_UNAVAILABLE, "interrupted while trying to " + what);
        }
    }

    /**
     * SoftHSM2's token directory as {@code softhsmConf} names it (directories.tokendir), when the
     * file exists and the directory does.
     */
    public static java.util.Optional<Path> tokenStore(Path softhsmConf) throws IOException {
        if (!Files.isRegularFile(softhsmConf)) {
            return java.util.Optional.empty();
        }
        Path tokenDir = null;
        for (String line : Files.readAllLines(softhsmConf, StandardCharsets.UTF_8)) {
            String l = line.strip();
            if (l.startsWith("directories.tokendir") && l.contains("=")) {
                tokenDir = Path.of(l.substring(l.indexOf('=') + 1).strip());
            }
        }
        return tokenDir != null && Files.isDirectory(tokenDir) ? java.util.Optional.of(tokenDir)
                : java.util.Optional.empty();
    }

    /**
     * SoftHSM2's file store keeps one directory per token ({@code <tokendir>/<uuid>/token.object});
     * the token's label is in token.object, blank-padded to 32 bytes. The directory whose
     * token.object holds this label.
     */
    public static java.util.Optional<Path> tokenDirectory(Path tokenStore, String label) throws IOException {
        byte[] padded = String.format("%-32s", label).getBytes(StandardCharsets.UTF_8);
        try (java.util.stream.Stream<Path> dirs = Files.list(tokenStore)) {
            for (Path dir : dirs.sorted().toList()) {
                Path object = dir.resolve("token.object");
                if (Files.isRegularFile(object) && contains(Files.readAllBytes(object), padded)) {
                    return java.util.Optional.of(dir);
                }
            }
        }
        return java.util.Optional.empty();
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
