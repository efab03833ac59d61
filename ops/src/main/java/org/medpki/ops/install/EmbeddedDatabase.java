package org.medpki.ops.install;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.inventory.pg.DatabaseUrl;
import org.medpki.inventory.pg.PgLogins;

/**
 * The embedded PostgreSQL of a laptop installation: its data lives in PKI_HOME/db. If another
 * 'pki' process (usually 'pki up') already runs it, this one connects to it instead of starting a
 * second server on the same data.
 *
 * <p>Durable (fsync, synchronous_commit and full_page_writes on, which zonky's defaults turn
 * off), listening on 127.0.0.1 only, and no trust authentication: the superuser 'postgres' has a
 * random password (PKI_HOME/secrets/db-superuser.password) and pg_hba.conf allows SCRAM-SHA-256
 * over loopback TCP and nothing else (no local-socket logins). initdb (zonky's) trusts everyone,
 * so the first start - of a new data directory, or of one made before the password existed -
 * sets the password, writes pg_hba.conf and reloads before anything else uses the server; every
 * later start writes pg_hba.conf again before the postmaster starts and connects with the password.
 */
public final class EmbeddedDatabase implements AutoCloseable {
    static final String SUPERUSER = "postgres";
    static final String PG_HBA = """
            # Written by medpki at every start of the embedded server: password (SCRAM-SHA-256)
            # authentication over loopback TCP only; no local-socket logins, no trust.
            host all all 127.0.0.1/32 scram-sha-256
            host all all ::1/128 scram-sha-256
            """;

    private final EmbeddedPostgres server;
    private final int port;
    private final Path passwordFile;

    private EmbeddedDatabase(EmbeddedPostgres server, int port, Path passwordFile) {
        this.server = server;
        this.port = port;
        this.passwordFile = passwordFile;
    }

    public static EmbeddedDatabase startOrAttach(Path dataDir, int port, Path superuserPasswordFile) {
        if (Files.exists(dataDir.resolve("postmaster.pid")) && listening(port)) {
            if (!Files.exists(superuserPasswordFile)) {
                throw new PkiException(ErrorKind.CONFIGURATION, "the embedded PostgreSQL in " + dataDir + " runs without "
                        + "a superuser password (made by an earlier version): stop the process that runs it ('pki up') "
                        + "and start it again, which sets one");
            }
            return new EmbeddedDatabase(null, port, superuserPasswordFile);
        }
        boolean secured = Files.exists(superuserPasswordFile);
        try {
            Files.createDirectories(dataDir);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on")
                    .setServerConfig("password_encryption", "scram-sha-256")
                    .setOutputRedirector(java.lang.ProcessBuilder.Redirect.DISCARD)
                    .setErrorRedirector(java.lang.ProcessBuilder.Redirect.DISCARD);
            if (secured) {
                // zonky waits for start-up by connecting as postgres; it needs the password then.
                builder.setConnectConfig("password", SecretFiles.read(superuserPasswordFile))
                        .setDataDirectoryCustomizer(dir -> writeHba(dir.toPath()));
            }
            EmbeddedPostgres pg = builder.start();
            EmbeddedDatabase db = new EmbeddedDatabase(pg, port, superuserPasswordFile);
            if (!secured) {
                db.secure(dataDir);
            }
            return db;
        } catch (IOException | RuntimeException e) {
            if (e instanceof PkiException p) {
                throw p;
            }
            throw new PkiException(ErrorKind.DATABASE_UNAVAILABLE,
                    "the embedded PostgreSQL in " + dataDir + " did not start: " + e.getMessage(), e);
        }
    }

    /**
     * First start with trust authentication: sets the superuser's password (a SCRAM verifier made
     * by the driver), keeps it in the secrets file, then allows only password logins and reloads.
     * A crash in between leaves either trust and no file (done again next time) or the file and
     * the password set (pg_hba.conf is written at the next start).
     */
    private void secure(Path dataDir) {
        String password = SecretFiles.newPassword();
        try {
            PgLogins.setPasswordAndReload(new DatabaseUrl("127.0.0.1", port, "postgres", SUPERUSER, null, null),
                    "pki-init", SUPERUSER, password, () -> {
                        SecretFiles.write(passwordFile, password);
                        writeHba(dataDir);
                    });
        } catch (PkiException e) {
            close();
            throw new PkiException(e.kind(), "securing the embedded PostgreSQL in " + dataDir + " failed: "
                    + e.detail(), e);
        }
    }

    private static void writeHba(Path dataDir) {
        try {
            Files.writeString(dataDir.resolve("pg_hba.conf"), PG_HBA);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dataDir.resolve("pg_hba.conf"), e);
        }
    }

    /** The superuser's login (password from the secrets file): for 'pki init' only. */
    public DatabaseUrl superuser() {
        return new DatabaseUrl("127.0.0.1", port, "postgres", SUPERUSER, SecretFiles.read(passwordFile), null);
    }

    /** Where the server is, for the service logins' URLs. */
    public int port() {
        return port;
    }

    public boolean owned() {
        return server != null;
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        if (server != null) {
            try {
                server.close();
            } catch (IOException e) {
                // The server process is gone either way; nothing else to release.
            }
        }
    }
}
