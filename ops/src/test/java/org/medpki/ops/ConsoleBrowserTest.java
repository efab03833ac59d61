package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medpki.ops.AdminCurl.Identity;
import org.medpki.ops.AdminCurl.Reply;

/**
 * The web console in a real browser (Debian's Chromium driven by playwright-core, the script
 * ops/src/test/console/console.mjs) against a real 'pki up': administrators enrolled on the CA host
 * sign in with their client certificates. Screenshots go to ops/target/console-screenshots.
 */
class ConsoleBrowserTest {
    private static final String SCRIPT = "Ward 7 <script>window.__medpkiXss=1</script><img src=x onerror=\"window.__medpkiXss=1\">";
    private static final Path PLAYWRIGHT = Path.of(System.getenv().getOrDefault("MEDPKI_PLAYWRIGHT_DIR",
            System.getProperty("user.home") + "/.cache/medpki-playwright"));

    @TempDir
    static Path tmp;
    static PkiProcess pki;
    static PkiProcess.Started up;
    static int port;
    static AdminCurl admin;

    @BeforeAll
    static void up() throws Exception {
        // ops/test installs both: missing, the browser test fails rather than being skipped.
        assertThat(Path.of("/usr/bin/chromium")).as("chromium is installed (ops/test installs it)").isExecutable();
        assertThat(PLAYWRIGHT.resolve("node_modules/playwright-core"))
                .as("playwright-core is installed (ops/test installs it)").isDirectory();
        pki = new PkiProcess(tmp.resolve("home"), TestEnvironment.newDatabase());
        port = AcmeLab.freePort(1);
        up = AdminLab.up(pki, port);
        admin = new AdminCurl(pki, tmp, port);
    }

    @AfterAll
    static void down() throws Exception {
        AdminLab.down(up);
    }

    @Test
    void eachRoleSeesItsPagesAndActsThroughTheConsole() throws Exception {
        List<Identity> admins = admin.enrollAll(new String[] {"Cora Auditor", "auditor"},
                new String[] {"Otis Operator", "operator"}, new String[] {"Remy Requester", "requester"},
                new String[] {"Ada Approver", "approver"}, new String[] {"Abe Approver", "approver"},
                new String[] {"Val Victim", "auditor"});
        Identity operator = admins.get(1);
        Identity victim = admins.get(5);
        PkiProcess.Result bench = pki.run("bench", "issue", "--count", "12", "--threads", "2");
        assertThat(bench.exit()).as(bench.toString()).isZero();
        // Two client certificates that expire within the timeline's 90 days, with no replacement.
        for (int i = 0; i < 2; i++) {
            Path csr = Csrs.openssl(tmp, "expiring" + i, "ec:P-256", "/CN=expiring" + i + ".hospital.test",
                    "DNS:expiring" + i + ".hospital.test");
            PkiProcess.Result issued = pki.run("issue", "--profile", "tls-client", "--csr", csr.toString(), "--days",
                    "30", "--out", tmp.resolve("expiring" + i + ".pem").toString());
            assertThat(issued.exit()).as(issued.toString()).isZero();
        }
        Reply located = admin.request(operator, "PUT", "/api/v1/certificates/" + admins.get(0).serial() + "/owner",
                AdminCurl.JSON.writeValueAsString(Map.of("location", SCRIPT)), List.of());
        assertThat(located.status()).as(located.body()).isEqualTo(200);
        String issuer = admin.get(operator, "/api/v1/certificates?profile=admin&limit=1").json().get("items").get(0)
                .get("issuer").asText();

        // A compliance report filed on the CA host, for the audit page.
        PkiProcess.Result report = pki.run("report", "compliance", "--json");
        assertThat(report.exit()).as(report.toString()).isIn(0, 11);
        assertThat(report.err()).contains("compliance report filed as number");
        JsonNode printed = AdminCurl.JSON.readTree(report.out());

        ObjectNode ids = AdminCurl.JSON.createObjectNode();
        String[] roles = {"auditor", "operator", "requester", "approver1", "approver2"};
        for (int i = 0; i < roles.length; i++) {
            ids.putObject(roles[i]).put("cert", admins.get(i).chain().toString()).put("key", admins.get(i).key().toString());
        }
        Path shots = Path.of("target/console-screenshots").toAbsolutePath();
        ProcessBuilder node = new ProcessBuilder("node", Path.of("src/test/console/console.mjs").toAbsolutePath().toString())
                .redirectError(tmp.resolve("node.err").toFile());
        node.environment().putAll(Map.of("CONSOLE_URL", "https://127.0.0.1:" + port, "CONSOLE_IDS", ids.toString(),
                "CONSOLE_VICTIM", victim.serial(), "CONSOLE_ISSUER", issuer, "CONSOLE_SCRIPT", SCRIPT,
                "CONSOLE_SHOTS", shots.toString(), "MEDPKI_PLAYWRIGHT_DIR", PLAYWRIGHT.toString()));
        Process p = node.start();
        String stdout = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        String err = Files.readString(tmp.resolve("node.err"));
        assertThat(p.exitValue()).as(stdout + err).isZero();
        JsonNode out = AdminCurl.JSON.readTree(stdout.lines().reduce((a, b) -> b).orElse("{}"));
        assertThat(out.get("completed").asBoolean()).as(out.toPrettyString()).isTrue();

        // No certificate: how to get one, no data.
        assertThat(out.get("noCertificate").get("text").asText()).contains("pki admin enroll");
        assertThat(out.get("noCertificate").get("tables").asInt()).isZero();
        assertThat(out.get("noCertificate").get("nav").asInt()).isZero();
        // Each role's navigation.
        assertThat(out.get("nav").get("auditor").toString())
                .isEqualTo("[\"inventory\",\"approvals\",\"timeline\",\"kpis\",\"audit\"]");
        assertThat(out.get("nav").get("operator").toString())
                .isEqualTo("[\"inventory\",\"approvals\",\"revocations\",\"timeline\",\"kpis\"]");
        assertThat(out.get("nav").get("requester").toString())
                .isEqualTo("[\"inventory\",\"approvals\",\"revocations\",\"timeline\",\"kpis\"]");
        assertThat(out.get("nav").get("approver1").toString()).isEqualTo("[\"inventory\",\"approvals\",\"timeline\",\"kpis\"]");
        assertThat(out.get("approverAudit").asText()).contains("roles do not allow");
        // The audit page shows the chain verified, as 'pki audit verify' finds it.
        assertThat(out.get("auditVerified").get("ok").asText()).isEqualTo("true");
        assertThat(out.get("auditVerified").get("entries").asLong()).isPositive();
        assertThat(out.get("auditVerified").get("text").asText()).startsWith("Chain verified: ");
        // ... and the compliance report the command filed and printed, every check in a row.
        JsonNode compliance = out.get("compliance");
        assertThat(compliance.get("generatedAt").asText()).isEqualTo(printed.get("generatedAt").asText());
        assertThat(compliance.get("ok").asText()).isEqualTo(compliance.get("apiOk").asText())
                .isEqualTo(printed.get("ok").asText());
        assertThat(compliance.get("failed").asInt()).isEqualTo(compliance.get("apiFailed").asInt())
                .isEqualTo(printed.get("counts").get("fail").asInt());
        assertThat(compliance.get("rows").asInt()).isEqualTo(compliance.get("apiChecks").asInt()).isGreaterThan(10);
        PkiProcess.Result verify = pki.run("audit", "verify");
        assertThat(verify.exit()).as(verify.toString()).isZero();
        // Search; markup in a location shown as text, nothing run.
        assertThat(out.get("search").get("rows").asInt()).isGreaterThanOrEqualTo(6);
        assertThat(out.get("search").get("profiles").toString()).isEqualTo("[\"admin\"]");
        assertThat(out.get("script").get("shownAsText").asBoolean()).isTrue();
        assertThat(out.get("script").get("injectedElements").asInt()).isZero();
        assertThat(out.get("script").get("ran").asBoolean()).isFalse();
        // An expiry window without a chosen column asks for the soonest to expire first, and shows it so.
        assertThat(out.get("expiryWindow").get("sort").asText()).isEqualTo("notAfter");
        assertThat(out.get("expiryWindow").get("order").asText()).isEqualTo("asc");
        List<String> notAfters = new java.util.ArrayList<>();
        out.get("expiryWindow").get("notAfters").forEach(n -> notAfters.add(n.asText()));
        assertThat(notAfters).hasSizeGreaterThan(1).isSorted();
        // A certificate's page: the auditor sees the audit entries and no revoke form.
        assertThat(out.get("detail").get("subject").asText()).contains("CN=Val Victim");
        assertThat(out.get("detail").get("status").asText()).isEqualTo("issued");
        assertThat(out.get("detail").get("ocsp").asText()).startsWith("good");
        assertThat(out.get("detail").get("spki").asText()).matches("[0-9a-f]{64}");
        assertThat(out.get("detail").get("revokeForm").asInt()).isZero();
        assertThat(out.get("detail").get("audit").asInt()).isEqualTo(1);
        // From the page: a forged or missing CSRF token is refused; a huge page is cut to 200.
        assertThat(out.get("forged").get("forged").asInt()).isEqualTo(403);
        assertThat(out.get("forged").get("missing").asInt()).isEqualTo(403);
        assertThat(out.get("hugeLimit").get("status").asInt()).isEqualTo(200);
        assertThat(out.get("hugeLimit").get("limit").asInt()).isEqualTo(200);
        // The operator's revocation: done at once, and the page (and OCSP) say revoked.
        assertThat(out.get("statusBefore").asText()).isEqualTo("issued");
        assertThat(out.get("statusAfter").asText()).startsWith("revoked");
        assertThat(out.get("ocspAfter").asText()).startsWith("revoked");
        assertThat(out.get("revokeAnswer").asText()).startsWith("Revoked (request ").endsWith(": done).");
        // What the page said of OCSP, asked of the OCSP responder itself with openssl.
        JsonNode detail = admin.get(operator, "/api/v1/certificates/" + issuer + "/" + victim.serial()).json();
        Path issuerPem = Files.writeString(tmp.resolve("issuer.pem"), detail.get("chain").get(0).get("pem").asText());
        String ocspUrl = null;
        for (JsonNode a : detail.get("extensions").get("authorityInfoAccess")) {
            if (a.get("method").asText().equals("ocsp")) {
                ocspUrl = a.get("location").asText();
            }
        }
        assertThat(ocspUrl).isNotNull();
        String ocsp = AdminCurl.exec("openssl", "ocsp", "-issuer", issuerPem.toString(), "-cert", victim.chain().toString(),
                "-url", ocspUrl, "-CAfile", AdminLab.rootPem(pki).toString());
        assertThat(ocsp).contains(": revoked").contains("Response verify OK");
        // The mass revocation: dry run, request, two approvals, done.
        assertThat(out.get("dryRun").get("text").asText()).contains("2 approval(s) needed");
        assertThat(out.get("dryRun").get("listed").asInt()).isGreaterThanOrEqualTo(11);
        assertThat(out.get("submitted").asText()).contains("pending-approval");
        assertThat(out.get("approver1Decided").asText()).contains("pending-approval");
        assertThat(out.get("approver2Decided").asText()).containsAnyOf("running", "done");
        assertThat(out.get("massState").asText()).isEqualTo("done");

        // The KPI page's numbers are the API's for the page's period; the revocations above are among them.
        JsonNode shown = out.get("kpis").get("shown");
        JsonNode kpis = out.get("kpis").get("api");
        JsonNode revocation = kpis.get("revocationPublicationLatency");
        assertThat(shown.get("kpi-rev-count").asLong()).isEqualTo(revocation.get("revoked").asLong())
                .isGreaterThanOrEqualTo(12);
        assertThat(shown.get("kpi-ttr-count").asLong()).isEqualTo(kpis.get("timeToRenew").get("count").asLong());
        assertThat(shown.get("kpi-rev-crl-unpublished").asLong())
                .isEqualTo(revocation.get("crl").get("notPublished").asLong());
        assertThat(shown.get("kpi-rev-ocsp-unstored").asLong())
                .isEqualTo(revocation.get("ocsp").get("notStored").asLong());
        for (String q : List.of("p50", "p99")) {
            for (String channel : List.of("ocsp", "crl")) {
                JsonNode v = revocation.get(channel).get(q + "Seconds");
                assertThat(shown.get("kpi-rev-" + channel + "-" + q).asText()).as(channel + " " + q)
                        .isEqualTo(v == null || v.isNull() ? "" : v.asText());
            }
        }
        JsonNode timeline = out.get("timeline");
        assertThat(timeline.get("shownTotal").asLong()).isEqualTo(timeline.get("apiTotal").asLong())
                .isGreaterThanOrEqualTo(2);
        assertThat(timeline.get("shownWithout").asLong()).isEqualTo(timeline.get("apiWithout").asLong())
                .isGreaterThanOrEqualTo(2);
        assertThat(timeline.get("bars").asInt()).isPositive();
        JsonNode left = admin.get(operator, "/api/v1/certificates?profile=tls-server&status=issued").json().get("items");
        assertThat(left).as("every tls-server certificate revoked").isEmpty();
        assertThat(Files.list(shots).map(f -> f.getFileName().toString()).toList())
                .contains("signin.png", "inventory.png", "certificate.png", "certificate-revoked.png",
                        "revocations-dry-run.png", "approvals-done.png", "audit.png");
    }
}
