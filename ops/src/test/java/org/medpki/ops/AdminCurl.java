package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * An administrator's side of the admin API, as on a workstation: keys and CSRs made by openssl,
 * enrolment with 'pki admin enroll' on the CA host, requests with curl and the client certificate.
 */
final class AdminCurl {
    static final ObjectMapper JSON = new ObjectMapper();
    private final PkiProcess pki;
    private final Path dir;
    private final Path rootPem;
    private final int port;

    AdminCurl(PkiProcess pki, Path dir, int port) {
        this.pki = pki;
        this.dir = dir;
        this.rootPem = pki.home().resolve("pki/root-ca.pem");
        this.port = port;
    }

    record Identity(Path key, Path csr, Path chain, String serial) {
    }

    record Reply(int status, String body, String contentType, String headers) {
        Reply(int status, String body, String contentType) {
            this(status, body, contentType, "");
        }

        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }

        /** The value of response header {@code name} (the first), or null. */
        String header(String name) {
            for (String line : headers.split("\r?\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }
    }

    /** A P-256 key and a CSR with CN={@code name}. */
    Identity key(String name) throws Exception {
        Path d = Files.createTempDirectory(dir, "admin");
        Path key = d.resolve("key.pem");
        Path csr = d.resolve("csr.pem");
        exec("openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", key.toString(), "-subj", "/CN=" + name, "-out", csr.toString());
        return new Identity(key, csr, d.resolve("chain.pem"), null);
    }

    /** {@code name} enrolled with {@code roles} (comma-separated) on the CA host. */
    Identity enroll(String name, String roles) throws Exception {
        Identity id = key(name);
        PkiProcess.Result r = pki.run("admin", "enroll", name, "--role", roles, "--csr", id.csr().toString(),
                "--out", id.chain().toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        String serial = exec("openssl", "x509", "-in", id.chain().toString(), "-noout", "-serial").trim()
                .replaceFirst("^serial=", "").toLowerCase(Locale.ROOT).replaceFirst("^0+", "");
        return new Identity(id.key(), id.csr(), id.chain(), serial);
    }

    /**
     * Administrators enrolled as {@link #enroll} does, each {@code {name, roles}}, in that order; the
     * 'pki admin enroll' processes run side by side, since each one's time is mostly its JVM starting.
     */
    List<Identity> enrollAll(String[]... nameAndRoles) throws Exception {
        try (java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(
                Math.max(2, Runtime.getRuntime().availableProcessors()))) {
            List<java.util.concurrent.Future<Identity>> started = new ArrayList<>();
            for (String[] a : nameAndRoles) {
                started.add(pool.submit(() -> enroll(a[0], a[1])));
            }
            List<Identity> enrolled = new ArrayList<>();
            for (java.util.concurrent.Future<Identity> f : started) {
                try {
                    enrolled.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof Error error) {
                        throw error;
                    }
                    throw (Exception) e.getCause();
                }
            }
            return enrolled;
        }
    }

    /** A self-signed certificate and its key: from no CA of this PKI. */
    Identity selfSigned(String name) throws Exception {
        Path d = Files.createTempDirectory(dir, "stranger");
        Path key = d.resolve("key.pem");
        Path cert = d.resolve("cert.pem");
        exec("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", key.toString(), "-subj", "/CN=" + name, "-days", "30", "-out", cert.toString());
        return new Identity(key, null, cert, null);
    }

    /**
     * The whole audit log, read through the API as {@code who} page by page from its first entry (an
     * installation that several classes share has more entries than one page holds).
     */
    List<JsonNode> audit(Identity who) throws Exception {
        List<JsonNode> entries = new ArrayList<>();
        String since = "0";
        while (since != null) {
            Reply page = get(who, "/api/v1/audit?since=" + since + "&limit=1000");
            assertThat(page.status()).as(page.body()).isEqualTo(200);
            page.json().get("items").forEach(entries::add);
            JsonNode next = page.json().get("next");
            since = next == null || next.isNull() ? null : next.asText();
        }
        return entries;
    }

    Reply get(Identity who, String path) throws Exception {
        return request(who, "GET", path, null);
    }

    Reply post(Identity who, String path, String json) throws Exception {
        return request(who, "POST", path, json);
    }

    /** curl against the admin API, trusting the PKI's root; with {@code who}'s certificate and key, if any. */
    Reply request(Identity who, String method, String path, String json) throws Exception {
        return request(who, method, path, json, List.of());
    }

    /** As above, with request headers ("Name: value"); the reply keeps the response headers. */
    Reply request(Identity who, String method, String path, String json, List<String> headers) throws Exception {
        Path body = Files.createTempFile(dir, "body", ".json");
        Path dumped = Files.createTempFile(dir, "headers", ".txt");
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "-X", method, "--cacert", rootPem.toString(),
                "-o", body.toString(), "-D", dumped.toString(), "-w", "%{http_code} %{content_type}"));
        for (String h : headers) {
            command.addAll(List.of("-H", h));
        }
        if (json != null) {
            Path sent = Files.createTempFile(dir, "sent", ".json");
            Files.writeString(sent, json);
            command.addAll(List.of("-H", "Content-Type: application/json", "--data-binary", "@" + sent));
        }
        if (who != null) {
            command.addAll(List.of("--cert", who.chain().toString(), "--key", who.key().toString()));
        }
        command.add("https://127.0.0.1:" + port + path);
        String[] written = exec(command.toArray(String[]::new)).trim().split(" ", 2);
        // Decoded leniently: a DER download is not UTF-8.
        return new Reply(Integer.parseInt(written[0]), new String(Files.readAllBytes(body),
                java.nio.charset.StandardCharsets.UTF_8), written.length > 1 ? written[1] : "",
                Files.readString(dumped));
    }

    static String exec(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
        return out;
    }
}
