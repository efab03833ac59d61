package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.medpki.ops.AdminCurl.Identity;
import org.medpki.ops.AdminCurl.Reply;

/**
 * Revocation of the PKI's own certificates on a real 'pki up' (SoftHSM2, PostgreSQL, every service
 * a process of its own): an OCSP signer revoked on the CA host (break-glass) is replaced at once by
 * the OCSP service and responses come from the new one; an issuing CA revoked through the admin API
 * by two approvers, and another on the CA host, are on the root's CRL as the CRL service serves it
 * (checked by 'openssl crl -verify'), and refuse to issue; the root and bad input are refused.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CaRevocationTest {
    @TempDir
    static Path tmp;
    static PkiProcess pki;
    static PkiProcess.Started up;
    static int httpPort;
    static int adminPort;
    static AdminCurl admin;

    @BeforeAll
    static void up() throws Exception {
        pki = new PkiProcess(tmp.resolve("home"), TestEnvironment.newDatabase());
        adminPort = AcmeLab.freePort(1);
        httpPort = AcmeLab.freePort(2);
        up = pki.start(Map.of("PKI_ADMIN_PORT", Integer.toString(adminPort)), "up", "--http-port",
                Integer.toString(httpPort));
        long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
        while (!Files.readString(up.out()).contains("medpki is up")) {
            assertThat(up.process().isAlive()).as("pki up keeps running: " + Files.readString(up.err())).isTrue();
            assertThat(System.nanoTime()).as("pki up within 150 s").isLessThan(deadline);
            Thread.sleep(200);
        }
        admin = new AdminCurl(pki, tmp, adminPort);
    }

    @AfterAll
    static void down() throws Exception {
        if (up != null) {
            up.process().destroy();
            up.process().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    @Order(1)
    void aRevokedOcspSignerIsReplacedAtOnceAndResponsesComeFromTheNewOne() throws Exception {
        Path leaf = issue("signer-test");
        JsonNode old = newestSigner("server-ca");
        BasicOCSPResp before = ocsp(leaf);
        assertThat(signerSerial(before)).isEqualTo(old.get("serial").asText());

        PkiProcess.Result wrongReason = pki.run("ca", "revoke", old.get("name").asText(), "--reason", "cACompromise");
        assertThat(wrongReason.exit()).as(wrongReason.toString()).isEqualTo(3);
        assertThat(wrongReason.err()).contains("cACompromise").contains("OCSP signer");

        PkiProcess.Result revoked = pki.run("ca", "revoke", old.get("name").asText(), "--reason", "keyCompromise");
        assertThat(revoked.exit()).as(revoked.toString()).isZero();
        assertThat(revoked.out()).contains("revoked OCSP signer " + old.get("name").asText());

        JsonNode fresh = await("a new OCSP signer for server-ca", Duration.ofSeconds(60), () -> {
            JsonNode s = newestSigner("server-ca");
            return s.get("name").asText().equals(old.get("name").asText()) ? null : s;
        });
        JsonNode oldNow = ca(old.get("name").asText());
        assertThat(oldNow.get("revokedAt").isNull()).isFalse();
        assertThat(oldNow.get("revocationReason").asText()).isEqualTo("keyCompromise");
        assertThat(fresh.get("revokedAt").isNull()).isTrue();
        assertThat(fresh.get("serial").asText()).isNotEqualTo(old.get("serial").asText());

        // Responses for the same certificate now come from the new signer and verify with its key.
        BasicOCSPResp after = await("a response signed by the new signer", Duration.ofSeconds(60), () -> {
            BasicOCSPResp r = ocsp(leaf);
            return signerSerial(r).equals(fresh.get("serial").asText()) ? r : null;
        });
        X509CertificateHolder signer = after.getCerts()[0];
        assertThat(after.isSignatureValid(new JcaContentVerifierProviderBuilder().build(signer))).isTrue();
        assertThat(openssl("ocsp", "-issuer", pem("server-ca"), "-cert", leaf.toString(), "-url", ocspUrl(),
                "-CAfile", pem("root-ca"), "-no_nonce")).contains("Response verify OK").contains(": good");
    }

    @Test
    @Order(2)
    void anIssuingCaRevokedByTwoApproversIsOnTheRootsCrlAndIssuesNothing() throws Exception {
        Identity requester = admin.enroll("Rae Requester", "requester");
        Identity first = admin.enroll("Ida Approver", "approver");
        Identity second = admin.enroll("Jon Approver", "approver");
        Identity auditor = admin.enroll("Abe Auditor", "auditor");

        // Bad requests: 422 naming the member, nothing stored.
        for (String[] c : new String[][] {
                {"{\"ca\":\"root-ca\",\"reason\":\"cACompromise\"}", "ca", "root"},
                {"{\"ca\":\"no-such-ca\",\"reason\":\"cACompromise\"}", "ca", "no CA or OCSP signer named"},
                {"{\"ca\":\"../etc\",\"reason\":\"cACompromise\"}", "ca", "name of an issuing CA"},
                {"{\"ca\":\"server-ca\",\"reason\":\"certificateHold\"}", "reason", "does not apply"},
                {"{\"ca\":\"server-ca\",\"reason\":\"sometimes\"}", "reason", "unknown revocation reason"},
                {"{\"ca\":\"server-ca\"}", "reason", "reason"},
                {"{\"ca\":\"server-ca\",\"reason\":\"superseded\",\"colour\":1}", "colour", "unknown member"},
                {"{\"ca\":\"audit\",\"reason\":\"superseded\"}", "ca", ""}}) {
            Reply r = admin.post(requester, "/api/v1/ca-revocations", c[0]);
            assertThat(r.status()).as(c[0] + " -> " + r.body()).isEqualTo(422);
            assertThat(r.json().get("field").asText()).as(c[0]).isEqualTo(c[1]);
            assertThat(r.json().get("detail").asText()).as(c[0]).contains(c[2]);
        }
        assertThat(admin.post(auditor, "/api/v1/ca-revocations", "{\"ca\":\"server-ca\",\"reason\":\"cACompromise\"}")
                .status()).isEqualTo(403);

        Reply created = admin.post(requester, "/api/v1/ca-revocations", "{\"ca\":\"server-ca\",\"reason\":\"cACompromise\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        assertThat(created.json().get("kind").asText()).isEqualTo("ca-revocation");
        assertThat(created.json().get("state").asText()).isEqualTo("pending-approval");
        assertThat(created.json().get("approvalsRequired").asInt()).isEqualTo(2);
        assertThat(created.json().get("ca").asText()).isEqualTo("server-ca");
        String id = created.json().get("id").asText();

        assertThat(admin.post(requester, "/api/v1/requests/" + id + "/approve", "").status()).isEqualTo(403);
        Reply once = admin.post(first, "/api/v1/requests/" + id + "/approve", "");
        assertThat(once.json().get("state").asText()).as(once.body()).isEqualTo("pending-approval");
        assertThat(ca("server-ca").get("revokedAt").isNull()).as("one approval revokes nothing").isTrue();
        Reply twice = admin.post(second, "/api/v1/requests/" + id + "/approve", "");
        assertThat(twice.json().get("state").asText()).as(twice.body()).isIn("running", "done");
        await("the request done", Duration.ofSeconds(60), () -> {
            Reply r = admin.get(auditor, "/api/v1/ca-revocations/" + id);
            return r.json().get("state").asText().equals("done") ? r : null;
        });

        JsonNode serverCa = ca("server-ca");
        assertThat(serverCa.get("revocationReason").asText()).isEqualTo("cACompromise");
        String serial = opensslSerial("server-ca");
        String crl = await("the root's CRL listing server-ca", Duration.ofSeconds(60), () -> {
            String text = rootCrlVerified();
            return text.contains("Serial Number: " + serial) ? text : null;
        });
        assertThat(crl).contains("verify OK").contains("CA Compromise");

        // The revoked CA signs nothing any more, with a clear error.
        PkiProcess.Result refused = pki.run("issue", "--profile", "tls-server", "--csr",
                Csrs.openssl(tmp, "after", "ec:P-256", "/CN=after.hospital.test", "DNS:after.hospital.test").toString(),
                "--out", tmp.resolve("after.pem").toString());
        assertThat(refused.exit()).as(refused.toString()).isEqualTo(5);
        assertThat(refused.err()).contains("server-ca").contains("revoked").contains("signs no certificate");
        assertThat(Files.exists(tmp.resolve("after.pem"))).isFalse();

        // The audit log names the requester, the approvers and the CA's revocation.
        String audit = admin.get(auditor, "/api/v1/audit?since=0&limit=1000").body();
        assertThat(audit).contains("\"ca.revoked\"").contains("admin:Rae Requester").contains("admin:Jon Approver");
        // Asking again is refused: it is revoked already.
        Reply again = admin.post(requester, "/api/v1/ca-revocations", "{\"ca\":\"server-ca\",\"reason\":\"cACompromise\"}");
        assertThat(again.status()).isEqualTo(422);
        assertThat(again.json().get("detail").asText()).contains("revoked already");
    }

    @Test
    @Order(3)
    void onTheCaHostTheBreakGlassCommandRevokesAnIssuingCaAndRefusesTheRootAndBadInput() throws Exception {
        PkiProcess.Result root = pki.run("ca", "revoke", "root-ca", "--reason", "cACompromise");
        assertThat(root.exit()).as(root.toString()).isEqualTo(3);
        assertThat(root.err()).contains("root CA").contains("trust stores").doesNotContain("Exception");
        PkiProcess.Result unknown = pki.run("ca", "revoke", "nope-ca", "--reason", "cACompromise");
        assertThat(unknown.exit()).as(unknown.toString()).isEqualTo(4);
        assertThat(unknown.err()).contains("nope-ca").contains("identity-ca");
        PkiProcess.Result reason = pki.run("ca", "revoke", "identity-ca", "--reason", "sometimes");
        assertThat(reason.exit()).as(reason.toString()).isEqualTo(3);
        assertThat(reason.err()).contains("--reason");
        PkiProcess.Result hold = pki.run("ca", "revoke", "identity-ca", "--reason", "certificateHold");
        assertThat(hold.exit()).as(hold.toString()).isEqualTo(3);
        assertThat(ca("identity-ca").get("revokedAt").isNull()).as("nothing revoked by a refusal").isTrue();

        // Over the CA API only a caller granted revokeCas (the admin service) may: ACME's certificate gets 403.
        Path acme = pki.home().resolve("services/acme");
        PkiProcess.Result api = PkiProcess.tool(Map.of(), "curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}",
                "--cert", acme.resolve("chain.pem").toString(), "--key", acme.resolve("key.pem").toString(),
                "-H", "Content-Type: application/json", "--data", "{\"ca\":\"identity-ca\",\"reason\":\"superseded\"}",
                "https://127.0.0.1:" + (httpPort + 364) + "/ca-api/v1/ca-revocations");
        assertThat(api.out()).as(api.toString()).isEqualTo("403");
        assertThat(ca("identity-ca").get("revokedAt").isNull()).isTrue();

        PkiProcess.Result done = pki.run("ca", "revoke", "identity-ca", "--reason", "superseded");
        assertThat(done.exit()).as(done.toString()).isZero();
        assertThat(done.out()).contains("revoked issuing CA identity-ca").contains("root's CRL number");
        PkiProcess.Result twice = pki.run("ca", "revoke", "identity-ca", "--reason", "superseded");
        assertThat(twice.exit()).as(twice.toString()).isEqualTo(5);

        String identitySerial = opensslSerial("identity-ca");
        String serverSerial = opensslSerial("server-ca");
        String crl = await("the root's CRL listing identity-ca", Duration.ofSeconds(60), () -> {
            String text = rootCrlVerified();
            return text.contains("Serial Number: " + identitySerial) ? text : null;
        });
        assertThat(crl).contains("verify OK").contains("Serial Number: " + serverSerial).contains("Superseded");
        PkiProcess.Result audit = pki.run("audit", "verify");
        assertThat(audit.exit()).as(audit.toString()).isZero();
    }

    // ---- helpers

    private static Path issue(String name) throws Exception {
        Path csr = Csrs.openssl(tmp, name, "ec:P-256", "/CN=" + name + ".hospital.test", "DNS:" + name + ".hospital.test");
        Path chain = tmp.resolve(name + "-chain.pem");
        PkiProcess.Result r = pki.run("issue", "--profile", "tls-server", "--csr", csr.toString(), "--out",
                chain.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        return chain;
    }

    private static JsonNode status() throws Exception {
        PkiProcess.Result r = pki.run("status", "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        return AdminCurl.JSON.readTree(r.out());
    }

    private static JsonNode ca(String name) throws Exception {
        for (JsonNode c : status().get("cas")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no CA " + name);
    }

    /** The newest OCSP signer of {@code issuing} (signers are named issuing-ocsp-...; the newest is listed last). */
    private static JsonNode newestSigner(String issuing) throws Exception {
        JsonNode newest = null;
        for (JsonNode c : status().get("cas")) {
            if (c.get("role").asText().equals("ocsp-signer") && c.get("name").asText().startsWith(issuing + "-ocsp")) {
                newest = c;
            }
        }
        assertThat(newest).as("an OCSP signer of " + issuing).isNotNull();
        return newest;
    }

    private static String ocspUrl() {
        return "http://127.0.0.1:" + (httpPort + 1) + "/ocsp";
    }

    private static BasicOCSPResp ocsp(Path leaf) throws Exception {
        Path out = Files.createTempFile(tmp, "resp", ".der");
        openssl("ocsp", "-issuer", pem("server-ca"), "-cert", leaf.toString(), "-url", ocspUrl(), "-no_nonce",
                "-noverify", "-respout", out.toString());
        return (BasicOCSPResp) new OCSPResp(Files.readAllBytes(out)).getResponseObject();
    }

    private static String signerSerial(BasicOCSPResp r) {
        return r.getCerts()[0].getSerialNumber().toString(16);
    }

    private static String pem(String name) {
        return pki.home().resolve("pki/" + name + ".pem").toString();
    }

    /** The serial as openssl prints it (upper-case hex, even length). */
    private static String opensslSerial(String name) throws Exception {
        X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(Path.of(pem(name)))));
        String hex = c.getSerialNumber().toString(16).toUpperCase(Locale.ROOT);
        return hex.length() % 2 == 0 ? hex : "0" + hex;
    }

    /** The root's CRL as the CRL service serves it, verified against the root by openssl; its text. */
    private static String rootCrlVerified() throws Exception {
        Path file = Files.createTempFile(tmp, "root", ".crl");
        PkiProcess.Result got = PkiProcess.tool(Map.of(), "curl", "-sf", "-o", file.toString(),
                "http://127.0.0.1:" + httpPort + "/crl/root-ca.crl");
        assertThat(got.exit()).as(got.toString()).isZero();
        PkiProcess.Result text = PkiProcess.tool(Map.of(), "openssl", "crl", "-inform", "DER", "-in", file.toString(),
                "-CAfile", pem("root-ca"), "-verify", "-noout", "-text");
        assertThat(text.exit()).as(text.toString()).isZero();
        return text.out() + text.err();
    }

    private static String openssl(String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = "openssl";
        System.arraycopy(args, 0, command, 1, args.length);
        PkiProcess.Result r = PkiProcess.tool(Map.of(), command);
        assertThat(r.exit()).as(r.toString()).isZero();
        return r.out() + r.err();
    }

    interface Probe<T> {
        T get() throws Exception;
    }

    private static <T> T await(String what, Duration limit, Probe<T> probe) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            T got = probe.get();
            if (got != null) {
                return got;
            }
            assertThat(System.nanoTime()).as(what + " within " + limit.toSeconds() + " s").isLessThan(deadline);
            Thread.sleep(500);
        }
    }
}
