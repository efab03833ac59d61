package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.medpki.ops.AdminCurl.Identity;

/**
 * 'pki admin me|certificates|audit|revoke|requests|request|approve|reject' as an administrator runs
 * them on a workstation, against the admin API of a real 'pki up', with keys and CSRs made by
 * openssl, or with a key generated in a SoftHSM2 token that never leaves it. Checks the answers, the
 * dual-control flow, and that every refusal is one line with its exit status. The CA host's commands,
 * the calls configured by environment, with a token, or refused before connecting are real CLI
 * processes; the other admin API calls run the same entry point (PkiMain) in this JVM, since a JVM
 * start per call is most of this class's time and their subject is the answer, not the process.
 */
@ExtendWith(AdminLab.Shared.Resolver.class)
class AdminCliTest {
    @TempDir
    static Path tmp;
    static PkiProcess pki;
    static PkiProcess.Started up;
    static String url;
    static AdminCurl admin;

    @BeforeAll
    static void up(AdminLab.Shared lab) {
        pki = lab.pki();
        up = lab.up();
        url = "https://127.0.0.1:" + lab.port();
        admin = new AdminCurl(pki, tmp, lab.port());
    }

    @Test
    void meCertificatesAndAuditPrintTheApisJson() throws Exception {
        Identity auditor = admin.enroll("Cli Auditor", "auditor");
        PkiProcess.Result me = cli(auditor, "me");
        assertThat(me.exit()).as(me.toString()).isZero();
        assertThat(json(me).get("name").asText()).isEqualTo("Cli Auditor");
        assertThat(json(me).get("roles").toString()).isEqualTo("[\"auditor\"]");

        // URL and root from the environment instead of options.
        PkiProcess.Result viaEnv = pki.run(Map.of("PKI_ADMIN_URL", url + "/api/v1/", "PKI_ADMIN_CACERT",
                AdminLab.rootPem(pki).toString()), "admin", "me", "--cert", auditor.chain().toString(), "--key",
                auditor.key().toString());
        assertThat(viaEnv.exit()).as(viaEnv.toString()).isZero();
        assertThat(json(viaEnv).get("name").asText()).isEqualTo("Cli Auditor");

        PkiProcess.Result certificates = cli(auditor, "certificates", "--profile", "admin", "--status", "issued",
                "--expiring-within-days", "400", "--limit", "1000");
        assertThat(certificates.exit()).as(certificates.toString()).isZero();
        assertThat(strings(json(certificates).get("items"), "serial")).contains(auditor.serial());

        PkiProcess.Result audit = cli(auditor, "audit", "--since", "0", "--limit", "1000");
        assertThat(audit.exit()).as(audit.toString()).isZero();
        assertThat(strings(json(audit).get("items"), "type")).contains("admin.enrolled");
    }

    @Test
    void theOnHostRevokeIsAuditedAsBreakGlass() throws Exception {
        List<Identity> admins = admin.enrollAll(new String[] {"Glass Auditor", "auditor"},
                new String[] {"Glass Victim", "auditor"});
        Identity auditor = admins.get(0);
        Identity victim = admins.get(1);
        PkiProcess.Result revoke = pki.run("revoke", victim.serial(), "--reason", "superseded");
        assertThat(revoke.exit()).as(revoke.toString()).isZero();
        List<JsonNode> entries = new ArrayList<>();
        auditLog(auditor).forEach(e -> {
            if (e.get("type").asText().equals("certificate.revoked")
                    && e.get("details").get("serial").asText().equals(victim.serial())) {
                entries.add(e);
            }
        });
        assertThat(entries).hasSize(1);
        assertThat(entries.getFirst().get("actor").asText()).startsWith("break-glass:cli:");
        assertThat(entries.getFirst().get("details").get("breakGlass").asText()).isEqualTo("true");
    }

    @Test
    void aRevocationByQueryNeedsTwoOtherApproversAndRevokesExactlyItsDryRun() throws Exception {
        List<Identity> admins = admin.enrollAll(new String[] {"Cli Requester", "requester,approver"},
                new String[] {"Cli Approver One", "approver"}, new String[] {"Cli Approver Two", "approver"},
                new String[] {"Cli Operator", "operator"});
        Identity requester = admins.get(0);
        Identity first = admins.get(1);
        Identity second = admins.get(2);
        Identity operator = admins.get(3);
        issueServerCertificates(12);
        List<String> all = issued("tls-server");
        assertThat(all).hasSizeGreaterThan(10);

        PkiProcess.Result dry = cli(requester, "revoke", "--query-profile", "tls-server", "--reason", "superseded",
                "--dry-run");
        assertThat(dry.exit()).as(dry.toString()).isZero();
        assertThat(json(dry).get("state").asText()).isEqualTo("dry-run");
        assertThat(json(dry).get("approvalsRequired").asInt()).isEqualTo(2);
        List<String> dryRunSet = strings(json(dry).get("serials"), null);
        assertThat(dryRunSet).containsExactlyInAnyOrderElementsOf(all);
        assertThat(issued("tls-server")).as("a dry run revokes nothing").hasSize(all.size());

        PkiProcess.Result created = cli(requester, "revoke", "--query-profile", "tls-server", "--reason",
                "superseded");
        assertThat(created.exit()).as(created.toString()).isZero();
        assertThat(json(created).get("state").asText()).isEqualTo("pending-approval");
        String id = json(created).get("id").asText();

        assertRefused(cli(requester, "approve", id), 9, "403");
        assertRefused(cli(first, "request", "no-such-request"), 4, "404");
        PkiProcess.Result once = cli(first, "approve", id);
        assertThat(once.exit()).as(once.toString()).isZero();
        assertThat(json(once).get("state").asText()).isEqualTo("pending-approval");
        assertRefused(cli(first, "approve", id), 5, "409");
        PkiProcess.Result pending = cli(second, "requests", "--state", "pending-approval");
        assertThat(pending.exit()).as(pending.toString()).isZero();
        assertThat(strings(json(pending).get("items"), "id")).contains(id);
        assertThat(issued("tls-server")).as("nothing revoked before the second approval").hasSize(all.size());

        PkiProcess.Result twice = cli(second, "approve", id);
        assertThat(twice.exit()).as(twice.toString()).isZero();
        assertThat(json(twice).get("approvals").toString()).isEqualTo("[\"Cli Approver One\",\"Cli Approver Two\"]");
        awaitDone(first, id);
        assertThat(issued("tls-server")).isEmpty();

        // By serial: an operator's single revocation runs at once; a requester's from a file waits and
        // is rejected.
        issueServerCertificates(2);
        List<String> two = issued("tls-server");
        PkiProcess.Result single = cli(operator, "revoke", two.get(0), "--reason", "keyCompromise");
        assertThat(single.exit()).as(single.toString()).isZero();
        assertThat(json(single).get("approvalsRequired").asInt()).isZero();
        awaitDone(first, json(single).get("id").asText());
        Path file = Files.writeString(tmp.resolve("serials.txt"), "# to revoke\n\n" + two.get(1).toUpperCase() + "\n");
        PkiProcess.Result waiting = cli(requester, "revoke", "--serials-file", file.toString(), "--reason",
                "superseded");
        assertThat(waiting.exit()).as(waiting.toString()).isZero();
        assertThat(json(waiting).get("approvalsRequired").asInt()).isEqualTo(1);
        PkiProcess.Result rejected = cli(second, "reject", json(waiting).get("id").asText());
        assertThat(rejected.exit()).as(rejected.toString()).isZero();
        assertThat(json(rejected).get("state").asText()).isEqualTo("rejected");
        assertThat(issued("tls-server")).hasSize(two.size() - 1).contains(two.get(1)).doesNotContain(two.get(0));
    }

    @Test
    void refusalsAndBadInputAreOneLineWithTheirExitStatus() throws Exception {
        Identity auditor = admin.enroll("Cli Careful", "auditor");
        Identity stranger = admin.selfSigned("Eve");
        String root = AdminLab.rootPem(pki).toString();

        assertRefused(cli(stranger, "me"), 9, "401");
        assertRefused(cli(auditor, "revoke", "1", "--reason", "superseded"), 9, "403");
        assertRefused(cli(auditor, "certificates", "--status", "bogus"), 3, "field 'status'");
        // The admin API's certificate checked against a root that is not this PKI's.
        assertRefused(run(auditor, url, stranger.chain().toString(), "me"), 12, "does not chain to --cacert");
        assertRefused(run(auditor, "https://127.0.0.1:" + AcmeLab.freePort(1), root, "me"), 12, "connection refused");
        List<PkiProcess.Result> processes = pki.runAll(new String[] {"admin", "me", "--url", url, "--cacert", root,
                        "--cert", tmp.resolve("none.pem").toString(), "--key", auditor.key().toString()},
                new String[] {"admin", "me", "--url", url, "--cacert", root, "--cert", auditor.chain().toString(),
                        "--key", stranger.key().toString()},
                new String[] {"admin", "me", "--url", url, "--cacert", root},
                new String[] {"admin", "me", "--url", "http://127.0.0.1:1", "--cacert", root, "--cert",
                        auditor.chain().toString(), "--key", auditor.key().toString()});
        assertRefused(processes.get(0), 3, "--cert " + tmp.resolve("none.pem") + ": no such file");
        assertRefused(processes.get(1), 3, "is not the key of the certificate");
        assertRefused(processes.get(2), 2, "no client identity");
        assertRefused(processes.get(3), 2, "must be https://");
        assertRefused(cli(auditor, "revoke", "12", "xyz", "--reason", "superseded"), 2, "SERIAL 2: serial 'xyz'");
        assertRefused(cli(auditor, "revoke", "12", "--reason", "sometimes"), 3, "--reason");
        assertRefused(cli(auditor, "revoke", "12", "--query-profile", "tls-server", "--reason", "superseded"), 2,
                "one way");
    }

    @Test
    void anAdministratorWhoseKeyStaysOnATokenCallsTheApi() throws Exception {
        Path card = tmp.resolve("card");
        Files.createDirectories(card.resolve("tokens"));
        Path conf = Files.writeString(card.resolve("softhsm2.conf"), "directories.tokendir = " + card.resolve("tokens")
                + "\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n");
        String pin = HexFormat.of().formatHex(randomBytes(8));
        Map<String, String> env = Map.of("SOFTHSM2_CONF", conf.toString());
        PkiProcess.Result init = PkiProcess.tool(env, "softhsm2-util", "--init-token", "--free", "--label", "admin-card",
                "--pin", pin, "--so-pin", pin + "-so");
        assertThat(init.exit()).as(init.toString()).isZero();

        Path csr = card.resolve("carol.csr");
        PkiProcess.Result made = java(Map.of("SOFTHSM2_CONF", conf.toString(), "PKI_ADMIN_PIN", pin),
                TokenCsr.class.getName(), TestEnvironment.module(), "admin-card", "carol", "Carol Card", csr.toString());
        assertThat(made.exit()).as(made.toString()).isZero();
        String keyId = made.out().strip().lines().reduce((a, b) -> b).orElseThrow();

        Path chain = card.resolve("carol.pem");
        PkiProcess.Result enrolled = pki.run("admin", "enroll", "Carol Card", "--role", "auditor", "--csr",
                csr.toString(), "--out", chain.toString());
        assertThat(enrolled.exit()).as(enrolled.toString()).isZero();
        Path leaf = card.resolve("carol.der");
        assertThat(PkiProcess.tool(Map.of(), "openssl", "x509", "-in", chain.toString(), "-outform", "DER", "-out",
                leaf.toString()).exit()).isZero();
        // The certificate goes onto the card beside its key (same CKA_ID), as smart-card tools keep it.
        PkiProcess.Result written = PkiProcess.tool(env, "pkcs11-tool", "--module", TestEnvironment.module(),
                "--token-label", "admin-card", "--login", "--pin", pin, "--write-object", leaf.toString(), "--type",
                "cert", "--id", keyId, "--label", "carol");
        assertThat(written.exit()).as(written.toString()).isZero();

        String[] call = {"admin", "me", "--url", url, "--cacert", AdminLab.rootPem(pki).toString(), "--pkcs11-module",
                TestEnvironment.module(), "--token-label", "admin-card"};
        PkiProcess.Result me = pki.run(Map.of("SOFTHSM2_CONF", conf.toString(), "PKI_ADMIN_PIN", pin), call);
        assertThat(me.exit()).as(me.toString()).isZero();
        assertThat(json(me).get("name").asText()).isEqualTo("Carol Card");
        PkiProcess.Result byLabel = pki.run(Map.of("SOFTHSM2_CONF", conf.toString(), "PKI_ADMIN_PIN", pin),
                concat(call, "--key-label", "carol"));
        assertThat(byLabel.exit()).as(byLabel.toString()).isZero();

        String wrongPin = pin + "0";
        PkiProcess.Result refused = pki.run(Map.of("SOFTHSM2_CONF", conf.toString(), "PKI_ADMIN_PIN", wrongPin), call);
        assertRefused(refused, 6, "refused the login");
        assertThat(refused.err() + refused.out()).doesNotContain(wrongPin);
        assertRefused(pki.run(Map.of("SOFTHSM2_CONF", conf.toString(), "PKI_ADMIN_PIN", pin),
                concat(call, "--key-label", "dave")), 4, "no key labelled 'dave'");
        assertRefused(pki.run(Map.of("SOFTHSM2_CONF", conf.toString()), call), 8, "PKI_ADMIN_PIN");
        assertRefused(pki.run(Map.of("SOFTHSM2_CONF", conf.toString(), "PKI_ADMIN_PIN", pin), "admin", "me", "--url",
                url, "--cacert", AdminLab.rootPem(pki).toString(), "--pkcs11-module", TestEnvironment.module(),
                "--token-label", "no-such-card"), 6, "no token labelled 'no-such-card'");
    }

    // ---- helpers

    /** 'pki admin ARGS' as {@code who}, with the PKI's root and the API's URL (in this JVM). */
    private static PkiProcess.Result cli(Identity who, String... args) throws Exception {
        return run(who, url, AdminLab.rootPem(pki).toString(), args);
    }

    private static PkiProcess.Result run(Identity who, String at, String root, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("admin"));
        command.addAll(List.of(args));
        command.addAll(List.of("--url", at, "--cacert", root, "--cert", who.chain().toString(), "--key",
                who.key().toString()));
        return PkiProcess.inProcess(command.toArray(String[]::new));
    }

    /**
     * Every audit entry, read with 'pki admin audit' page by page from the first (the installation is
     * shared with other classes: more entries than one page holds).
     */
    private static List<JsonNode> auditLog(Identity who) throws Exception {
        List<JsonNode> entries = new ArrayList<>();
        String since = "0";
        while (since != null) {
            PkiProcess.Result page = cli(who, "audit", "--since", since, "--limit", "1000");
            assertThat(page.exit()).as(page.toString()).isZero();
            json(page).get("items").forEach(entries::add);
            JsonNode next = json(page).get("next");
            since = next == null || next.isNull() ? null : next.asText();
        }
        return entries;
    }

    private static void assertRefused(PkiProcess.Result r, int exit, String says) {
        assertThat(r.exit()).as(r.toString()).isEqualTo(exit);
        assertThat(r.err().strip()).as("one line").doesNotContain("\n").startsWith("pki: ").contains(says)
                .doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(r.out()).isEmpty();
    }

    private static JsonNode json(PkiProcess.Result r) throws Exception {
        return AdminCurl.JSON.readTree(r.out());
    }

    /** The values of {@code member} of each element (or the elements themselves, for null). */
    private static List<String> strings(JsonNode array, String member) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(member == null ? n.asText() : n.get(member).asText()));
        return out;
    }

    private static void issueServerCertificates(int count) throws Exception {
        PkiProcess.Result r = pki.run("bench", "issue", "--count", Integer.toString(count), "--threads", "2");
        assertThat(r.exit()).as(r.toString()).isZero();
    }

    /** The serials of the issued certificates of {@code profile}, read on the CA host. */
    private static List<String> issued(String profile) throws Exception {
        PkiProcess.Result r = pki.run("list", "--profile", profile, "--status", "issued", "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        return strings(AdminCurl.JSON.readTree(r.out()), "serial");
    }

    private static void awaitDone(Identity who, String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            PkiProcess.Result r = cli(who, "request", id);
            assertThat(r.exit()).as(r.toString()).isZero();
            String state = json(r).get("state").asText();
            if (state.equals("done")) {
                return;
            }
            assertThat(state).isEqualTo("running");
            assertThat(System.nanoTime()).as("request " + id + " done within 120 s").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    /** A class of the test classpath run as a JVM of its own. */
    private static PkiProcess.Result java(Map<String, String> env, String mainClass, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(PkiProcess.JVM_OPTIONS);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        Path out = Files.createTempFile(tmp, "java", ".out");
        Path err = Files.createTempFile(tmp, "java", ".err");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new PkiProcess.Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private static String[] concat(String[] head, String... tail) {
        List<String> all = new ArrayList<>(List.of(head));
        all.addAll(List.of(tail));
        return all.toArray(String[]::new);
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }
}
