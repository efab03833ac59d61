package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
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
 * Then the compromised keys are retired: the OCSP signer's on the CA host ('pki ca destroy-key'),
 * the issuing CA's through the admin API by two approvers after its final CRL; 'pkcs11-tool
 * --list-objects' no longer lists them, the audit log and the compliance report hold their
 * records; a CA revoked as superseded with valid certificates under it keeps its key.
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
    static Identity requester;
    static Identity first;
    static Identity second;
    static Identity auditor;

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
        requester = admin.enroll("Rae Requester", "requester");
        first = admin.enroll("Ida Approver", "approver");
        second = admin.enroll("Jon Approver", "approver");
        auditor = admin.enroll("Abe Auditor", "auditor");

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
        List<PkiProcess.Result> refusals = pki.runAll(new String[] {"ca", "revoke", "root-ca", "--reason", "cACompromise"},
                new String[] {"ca", "revoke", "nope-ca", "--reason", "cACompromise"},
                new String[] {"ca", "revoke", "identity-ca", "--reason", "sometimes"},
                new String[] {"ca", "revoke", "identity-ca", "--reason", "certificateHold"});
        PkiProcess.Result root = refusals.get(0);
        assertThat(root.exit()).as(root.toString()).isEqualTo(3);
        assertThat(root.err()).contains("root CA").contains("trust stores").doesNotContain("Exception");
        PkiProcess.Result unknown = refusals.get(1);
        assertThat(unknown.exit()).as(unknown.toString()).isEqualTo(4);
        assertThat(unknown.err()).contains("nope-ca").contains("identity-ca");
        PkiProcess.Result reason = refusals.get(2);
        assertThat(reason.exit()).as(reason.toString()).isEqualTo(3);
        assertThat(reason.err()).contains("--reason");
        PkiProcess.Result hold = refusals.get(3);
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

    @Test
    @Order(4)
    void aCompromisedOcspSignersKeyIsDestroyedOnTheCaHostAndGoneFromTheOcspToken() throws Exception {
        JsonNode signer = null;
        for (JsonNode c : status().get("cas")) {
            if (c.get("role").asText().equals("ocsp-signer") && "keyCompromise".equals(c.get("revocationReason").asText())) {
                signer = c;
            }
        }
        assertThat(signer).as("the OCSP signer revoked for keyCompromise in the first test").isNotNull();
        String name = signer.get("name").asText();
        String label = signer.get("keyLabel").asText();
        String ocspToken = status().get("ocspToken").get("label").asText();
        String ocspPin = Files.readString(pki.home().resolve("ocsp-token.pin")).strip();
        assertThat(PkiProcess.privateKeyObjects(pki.env(), ocspToken, ocspPin).out()).contains(label);

        // The admin API does not take it: the CA service does not open the OCSP token.
        Reply viaApi = admin.post(requester, "/api/v1/key-destructions", "{\"ca\":\"" + name + "\"}");
        assertThat(viaApi.status()).as(viaApi.body()).isEqualTo(422);
        assertThat(viaApi.json().get("detail").asText()).contains("OCSP token").contains("pki ca destroy-key");

        PkiProcess.Result done = pki.run("ca", "destroy-key", name);
        assertThat(done.exit()).as(done.toString()).isZero();
        String sha256 = keySha256(signer.get("certificate").asText());
        assertThat(done.out()).contains("destroyed the key of OCSP signer " + name).contains(sha256)
                .contains("grounds: compromised").contains("CKR_OK");
        PkiProcess.Result listed = PkiProcess.privateKeyObjects(pki.env(), ocspToken, ocspPin);
        assertThat(listed.exit()).as(listed.toString()).isZero();
        assertThat(listed.out()).as("pkcs11-tool --list-objects on the OCSP token").doesNotContain(label)
                .contains(newestSigner("server-ca").get("keyLabel").asText());

        PkiProcess.Result again = pki.run("ca", "destroy-key", name);
        assertThat(again.exit()).as(again.toString()).isEqualTo(5);
        assertThat(again.err()).contains("destroyed already").doesNotContain("Exception");
    }

    @Test
    @Order(5)
    void aCompromisedIssuingCasKeyIsDestroyedByTwoApproversAfterItsFinalCrlAndValidCertificatesKeepAKey() throws Exception {
        // identity-ca was revoked as superseded, not compromised: the service and admin certificates it
        // signed are still valid, so its key stays; refusals change nothing.
        for (String[] c : new String[][] {
                {"{\"ca\":\"identity-ca\"}", "ca", "still valid"},
                {"{\"ca\":\"root-ca\"}", "ca", "root"},
                {"{\"ca\":\"no-such-ca\"}", "ca", "no CA or OCSP signer named"},
                {"{\"ca\":\"server-ca\",\"keySha256\":\"" + "ab".repeat(32) + "\"}", "keySha256", "has no key"},
                {"{\"ca\":\"server-ca\",\"keySha256\":\"zz\"}", "keySha256", "64 lower-case hex"},
                {"{\"ca\":\"server-ca\",\"colour\":1}", "colour", "unknown member"}}) {
            Reply r = admin.post(requester, "/api/v1/key-destructions", c[0]);
            assertThat(r.status()).as(c[0] + " -> " + r.body()).isEqualTo(422);
            assertThat(r.json().get("field").asText()).as(c[0]).isEqualTo(c[1]);
            assertThat(r.json().get("detail").asText()).as(c[0]).contains(c[2]);
        }
        assertThat(admin.post(auditor, "/api/v1/key-destructions", "{\"ca\":\"server-ca\"}").status()).isEqualTo(403);
        List<PkiProcess.Result> refusals = pki.runAll(new String[] {"ca", "destroy-key", "identity-ca"},
                new String[] {"ca", "destroy-key", "root-ca"}, new String[] {"ca", "destroy-key", "nope-ca"});
        PkiProcess.Result onHost = refusals.get(0);
        assertThat(onHost.exit()).as(onHost.toString()).isEqualTo(5);
        assertThat(onHost.err()).contains("still valid");
        assertThat(refusals.get(1).exit()).isEqualTo(3);
        assertThat(refusals.get(2).exit()).isEqualTo(4);
        // Over the CA API only a caller granted destroyKeys (the admin service) may: ACME's certificate gets 403.
        Path acme = pki.home().resolve("services/acme");
        PkiProcess.Result api = PkiProcess.tool(Map.of(), "curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}",
                "--cert", acme.resolve("chain.pem").toString(), "--key", acme.resolve("key.pem").toString(),
                "-H", "Content-Type: application/json", "--data",
                "{\"ca\":\"server-ca\",\"actor\":\"x\",\"approvers\":[\"a\",\"b\"]}",
                "https://127.0.0.1:" + (httpPort + 364) + "/ca-api/v1/key-destructions");
        assertThat(api.out()).as(api.toString()).isEqualTo("403");
        String caToken = status().get("token").get("label").asText();
        String identityLabel = ca("identity-ca").get("keyLabel").asText();
        String serverLabel = ca("server-ca").get("keyLabel").asText();
        assertThat(PkiProcess.privateKeyObjects(pki.env(), caToken, TestEnvironment.pin()).out())
                .contains(identityLabel).contains(serverLabel);

        Reply created = admin.post(requester, "/api/v1/key-destructions", "{\"ca\":\"server-ca\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        assertThat(created.json().get("kind").asText()).isEqualTo("key-destruction");
        assertThat(created.json().get("approvalsRequired").asInt()).isEqualTo(2);
        String sha256 = keySha256(pem("server-ca"));
        assertThat(created.json().get("keySha256").asText()).isEqualTo(sha256);
        String id = created.json().get("id").asText();
        assertThat(admin.post(requester, "/api/v1/requests/" + id + "/approve", "").status()).isEqualTo(403);
        assertThat(admin.post(first, "/api/v1/requests/" + id + "/approve", "").json().get("state").asText())
                .isEqualTo("pending-approval");
        assertThat(PkiProcess.privateKeyObjects(pki.env(), caToken, TestEnvironment.pin()).out())
                .as("one approval destroys nothing").contains(serverLabel);
        admin.post(second, "/api/v1/requests/" + id + "/approve", "");
        JsonNode doneRequest = await("the key destruction done", Duration.ofSeconds(60), () -> {
            Reply r = admin.get(auditor, "/api/v1/key-destructions/" + id);
            return r.json().get("state").asText().equals("done") ? r.json() : null;
        });
        JsonNode result = doneRequest.get("payload").get("result");
        assertThat(result.get("grounds").asText()).isEqualTo("compromised");
        assertThat(result.get("tokenAnswer").asText()).contains("CKR_OK");

        PkiProcess.Result listed = PkiProcess.privateKeyObjects(pki.env(), caToken, TestEnvironment.pin());
        assertThat(listed.exit()).as(listed.toString()).isZero();
        assertThat(listed.out()).as("pkcs11-tool --list-objects on the CA token").doesNotContain(serverLabel)
                .contains(identityLabel);

        // The final CRL, served by the CRL service, verifies with the CA's certificate and stays valid
        // past the last certificate server-ca signed (the one of the first test).
        X509Certificate leaf = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                new ByteArrayInputStream(Files.readAllBytes(tmp.resolve("signer-test-chain.pem"))));
        java.time.Instant nextUpdate = java.time.Instant.parse(result.get("finalCrlNextUpdate").asText());
        assertThat(nextUpdate).isAfter(leaf.getNotAfter().toInstant());
        Path crl = await("server-ca's final CRL served", Duration.ofSeconds(60), () -> {
            Path file = Files.createTempFile(tmp, "final", ".crl");
            PkiProcess.tool(Map.of(), "curl", "-sf", "-o", file.toString(), "http://127.0.0.1:" + httpPort
                    + "/crl/server-ca.crl");
            X509CRL served = (X509CRL) CertificateFactory.getInstance("X.509")
                    .generateCRL(new ByteArrayInputStream(Files.readAllBytes(file)));
            return served.getNextUpdate().toInstant().equals(nextUpdate) ? file : null;
        });
        assertThat(openssl("crl", "-inform", "DER", "-in", crl.toString(), "-CAfile", pem("server-ca"), "-verify",
                "-noout")).contains("verify OK");

        // The audit log names the key, the requester, the approvers and the token's answer.
        String audit = admin.get(auditor, "/api/v1/audit?since=0&limit=1000").body();
        assertThat(audit).contains("\"key.destroyed\"").contains(sha256).contains("admin:Ida Approver")
                .contains("admin:Jon Approver").contains("key.destruction_refused");
        // The compliance report lists both destroyed keys, each absent from its token.
        PkiProcess.Result report = pki.run("report", "compliance", "--json");
        JsonNode retired = null;
        for (JsonNode safeguard : AdminCurl.JSON.readTree(report.out()).get("safeguards")) {
            for (JsonNode check : safeguard.get("checks")) {
                if (check.get("id").asText().equals("retired-keys")) {
                    retired = check;
                }
            }
        }
        assertThat(retired).as(report.toString()).isNotNull();
        assertThat(retired.get("status").asText()).as(retired.toString()).isEqualTo("pass");
        assertThat(retired.get("data").get("keys").size()).isEqualTo(2);
        assertThat(retired.toString()).contains(sha256).contains("\"absentFromToken\":true")
                .doesNotContain("\"absentFromToken\":false").contains("admin:Jon Approver").contains("break-glass:cli:");
        PkiProcess.Result verify = pki.run("audit", "verify");
        assertThat(verify.exit()).as(verify.toString()).isZero();
        assertThat(pki.run("ca", "destroy-key", "server-ca").exit()).as("destroyed already").isEqualTo(5);
    }

    // ---- helpers

    /** The SHA-256 of the SubjectPublicKeyInfo of the certificate in a PEM file, in lower-case hex. */
    private static String keySha256(String pemFile) throws Exception {
        X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(Path.of(pemFile))));
        return org.medpki.core.keys.PublicKeys.fingerprint(c.getPublicKey());
    }

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
            Thread.sleep(100);
        }
    }
}
