package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of one test's own, for faults that would hit every other test on the
 * shared cluster of ops/test (a restart). Made as ops/scripts/test-postgres.sh makes that one:
 * initdb and pg_ctl of the newest installed version, as the user postgres when we are root.
 */
final class DedicatedPostgres implements AutoCloseable {
    private final Path dir;
    private final Path bin;
    private final int port;
    private final String password;
    private final List<String> runAs;

    private DedicatedPostgres(Path dir, Path bin, int port, String password, List<String> runAs) {
        this.dir = dir;
        this.bin = bin;
        this.port = port;
        this.password = password;
        this.runAs = runAs;
    }

    static DedicatedPostgres start() throws Exception {
        Path bin;
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            bin = versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparingInt(b -> Integer.parseInt(b.getParent().getFileName().toString()
                            .replaceAll("\\D.*", "")))).orElseThrow(() -> new IllegalStateException(
                            "no PostgreSQL under /usr/lib/postgresql: run the tests through ops/test"));
        }
        // Not under JUnit's temporary directory: the server's user must reach it.
        Path dir = Files.createTempDirectory("medpki-fault-pg");
        boolean root = "root".equals(System.getProperty("user.name"));
        List<String> runAs = root ? List.of("runuser", "-u", "postgres", "--") : List.of();
        byte[] secret = new byte[18];
        new SecureRandom().nextBytes(secret);
        String password = HexFormat.of().formatHex(secret);
        Path pwfile = dir.resolve("pwfile");
        Files.writeString(pwfile, password + "\n");
        if (root) {
            UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
            Files.setOwner(dir, postgres);
            Files.setOwner(pwfile, postgres);
        }
        DedicatedPostgres pg = new DedicatedPostgres(dir, bin, AcmeLab.freePort(1), password, runAs);
        pg.run(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "medpki_admin",
                "--pwfile=" + pwfile, "-A", "scram-sha-256", "-E", "UTF8", "--no-locale");
        pg.startServer();
        return pg;
    }

    /** The superuser's URL (database postgres). */
    String adminUrl() {
        return "postgresql://medpki_admin:" + password + "@127.0.0.1:" + port + "/postgres";
    }

    /** A fresh database's URL, with the superuser's credentials (for 'pki init'). */
    String newDatabase(String name) throws Exception {
        TestEnvironment.PgUrl admin = TestEnvironment.PgUrl.parse(adminUrl());
        try (Connection c = DriverManager.getConnection(admin.jdbc(admin.database()), admin.user(), admin.password());
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return admin.withDatabase(name);
    }

    /** Stops the server as a crash would (SIGQUIT to every backend, no checkpoint). */
    void crash() throws Exception {
        run(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop");
    }

    /** Starts the server (after {@link #crash()}: crash recovery first) and waits until it accepts connections. */
    void startServer() throws Exception {
        run(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l",
                dir.resolve("server.log").toString(), "-w", "-t", "120", "-o", "-p " + port + " -k " + dir
                        + " -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off"
                        + " -c synchronous_commit=off -c full_page_writes=off", "start");
    }

    private void run(String... command) throws Exception {
        List<String> full = new ArrayList<>(runAs);
        full.addAll(List.of(command));
        PkiProcess.Result r = PkiProcess.tool(Map.of(), full.toArray(String[]::new));
        assertThat(r.exit()).as(String.join(" ", command) + ": " + r + serverLog()).isZero();
    }

    private String serverLog() throws IOException {
        Path log = dir.resolve("server.log");
        return Files.exists(log) ? "\n--- server.log\n" + Files.readString(log) : "";
    }

    @Override
    public void close() throws Exception {
        try {
            run(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "stop");
        } catch (AssertionError e) {
            // already stopped
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
