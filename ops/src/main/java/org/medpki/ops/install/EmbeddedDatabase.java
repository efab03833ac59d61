package org.medpki.ops.install;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

/**
 * The embedded PostgreSQL of a laptop installation: its data lives in PKI_HOME/db. If another
 * 'pki' process (usually 'pki up') already runs it, this one connects to it instead of starting a
 * second server on the same data.
 */
public final class EmbeddedDatabase implements AutoCloseable {
    private final EmbeddedPostgres server;
    private final int port;

    private EmbeddedDatabase(EmbeddedPostgres server, int port) {
        this.server = server;
        this.port = port;
    }

    public static EmbeddedDatabase startOrAttach(Path dataDir, int port) {
        if (Files.exists(dataDir.resolve("postmaster.pid")) && listening(port)) {
            return new EmbeddedDatabase(null, port);
        }
        try {
            Files.createDirectories(dataDir);
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("max_connections", "200")
                    .setOutputRedirector(java.lang.ProcessBuilder.Redirect.DISCARD)
                    .setErrorRedirector(java.lang.ProcessBuilder.Redirect.DISCARD)
                    .start();
            return new EmbeddedDatabase(pg, port);
        } catch (IOException | RuntimeException e) {
            throw new PkiException(ErrorKind.DATABASE_UNAVAILABLE,
                    "the embedded PostgreSQL in " + dataDir + " did not start: " + e.getMessage(), e);
        }
    }

    /** URL of the inventory database (trust authentication on loopback only). */
    public String url() {
        return "postgresql://postgres@127.0.0.1:" + port + "/postgres";
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
