package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile requests to the CA API of a real 'pki serve ca' (its own process, real PostgreSQL and
 * SoftHSM2), sent with curl and the installation's own service certificates: bodies that are not
 * JSON objects, members of the wrong type, an oversized body, unknown paths, other methods, no
 * certificate, and a service that has no row in caApi.callers. Every answer is the API's JSON
 * error with a 4xx; the service's log holds no stack trace.
 */
class CaApiBadInputTest {
    /** The test harness's own variables (its token PIN, the cluster's superuser URL) reach no service. */
    private static final Set<String> HARNESS = Set.of("PKI_TEST_TOKEN_PIN", "PKI_TEST_PG_ADMIN_URL");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    static PkiProcess pki;
    static PkiProcess.Started ca;
    static String api;

    @BeforeAll
    static void serveCa() throws Exception {
        String adminUrl = TestEnvironment.newDatabase();
        pki = new PkiProcess(tmp.resolve("home"), adminUrl);
        int httpPort = AcmeLab.freePort(2);
        PkiProcess.Result init = pki.run("init", "--http-port", Integer.toString(httpPort));
        assertThat(init.exit()).as(init.toString()).isZero();
        // The OCSP service keeps its certificate but loses its row: a caller the CA knows and grants nothing.
        Path settings = pki.home().resolve("medpki.yaml");
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        ObjectNode root = (ObjectNode) yaml.readTree(settings.toFile());
        assertThat(((ObjectNode) root.at("/caApi/callers")).remove("ocsp")).isNotNull();
        yaml.writeValue(settings.toFile(), root);

        TestEnvironment.PgUrl admin = TestEnvironment.PgUrl.parse(adminUrl);
        Map<String, String> env = new HashMap<>(Map.of("PKI_DATABASE_URL",
                "postgresql://medpki@" + admin.host() + ":" + admin.port() + "/" + admin.database()));
        ca = pki.start(env, HARNESS, "serve", "ca");
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!Files.readString(ca.out()).contains("serving")) {
            assertThat(ca.process().isAlive()).as("the CA keeps running: " + Files.readString(ca.err())).isTrue();
            assertThat(System.nanoTime()).as("the CA serves within 120 s").isLessThan(deadline);
            Thread.sleep(100);
        }
        api = "https://127.0.0.1:" + (httpPort + 364);
    }

    @AfterAll
    static void stop() throws Exception {
        if (ca != null) {
            ca.process().destroy();
            if (!ca.process().waitFor(30, TimeUnit.SECONDS)) {
                ca.process().destroyForcibly();
            }
        }
    }

    @Test
    void bodiesThatAreNotAJsonObjectAre400Malformed() throws Exception {
        List<String> bodies = List.of("{", "null", "[]", "[{\"profile\":\"tls-server\"}]", "\"tls-server\"", "42",
                "true", "{}x", "{\"profile\":\"tls-server\",}", "{'profile':'tls-server'}", "\u0000",
                "[".repeat(5000) + "]".repeat(5000), "{\"a\":".repeat(3000) + "1" + "}".repeat(3000));
        for (String body : bodies) {
            Answer a = call("acme", "POST", "/ca-api/v1/certificates", body);
            String shown = body.length() > 40 ? body.substring(0, 40) + "..." : body;
            assertThat(a.status()).as(shown).isEqualTo(400);
            assertThat(a.kind()).as(shown).isEqualTo("MALFORMED");
            assertThat(a.detail()).as(shown).isEqualTo("the body must be a JSON object");
        }
        assertNoStackTraceInTheLog();
    }

    @Test
    void membersOfTheWrongTypeAre400NamingTheMember() throws Exception {
        record Case(String caller, String operation, String body, int status, String kind, String detail) {
        }
        List<Case> cases = List.of(
                new Case("acme", "certificates", "{\"profile\":7,\"requester\":\"x\",\"csr\":\"AAAA\"}", 400,
                        "MALFORMED", "profile must be a non-empty string"),
                new Case("acme", "certificates", "{\"profile\":\"tls-server\",\"requester\":null,\"csr\":\"AAAA\"}",
                        400, "MALFORMED", "requester must be a non-empty string"),
                new Case("acme", "certificates", "{\"profile\":\"tls-server\",\"requester\":\"x\",\"csr\":12}", 400,
                        "MALFORMED", "csr must be base64"),
                new Case("acme", "certificates", "{\"profile\":\"tls-server\",\"requester\":\"x\",\"csr\":\"%%%\"}",
                        400, "MALFORMED", "csr must be base64"),
                new Case("acme", "certificates", "{\"profile\":\"tls-server\",\"requester\":\"x\",\"csr\":\"AAAA\","
                        + "\"validityDays\":\"ten\"}", 400, "MALFORMED", "validityDays must be a number of days"),
                new Case("acme", "certificates", "{\"profile\":\"tls-server\",\"requester\":\"x\",\"csr\":\"AAAA\","
                        + "\"optionalUsages\":\"clientAuth\"}", 400, "MALFORMED", "optionalUsages must be an array"),
                new Case("acme", "certificates", "{\"profile\":\"tls-server\",\"requester\":\"x\",\"csr\":\"AAAA\","
                        + "\"optionalUsages\":[1]}", 400, "MALFORMED", "optionalUsages must be strings"),
                new Case("acme", "certificates", "{\"profile\":\"tls-server\",\"requester\":\"x\",\"csr\":\"AAAA\","
                        + "\"names\":{}}", 400, "MALFORMED", "names must be an array"),
                new Case("acme", "certificates", "{\"profile\":\"tls-server\",\"requester\":\"x\",\"csr\":\"AAAA\"}",
                        400, "BAD_CSR", ""),
                new Case("acme", "certificates", "{\"profile\":\"code-signing\",\"requester\":\"x\",\"csr\":\"AAAA\"}",
                        403, "UNAUTHORIZED", "service acme may not have certificates issued under profile code-signing"),
                new Case("acme", "revocations", "{\"serial\":255,\"reason\":\"keyCompromise\"}", 400, "MALFORMED",
                        "serial must be a non-empty string"),
                new Case("acme", "revocations", "{\"serial\":\"XYZ\",\"reason\":\"keyCompromise\"}", 400, "MALFORMED",
                        "serial must be a serial in lower-case hex"),
                new Case("acme", "revocations", "{\"serial\":\"1f\",\"reason\":\"sometimes\"}", 400,
                        "BAD_REVOCATION_REASON", ""),
                new Case("acme", "revocations", "{\"serial\":\"1f\",\"reason\":\"keyCompromise\",\"issuer\":5}", 400,
                        "MALFORMED", "issuer must be the name of a CA"),
                new Case("acme", "revocations", "{\"serial\":\"1f\",\"reason\":\"keyCompromise\"}", 404, "NOT_FOUND",
                        "no certificate with serial 1f"),
                new Case("crl", "crls", "{\"ca\":[\"server-ca\"],\"kind\":\"full\",\"shard\":0}", 400, "MALFORMED",
                        "ca must be a non-empty string"),
                new Case("crl", "crls", "{\"ca\":\"server-ca\",\"kind\":\"weekly\",\"shard\":0}", 400, "MALFORMED",
                        "kind must be full or delta"),
                new Case("crl", "crls", "{\"ca\":\"server-ca\",\"kind\":\"full\",\"shard\":\"0\"}", 400, "MALFORMED",
                        "shard must be a number"),
                new Case("crl", "crls", "{\"ca\":\"server-ca\",\"kind\":\"full\",\"shard\":1.5}", 400, "MALFORMED",
                        "shard must be a number"),
                new Case("crl", "crls", "{\"ca\":\"server-ca\",\"kind\":\"full\",\"shard\":-1}", 400, "MALFORMED",
                        "CRL shard must be between 0 and"),
                new Case("crl", "crls", "{\"ca\":\"no-such-ca\",\"kind\":\"full\",\"shard\":0}", 404, "NOT_FOUND",
                        "no CA named no-such-ca"),
                new Case("acme", "service-certificates", "{\"csr\":\"AAAA\"}", 400, "BAD_CSR",
                        "the request is not a DER PKCS#10 request"),
                new Case("acme", "service-certificates", "{\"csr\":[]}", 400, "MALFORMED", "csr must be base64"));
        for (Case c : cases) {
            Answer a = call(c.caller(), "POST", "/ca-api/v1/" + c.operation(), c.body());
            String shown = c.caller() + " " + c.operation() + " " + c.body();
            assertThat(a.status()).as(shown + ": " + a.detail()).isEqualTo(c.status());
            assertThat(a.kind()).as(shown).isEqualTo(c.kind());
            assertThat(a.detail()).as(shown).startsWith(c.detail());
        }
        assertNoStackTraceInTheLog();
    }

    @Test
    void aBodyOver64KiBIs413() throws Exception {
        String body = "{\"profile\":\"tls-server\",\"requester\":\"x\",\"csr\":\"" + "A".repeat(70_000) + "\"}";
        Answer a = call("acme", "POST", "/ca-api/v1/certificates", body);
        assertThat(a.status()).isEqualTo(413);
        assertThat(a.kind()).isEqualTo("MALFORMED");
        assertThat(a.detail()).isEqualTo("the body must be at most 65536 bytes");
        assertNoStackTraceInTheLog();
    }

    @Test
    void unknownPathsAre404AndOtherMethodsAre405AllowingPost() throws Exception {
        for (String path : List.of("/ca-api/v1/nothing", "/ca-api/v1/certificates/1", "/ca-api/v2/certificates",
                "/ca-api/v1/", "/ca-api/v1/%2e%2e%2fhealth", "/../../etc/passwd", "/ca-api/v1/" + "a".repeat(3000))) {
            Answer a = call("acme", "POST", path, "{}");
            String shown = path.length() > 60 ? path.substring(0, 60) + "..." : path;
            assertThat(a.status()).as(shown).isEqualTo(404);
            assertThat(a.kind()).as(shown).isEqualTo("NOT_FOUND");
        }
        for (String method : List.of("GET", "PUT", "DELETE", "PATCH", "OPTIONS")) {
            Answer a = call("acme", method, "/ca-api/v1/certificates", "{}");
            assertThat(a.status()).as(method).isEqualTo(405);
            assertThat(a.headers()).as(method).containsEntry("allow", "POST");
            assertThat(a.kind()).as(method).isEqualTo("MALFORMED");
        }
        assertNoStackTraceInTheLog();
    }

    @Test
    void noClientCertificateIs401AndACallerWithoutARowIs403() throws Exception {
        for (String body : List.of("{}", "null", "{\"profile\":\"tls-server\"}")) {
            Answer none = call(null, "POST", "/ca-api/v1/certificates", body);
            assertThat(none.status()).as(body).isEqualTo(401);
            assertThat(none.kind()).isEqualTo("UNAUTHORIZED");
            assertThat(none.detail()).startsWith("a service certificate of this PKI is required");
        }
        Answer noRow = call("ocsp", "POST", "/ca-api/v1/ocsp-signers",
                "{\"issuingCa\":\"server-ca\",\"csr\":\"AAAA\",\"keyLabel\":\"x\"}");
        assertThat(noRow.status()).isEqualTo(403);
        assertThat(noRow.kind()).isEqualTo("UNAUTHORIZED");
        assertThat(noRow.detail()).isEqualTo("service ocsp may not have OCSP signers certified");
        Answer noRowIssue = call("ocsp", "POST", "/ca-api/v1/certificates",
                "{\"profile\":\"tls-server\",\"requester\":\"x\",\"csr\":\"AAAA\"}");
        assertThat(noRowIssue.status()).isEqualTo(403);
        assertThat(noRowIssue.detail()).isEqualTo("service ocsp may not have certificates issued under profile "
                + "tls-server");
        assertNoStackTraceInTheLog();
    }

    /** One answer of the API: status, headers (names in lower case), and the JSON error's kind and detail. */
    record Answer(int status, Map<String, String> headers, String kind, String detail) {
    }

    /** curl with the service {@code caller}'s certificate (null: none), the body from a file as is. */
    private static Answer call(String caller, String method, String path, String body) throws Exception {
        Path file = Files.createTempFile(tmp, "body", ".json");
        Files.writeString(file, body);
        List<String> command = new ArrayList<>(List.of("curl", "-sk", "-i", "--path-as-is", "-H", "Expect:", "-X", method,
                "-H", "Content-Type: application/json", "--data-binary", "@" + file));
        if (caller != null) {
            Path dir = pki.home().resolve("services").resolve(caller);
            command.addAll(List.of("--cert", dir.resolve("chain.pem").toString(),
                    "--key", dir.resolve("key.pem").toString()));
        }
        command.add(api + path);
        PkiProcess.Result r = PkiProcess.tool(Map.of(), command.toArray(String[]::new));
        assertThat(r.exit()).as(r.toString()).isZero();
        String text = r.out();
        int end = text.indexOf("\r\n\r\n");
        assertThat(end).as(text).isPositive();
        String[] lines = text.substring(0, end).split("\r\n");
        Map<String, String> headers = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        String payload = text.substring(end + 4);
        assertThat(payload).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(headers.get("content-type")).as(payload).startsWith("application/json");
        JsonNode error = JSON.readTree(payload);
        return new Answer(Integer.parseInt(lines[0].split(" ")[1]), headers, error.path("kind").asText(),
                error.path("detail").asText());
    }

    private static void assertNoStackTraceInTheLog() throws Exception {
        String log = Files.readString(ca.err()) + Files.readString(ca.out());
        assertThat(log).doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(ca.process().isAlive()).isTrue();
    }
}
