package org.medpki.ops.install;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

/**
 * Secret files: database passwords under PKI_HOME/secrets (one line each), lab PINs, service keys;
 * the directory mode 700 and the files 600.
 * Messages name the file, never its content.
 */
public final class SecretFiles {
    private static final SecureRandom RANDOM = new SecureRandom();

    private SecretFiles() {
    }

    /** A new random password: 256 bits, base64url without padding (43 characters, no quoting needed). */
    public static String newPassword() {
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    public static boolean exists(Path file) {
        return Files.exists(file);
    }

    /** The password in {@code file}; CONFIGURATION if it is missing, empty or readable by others. */
    public static String read(Path file) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
                throw new PkiException(ErrorKind.CONFIGURATION, file + " is readable by other users: chmod 600 " + file);
            }
            String text = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (text.isEmpty()) {
                throw new PkiException(ErrorKind.CONFIGURATION, file + " is empty");
            }
            return text;
        } catch (java.nio.file.NoSuchFileException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, file + " does not exist (the database password of this "
                    + "installation): run 'pki init', or put the password of the pre-created role there (mode 600)");
        } catch (IOException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, file + " cannot be read: " + e.getClass().getSimpleName());
        }
    }

    /** The password in {@code file}, or a new one written there when the file does not exist. */
    public static String readOrCreate(Path file) {
        if (Files.exists(file)) {
            return read(file);
        }
        String password = newPassword();
        write(file, password);
        return password;
    }

    /**
     * Writes {@code secret} (a password, a PIN, a private key in PEM) to {@code file}: created mode
     * 600 before any byte is written, its directory 700, in place by atomic rename; a final newline
     * is added when missing.
     */
    public static void write(Path file, String secret) {
        Path dir = file.getParent();
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, secret.endsWith("\n") ? secret : secret + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (FileAlreadyExistsException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, "cannot write " + file + ": " + e.getFile() + " exists");
        } catch (IOException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, "cannot write " + file + ": " + e.getClass().getSimpleName());
        }
    }
}
