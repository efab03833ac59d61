package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CRLHolder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.medpki.ops.AdminCurl.Identity;
import org.medpki.ops.backup.BackupManifest;

/**
 * 'pki backup' and 'pki restore' as an operator runs them, on SoftHSM2 and PostgreSQL: an
 * installation that has issued and revoked certificates and published CRLs is backed up; after
 * the backup it publishes newer CRLs. Damaged and foreign backups are refused, naming the file; the
 * backup is refused as older than the CRLs the target can see, and then restored under dual
 * control into a new PKI_HOME and a new database. The restored PKI verifies its audit chain across
 * the restore, keeps issuing with no serial and no CRL number used twice, and serves OCSP and CRLs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BackupRestoreTest {
    @TempDir
    static Path tmp;
    static PkiProcess source;
    static Path backup;
    static Path good;
    static Path revoked;
    static Identity first;
    static Identity second;
    static Set<String> sourceSerials = new HashSet<>();
    static BigInteger newestSourceCrlNumber;
    static int httpPort;
    static int adminPort;

    @BeforeAll
    static void anInstallationWithCertificatesAndCrlsIsBackedUp() throws Exception {
        source = new PkiProcess(tmp.resolve("source"), TestEnvironment.newDatabase());
        httpPort = AcmeLab.freePort(2);
        do {
            adminPort = AcmeLab.freePort(1);
        } while (adminPort == httpPort || adminPort == httpPort + 1); // the OCSP port is the next one
        ok(source.run(Map.of("PKI_ADMIN_PORT", Integer.toString(adminPort)), "init", "--http-port",
                Integer.toString(httpPort)));
        good = issue("good");
        revoked = issue("revoked");
        ok(source.run("revoke", serial(revoked), "--reason", "keyCompromise"));
        AdminCurl admins = new AdminCurl(source, tmp, adminPort);
        List<Identity> approvers = admins.enrollAll(new String[] {"Ida Approver", "approver"},
                new String[] {"Jon Officer", "security-officer"});
        first = approvers.get(0);
        second = approvers.get(1);
        ok(source.run("crl", "publish"));

        backup = tmp.resolve("backup");
        PkiProcess.Result made = ok(source.run("backup", "--out", backup.toString()));
        assertThat(made.out()).contains("backup written to " + backup);
        BackupManifest manifest = BackupManifest.parse(Files.readAllBytes(backup.resolve("manifest.json")));
        assertThat(manifest.files()).containsKeys("database.dump", "medpki.yaml", "pki/root-ca.pem",
                "certificates/root-ca.pem");
        assertThat(manifest.files().keySet()).anyMatch(f -> f.startsWith("tokens/") && f.endsWith("token.object"));
        assertThat(manifest.files().keySet()).noneMatch(f -> f.contains("pin") || f.startsWith("secrets/"));
        assertThat(manifest.newestCrlNumbers()).containsKeys("root-ca", "server-ca");
        for (JsonNode c : list(source)) {
            sourceSerials.add(normal(c.get("serial").asText()));
        }
        assertThat(sourceSerials).hasSize((int) manifest.certificates());

        // After the backup the installation goes on: CRLs the backup does not know.
        ok(source.run("crl", "publish"));
        // Complete and delta CRLs share one sequence of numbers: the newest of either kind.
        newestSourceCrlNumber = BigInteger.ZERO;
        try (Stream<Path> crls = Files.list(source.home().resolve("crl"))) {
            for (Path crl : crls.filter(f -> f.getFileName().toString().startsWith("server-ca")).toList()) {
                newestSourceCrlNumber = newestSourceCrlNumber.max(crlNumber(Files.readAllBytes(crl)));
            }
        }
        assertThat(newestSourceCrlNumber).isGreaterThan(manifest.newestCrlNumbers().get("server-ca"));
    }

    @Test
    @Order(1)
    void aDamagedOrForeignBackupIsRefusedNamingWhy() throws Exception {
        Path damaged = copyOfBackup("damaged");
        byte[] dump = Files.readAllBytes(damaged.resolve("database.dump"));
        dump[dump.length / 2] ^= 1;
        Files.write(damaged.resolve("database.dump"), dump);
        PkiProcess.Result r = newTarget("t-damaged").run("restore", "--from", damaged.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("database.dump is damaged");

        Path foreign = copyOfBackup("foreign");
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        KeyPair stranger = generator.generateKeyPair();
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(stranger.getPrivate());
        signer.update(BackupManifest.signedBytes(Files.readAllBytes(foreign.resolve("manifest.json"))));
        String signerName = BackupManifest.parse(Files.readAllBytes(foreign.resolve("manifest.json"))).auditSigner();
        Files.write(foreign.resolve("manifest.sig"), new BackupManifest.Signature(signerName, "SHA256withECDSA",
                Base64.getEncoder().encodeToString(signer.sign())).toJson());
        PkiProcess target = newTarget("t-foreign");
        r = target.run("restore", "--from", foreign.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(9);
        assertThat(r.err()).contains("manifest.json is not signed by this backup's audit key");
        // Nothing of it stays behind.
        assertThat(target.home().resolve("medpki.yaml")).doesNotExist();
        assertThat(target.home().resolve(".restore")).doesNotExist();

        Path added = copyOfBackup("added");
        Files.writeString(added.resolve("pki/extra.pem"), "not in the manifest");
        r = newTarget("t-added").run("restore", "--from", added.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("pki/extra.pem").contains("does not list");
    }

    @Test
    @Order(2)
    void aBackupOlderThanAPublishedCrlIsRestoredOnlyUnderDualControl() throws Exception {
        PkiProcess target = newTarget("target");
        // The target's repository still holds the CRLs published after the backup.
        Files.createDirectories(target.home().resolve("crl"));
        try (Stream<Path> crls = Files.list(source.home().resolve("crl"))) {
            for (Path crl : crls.toList()) {
                Files.copy(crl, target.home().resolve("crl").resolve(crl.getFileName()));
            }
        }
        PkiProcess.Result r = target.run("restore", "--from", backup.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(5);
        assertThat(r.err()).contains("older than CRLs already published").contains("server-ca: CRL number "
                + newestSourceCrlNumber + " seen");

        Path firstApproval = approve(target, first, "first.approval");
        r = target.run("restore", "--from", backup.toString(), "--force", "--approval", firstApproval.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(9);
        assertThat(r.err()).contains("needs the approvals of 2");
        r = target.run("restore", "--from", backup.toString(), "--force", "--approval", firstApproval.toString(),
                "--approval", firstApproval.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(9);
        assertThat(r.err()).contains("approved already");
        assertThat(target.home().resolve("medpki.yaml")).doesNotExist();

        Path secondApproval = approve(target, second, "second.approval");
        // Without the OCSP token's PIN the restore fails at its last step (the token's keys checked
        // after the database is loaded): everything it did is undone.
        r = target.run("restore", "--from", backup.toString(), "--force", "--approval", firstApproval.toString(),
                "--approval", secondApproval.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(8);
        assertThat(r.err()).contains("PKI_OCSP_TOKEN_PIN");
        assertThat(target.home().resolve("medpki.yaml")).doesNotExist();
        assertThat(target.home().resolve("pki")).doesNotExist();
        assertThat(target.home().resolve(".restore")).doesNotExist();
        try (Stream<Path> tokens = Files.list(target.home().resolve("tokens"))) {
            assertThat(tokens.toList()).isEmpty();
        }
        try (var c = TestEnvironment.connect(target.env().get("PKI_DATABASE_URL"));
             var q = c.createStatement().executeQuery("SELECT to_regclass('public.ca') IS NULL")) {
            q.next();
            assertThat(q.getBoolean(1)).as("the restored schema is dropped again").isTrue();
        }
        // The OCSP token's PIN comes from the operator's protected storage, never from the backup.
        Files.copy(source.home().resolve("ocsp-token.pin"), target.home().resolve("ocsp-token.pin"),
                StandardCopyOption.COPY_ATTRIBUTES);
        PkiProcess.Result restored = ok(target.run("restore", "--from", backup.toString(), "--force", "--approval",
                firstApproval.toString(), "--approval", secondApproval.toString()));
        assertThat(restored.out()).contains("forced with the approvals of").contains("Ida Approver")
                .contains("Jon Officer");

        // The audit chain verifies across the restore, whose entry is in it.
        PkiProcess.Result verified = ok(target.run("audit", "verify"));
        assertThat(verified.out()).contains("audit log OK");
        assertThat(lastAuditEvent(source)).isEqualTo("backup.created");
        assertThat(lastAuditEvent(target)).isEqualTo("backup.restored");

        // Issuance continues: the inventory is the backup's, and no serial or CRL number is used twice.
        for (JsonNode c : list(target)) {
            sourceSerials.remove(normal(c.get("serial").asText()));
        }
        assertThat(sourceSerials).as("every certificate of the backup is in the restored inventory").isEmpty();
        Path after = issue(target, "after-restore");
        String newSerial = serial(after);
        Set<String> seen = new HashSet<>();
        for (JsonNode c : list(target)) {
            assertThat(seen.add(normal(c.get("serial").asText()))).isTrue();
        }
        assertThat(seen).contains(normal(newSerial));
        ok(target.run("crl", "publish"));

        PkiProcess.Started up = target.start(Map.of("PKI_ADMIN_PORT", Integer.toString(adminPort)), "up");
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
            while (!Files.readString(up.out()).contains("medpki is up")) {
                assertThat(up.process().isAlive()).as("pki up keeps running: " + Files.readString(up.err())).isTrue();
                assertThat(System.nanoTime()).as("pki up within 150 s").isLessThan(deadline);
                Thread.sleep(200);
            }
            // CRLs served as before, signed by the restored CA key, numbered past every number seen.
            Path crl = tmp.resolve("served.crl");
            ok(PkiProcess.tool(Map.of(), "curl", "-sf", "-o", crl.toString(),
                    "http://127.0.0.1:" + httpPort + "/crl/server-ca.crl"));
            assertThat(crlNumber(Files.readAllBytes(crl))).isGreaterThan(newestSourceCrlNumber);
            PkiProcess.Result text = ok(PkiProcess.tool(Map.of(), "openssl", "crl", "-inform", "DER", "-in",
                    crl.toString(), "-CAfile", pem(target, "server-ca-chain"), "-verify", "-noout", "-text"));
            assertThat(text.out() + text.err()).contains("verify OK").contains(serial(revoked));
            // The service logins have exactly their grants (they came with the dump), the audit chain verifies.
            PkiProcess.Result report = target.run("report", "compliance", "--json");
            Map<String, JsonNode> checks = new java.util.HashMap<>();
            AdminCurl.JSON.readTree(report.out()).get("safeguards").forEach(g -> g.get("checks")
                    .forEach(c -> checks.put(c.get("id").asText(), c)));
            assertThat(checks.get("service-logins").get("status").asText()).as(report.toString()).isEqualTo("pass");
            assertThat(checks.get("audit-chain").get("status").asText()).as(report.toString()).isEqualTo("pass");
            // OCSP as before: the certificates of the backup and the new one.
            assertThat(ocsp(target, good)).contains(": good");
            assertThat(ocsp(target, revoked)).contains(": revoked");
            assertThat(ocsp(target, after)).contains(": good");
        } finally {
            up.process().destroy();
            up.process().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static PkiProcess newTarget(String name) throws Exception {
        return new PkiProcess(tmp.resolve(name), TestEnvironment.newDatabase());
    }

    private static Path copyOfBackup(String name) throws Exception {
        Path copy = tmp.resolve(name);
        try (Stream<Path> files = Files.walk(backup)) {
            for (Path f : files.toList()) {
                Path to = copy.resolve(backup.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to);
                }
            }
        }
        return copy;
    }

    private static Path approve(PkiProcess target, Identity who, String name) throws Exception {
        Path file = tmp.resolve(name);
        ok(target.run("restore", "approve", "--from", backup.toString(), "--cert", who.chain().toString(), "--key",
                who.key().toString(), "--out", file.toString()));
        return file;
    }

    private static Path issue(String name) throws Exception {
        return issue(source, name);
    }

    private static Path issue(PkiProcess pki, String name) throws Exception {
        Path csr = Csrs.openssl(tmp, name, "ec:P-256", "/CN=" + name + ".hospital.test", "DNS:" + name + ".hospital.test");
        Path chain = tmp.resolve(name + "-chain.pem");
        ok(pki.run("issue", "--profile", "tls-server", "--csr", csr.toString(), "--out", chain.toString()));
        return chain;
    }

    private static String serial(Path chain) throws Exception {
        return ok(PkiProcess.tool(Map.of(), "openssl", "x509", "-in", chain.toString(), "-noout", "-serial")).out()
                .trim().replaceFirst("^serial=", "");
    }

    private static Iterable<JsonNode> list(PkiProcess pki) throws Exception {
        JsonNode all = AdminCurl.JSON.readTree(ok(pki.run("list", "--json")).out());
        return all.isArray() ? all : all.get("certificates");
    }

    private static String pem(PkiProcess pki, String name) {
        return pki.home().resolve("pki/" + name + ".pem").toString();
    }

    private static String ocsp(PkiProcess pki, Path leaf) throws Exception {
        PkiProcess.Result r = ok(PkiProcess.tool(Map.of(), "openssl", "ocsp", "-issuer", pem(pki, "server-ca"), "-cert",
                leaf.toString(), "-url", "http://127.0.0.1:" + (httpPort + 1) + "/ocsp", "-CAfile", pem(pki, "root-ca"),
                "-no_nonce"));
        assertThat(r.out() + r.err()).contains("Response verify OK");
        return r.out() + r.err();
    }

    private static BigInteger crlNumber(byte[] der) throws Exception {
        X509CRLHolder crl = new X509CRLHolder(der);
        return ASN1Integer.getInstance(crl.getExtension(Extension.cRLNumber).getParsedValue()).getValue();
    }

    private static String lastAuditEvent(PkiProcess pki) throws Exception {
        try (var c = TestEnvironment.connect(pki.env().get("PKI_DATABASE_URL"));
             var q = c.createStatement().executeQuery("SELECT type FROM audit_event WHERE type LIKE 'backup.%' "
                     + "ORDER BY seq DESC LIMIT 1")) {
            return q.next() ? q.getString(1) : null;
        }
    }

    /** A serial in hex as the inventory and openssl may print it: lower case, no leading zeros. */
    private static String normal(String hex) {
        return hex.toLowerCase(java.util.Locale.ROOT).replaceFirst("^0+", "");
    }

    private static PkiProcess.Result ok(PkiProcess.Result r) {
        assertThat(r.exit()).as(r.toString()).isZero();
        return r;
    }
}
