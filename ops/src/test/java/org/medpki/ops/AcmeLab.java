package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A running 'pki up' for ACME tests: its own home, token store and database; a test DNS server
 * (dns-01, CAA), a hosts file mapping the test names to loopback, a CONNECT proxy through which
 * clients reach https://acme.hospital.test, and free ports for http-01 and tls-alpn-01. The
 * validator may connect to loopback (acme.allowLoopback, false by default), where the tests'
 * http-01 and tls-alpn-01 servers run.
 */
final class AcmeLab implements AutoCloseable {
    static final String ACME_HOST = "acme.hospital.test";
    final PkiProcess pki;
    final TestDnsServer dns;
    final ConnectProxy proxy;
    final Path hostsFile;
    final Path txtDir;
    final int acmePort;
    /** The repository port; the OCSP responder listens on the next one. */
    final int httpPort;
    final int http01Port;
    final int tlsAlpn01Port;
    private final PkiProcess.Started up;

    AcmeLab(Path tmp, Map<String, String> extraEnv, String... hosts) throws Exception {
        this(tmp, extraEnv, Map.of(), hosts);
    }

    /** {@code homeFiles}: files (path relative to PKI_HOME, content) written before 'pki up', e.g. acme.yaml. */
    AcmeLab(Path tmp, Map<String, String> extraEnv, Map<String, String> homeFiles, String... hosts) throws Exception {
        this(tmp, TestEnvironment.newDatabase(), extraEnv, homeFiles, hosts);
    }

    /** As above, on the database at {@code databaseUrl} (an administrator's URL, as PKI_DATABASE_URL at init). */
    AcmeLab(Path tmp, String databaseUrl, Map<String, String> extraEnv, Map<String, String> homeFiles, String... hosts)
            throws Exception {
        pki = new PkiProcess(tmp.resolve("home"), databaseUrl);
        // Clients reach the server as https://acme.hospital.test through the CONNECT proxy.
        Map<String, String> files = new HashMap<>(homeFiles);
        files.merge("acme.yaml", "publicHost: " + ACME_HOST + "\n", (given, host) -> host + given);
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path target = pki.home().resolve(f.getKey());
            Files.createDirectories(target.getParent());
            Files.writeString(target, f.getValue());
        }
        txtDir = tmp.resolve("txt");
        dns = new TestDnsServer(txtDir);
        proxy = new ConnectProxy();
        hostsFile = tmp.resolve("hosts");
        StringBuilder h = new StringBuilder("# test names\n");
        for (String entry : hosts) {
            h.append(entry.contains(" ") ? entry : "127.0.0.1 " + entry).append('\n');
        }
        Files.writeString(hostsFile, h.toString());
        httpPort = freePort(2);
        acmePort = freePort(1);
        http01Port = freePort(1);
        tlsAlpn01Port = freePort(1);
        Map<String, String> env = new HashMap<>(Map.of(
                "PKI_ACME_PORT", Integer.toString(acmePort),
                "PKI_ACME_HTTP01_PORT", Integer.toString(http01Port),
                "PKI_ACME_TLSALPN01_PORT", Integer.toString(tlsAlpn01Port),
                "PKI_ACME_DNS_SERVER", dns.address(),
                "PKI_ACME_HOSTS_FILE", hostsFile.toString(),
                // The validation targets of these tests run on this host: loosen the default deny-list.
                "PKI_ACME_ALLOW_LOOPBACK", "true"));
        env.putAll(extraEnv);
        up = pki.start(env, "up", "--http-port", Integer.toString(httpPort));
        long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
        while (!Files.readString(up.out()).contains("medpki is up")) {
            assertThat(up.process().isAlive()).as("pki up keeps running: " + Files.readString(up.err())).isTrue();
            assertThat(System.nanoTime()).as("pki up within 150 s").isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    String directory() {
        return "https://" + ACME_HOST + ":" + acmePort + "/acme/directory";
    }

    Path root() {
        return pki.home().resolve("pki/root-ca.pem");
    }

    /** The environment an ACME client process needs: the proxy and our root as its trust anchor. */
    Map<String, String> clientEnv() {
        return Map.of("HTTPS_PROXY", proxy.url(), "https_proxy", proxy.url(), "NO_PROXY", "", "no_proxy", "",
                "REQUESTS_CA_BUNDLE", root().toString(), "LEGO_CA_CERTIFICATES", root().toString());
    }

    /** Whether 'pki up' still runs (it stops everything when one of its services exits). */
    boolean running() {
        return up.process().isAlive();
    }

    String ocspUrl() {
        return "http://127.0.0.1:" + (httpPort + 1) + "/ocsp";
    }

    /** 'pki show SERIAL --json'. */
    JsonNode show(String serialHex) throws Exception {
        PkiProcess.Result r = pki.run("show", serialHex, "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        return new ObjectMapper().readTree(r.out());
    }

    /** Runs an external command with the client environment; returns its result. */
    static PkiProcess.Result exec(Map<String, String> env, Path dir, Duration timeout, List<String> command)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in " + timeout + ":\n"
                    + Files.readString(out) + Files.readString(err));
        }
        return new PkiProcess.Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** openssl verify of a leaf (first PEM of chainFile) against our root, with the rest as untrusted. */
    PkiProcess.Result verify(Path chainFile, Path dir, String... options) throws Exception {
        String pem = Files.readString(chainFile);
        int second = pem.indexOf("-----BEGIN CERTIFICATE-----", 10);
        Path leaf = dir.resolve("leaf.pem");
        Path rest = dir.resolve("untrusted.pem");
        Files.writeString(leaf, second < 0 ? pem : pem.substring(0, second));
        Files.writeString(rest, second < 0 ? "" : pem.substring(second));
        List<String> command = new java.util.ArrayList<>(List.of("openssl", "verify"));
        command.addAll(List.of(options));
        command.addAll(List.of("-CAfile", root().toString(), "-untrusted", rest.toString(), leaf.toString()));
        return PkiProcess.tool(Map.of(), command.toArray(String[]::new));
    }

    /** The serial (lower-case hex, no leading zeros) of the first certificate in a PEM file. */
    static String serialOf(Path pem) throws Exception {
        PkiProcess.Result r = PkiProcess.tool(Map.of(), "openssl", "x509", "-in", pem.toString(), "-noout", "-serial");
        assertThat(r.exit()).as(r.toString()).isZero();
        return new java.math.BigInteger(r.out().trim().substring("serial=".length()), 16).toString(16);
    }

    static int freePort(int consecutive) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base;
            try (ServerSocket s = new ServerSocket(0)) {
                base = s.getLocalPort();
            }
            if (base + consecutive > 65535) {
                continue;
            }
            boolean ok = true;
            for (int i = 1; i < consecutive; i++) {
                try (ServerSocket s = new ServerSocket(base + i)) {
                    // free
                } catch (IOException e) {
                    ok = false;
                }
            }
            if (ok) {
                return base;
            }
        }
        throw new IOException("no free ports");
    }

    @Override
    public void close() throws Exception {
        up.process().destroy();
        if (!up.process().waitFor(60, TimeUnit.SECONDS)) {
            up.process().destroyForcibly();
        }
        dns.close();
        proxy.close();
    }
}
