package org.medpki.ops.backup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.inventory.pg.DatabaseUrl;

/**
 * pg_dump and pg_restore of the PostgreSQL client tools: the newest major version under
 * /usr/lib/postgresql (Debian's layout, which ops/test installs), else the PATH. They must be at
 * least the server's version (the embedded server is PostgreSQL 14). The password goes in a
 * password file of mode 600 named by PGPASSFILE, never in an argument or a variable's value.
 */
final class PostgresTools {
    private static final long TIMEOUT_MINUTES = 60;

    private PostgresTools() {
    }

    /** The path of {@code tool} (pg_dump, pg_restore); CONFIGURATION naming the package when missing. */
    static String find(String tool) {
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                Optional<Path> newest = versions.map(v -> v.resolve("bin").resolve(tool)).filter(Files::isExecutable)
                        .max(Comparator.comparing(PostgresTools::majorVersion));
                if (newest.isPresent()) {
                    return newest.get().toString();
                }
            } catch (IOException e) {
                // Fall back to the PATH.
            }
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(":")) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                    return Path.of(dir, tool).toString();
                }
            }
        }
        throw new PkiException(ErrorKind.CONFIGURATION, tool + " is not installed: install the PostgreSQL client "
                + "tools (Debian package postgresql-client, version 14 or later)");
    }

    private static int majorVersion(Path binary) {
        try {
            return Integer.parseInt(binary.getParent().getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Runs {@code tool} against {@code url}'s database as its user; {@code arguments} follow the connection's. */
    static void run(String tool, DatabaseUrl url, List<String> arguments, Path workDir) {
        List<String> command = new ArrayList<>(List.of(find(tool), "--host", url.host(), "--port",
                Integer.toString(url.port()), "--username", url.user(), "--no-password", "--dbname", url.database()));
        command.addAll(arguments);
        Path passFile = null;
        try {
            passFile = Files.createTempFile(workDir, ".pgpass", "", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
            Files.writeString(passFile, String.join(":", escape(url.host()), Integer.toString(url.port()),
                    escape(url.database()), escape(url.user()), escape(url.password() == null ? "" : url.password()))
                    + "\n", StandardCharsets.UTF_8);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().remove("PGPASSWORD");
            builder.environment().put("PGPASSFILE", passFile.toString());
            builder.environment().put("PGAPPNAME", "medpki-" + tool.replace('_', '-'));
            if (url.sslMode() != null) {
                builder.environment().put("PGSSLMODE", url.sslMode());
            }
            Process p = builder.start();
            p.getOutputStream().close();
            byte[] output = p.getInputStream().readAllBytes();
            if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new PkiException(ErrorKind.DATABASE_UNAVAILABLE, tool + " did not finish within "
                        + TIMEOUT_MINUTES + " minutes");
            }
            if (p.exitValue() != 0) {
                // The tools print the statement that failed and the server's message, never the password.
                String said = new String(output, StandardCharsets.UTF_8).strip();
                throw new PkiException(ErrorKind.DATABASE_UNAVAILABLE, tool + " of " + url.location() + " failed (exit "
                        + p.exitValue() + "): " + lastLines(said, 5));
            }
        } catch (IOException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, "cannot run " + tool + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PkiException(ErrorKind.DATABASE_UNAVAILABLE, "interrupted while " + tool + " ran");
        } finally {
            if (passFile != null) {
                try {
                    Files.deleteIfExists(passFile);
                } catch (IOException ignored) {
                    // In a directory of mode 700 that the caller removes.
                }
            }
        }
    }

    private static String escape(String field) {
        return field.replace("\\", "\\\\").replace(":", "\\:");
    }

    private static String lastLines(String text, int count) {
        List<String> lines = text.lines().toList();
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - count), lines.size()));
    }
}
