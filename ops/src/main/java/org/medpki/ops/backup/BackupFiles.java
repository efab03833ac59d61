package org.medpki.ops.backup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

/**
 * File handling of backups: directories 700 and files 600 (a backup holds the token store and the
 * whole inventory), regular files only (a symbolic link is neither copied nor followed), and
 * SHA-256 of each file.
 */
final class BackupFiles {
    static final String DIR_MODE = "rwx------";
    static final String FILE_MODE = "rw-------";

    private BackupFiles() {
    }

    /** {@code dir}: created with mode 700, or an existing empty directory; anything else is a conflict. */
    static void createEmptyDirectory(Path dir, String option) {
        try {
            if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    throw new PkiException(ErrorKind.CONFLICT, option + " " + dir + " exists and is not a directory");
                }
                try (Stream<Path> entries = Files.list(dir)) {
                    if (entries.findAny().isPresent()) {
                        throw new PkiException(ErrorKind.CONFLICT, option + " " + dir + " exists and is not empty");
                    }
                }
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(DIR_MODE));
            } else {
                Files.createDirectories(dir.getParent());
                mkdir(dir);
            }
        } catch (IOException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, "cannot make " + option + " " + dir + ": "
                    + e.getClass().getSimpleName());
        }
    }

    static void mkdir(Path dir) throws IOException {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(DIR_MODE)));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(DIR_MODE));
    }

    static void mkdirs(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            if (dir.getParent() != null) {
                mkdirs(dir.getParent());
            }
            mkdir(dir);
        }
    }

    /** Copies one regular file; the copy is 600 (created so before any byte is written). */
    static void copy(Path from, Path to) throws IOException {
        if (!Files.isRegularFile(from, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(from + " is not a regular file");
        }
        mkdirs(to.getParent());
        Files.createFile(to, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(FILE_MODE)));
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString(FILE_MODE));
    }

    /** Copies the regular files under {@code from} that pass {@code filter}, keeping the layout. */
    static void copyTree(Path from, Path to, Predicate<Path> filter) throws IOException {
        for (Path file : regularFiles(from)) {
            if (filter.test(file)) {
                copy(file, to.resolve(from.relativize(file).toString()));
            }
        }
    }

    /** Every regular file under {@code dir}, sorted; a symbolic link or other special file is refused. */
    static List<Path> regularFiles(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return files;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (!attrs.isRegularFile()) {
                    throw new IOException(dir.relativize(file) + " is not a regular file");
                }
                files.add(file);
                return FileVisitResult.CONTINUE;
            }
        });
        files.sort(null);
        return files;
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static String sha256(byte[] data) {
        return HexFormat.of().formatHex(sha256().digest(data));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Removes {@code path} and everything under it; quietly, for undoing a failed step. */
    static void deleteQuietly(Path path) {
        if (path == null || !Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(path, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            System.err.println("pki: could not remove " + path + " (" + e.getClass().getSimpleName() + "): remove it by hand");
        }
    }
}
