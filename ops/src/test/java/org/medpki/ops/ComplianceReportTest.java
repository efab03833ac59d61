package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.medpki.ops.install.PkiHome;
import org.medpki.ops.install.SettingsFiles;
import org.medpki.ops.install.InstallationConfig;

/**
 * 'pki report compliance' against a live installation (real SoftHSM2 token, real PostgreSQL):
 * every check passes on a PKI with issued and revoked certificates and published CRLs and OCSP
 * responses, and the report fails
 * with exit status 11, naming the check, once a pinned profile is loosened, the audit log is
 * edited behind the CA's back, or the CP's hierarchy table allows less than the CA certificates
 * installed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ComplianceReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    PkiProcess pki;
    String databaseUrl;

    @BeforeAll
    void installationWithCertificates() throws Exception {
        databaseUrl = TestEnvironment.newDatabase();
        pki = new PkiProcess(tmp.resolve("home"), databaseUrl);
        PkiProcess.Result init = pki.run("init", "--domain", "hospital.test", "--token-label", "compliance");
        assertThat(init.exit()).as(init.toString()).isZero();
        Path tls = Csrs.openssl(tmp, "tls", "ec:P-256", "/CN=fhir.hospital.test", "DNS:fhir.hospital.test");
        Path user = Csrs.openssl(tmp, "user", "ec:P-256", "/CN=Alice Example", "email:alice@hospital.test");
        PkiProcess.Result a = pki.run("issue", "--profile", "tls-server", "--csr", tls.toString(), "--out",
                tmp.resolve("tls.pem").toString());
        assertThat(a.exit()).as(a.toString()).isZero();
        PkiProcess.Result b = pki.run("issue", "--profile", "user", "--csr", user.toString(), "--out",
                tmp.resolve("user.pem").toString());
        assertThat(b.exit()).as(b.toString()).isZero();
        String serial;
        try (Connection c = TestEnvironment.connect(databaseUrl); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT serial FROM certificate WHERE profile = 'user'")) {
            assertThat(rs.next()).isTrue();
            serial = rs.getBigDecimal(1).toBigInteger().toString(16);
        }
        // Mass revocation from a list (ops/runbooks/mass-revocation.md): a bad line is reported, the rest revoked.
        Path list = tmp.resolve("revoke.txt");
        Files.writeString(list, "# leavers\nidentity-ca " + serial + "\nserver-ca deadbeef\n");
        PkiProcess.Result r = pki.run("revoke", "--from", list.toString(), "--reason", "affiliationChanged");
        assertThat(r.exit()).as(r.toString()).isEqualTo(5);
        assertThat(r.out()).contains("revoked " + serial, "revoked 1, failed 1");
        assertThat(r.err()).contains("line 3", "deadbeef");
        // Before any OCSP response or issuing-CA CRL exists the report says so: not measured, and
        // the missing CRLs fail (relying parties could not check revocation).
        PkiProcess.Result before = pki.run("report", "compliance", "--json");
        assertThat(before.exit()).as(before.toString()).isEqualTo(11);
        Map<String, JsonNode> early = checks(JSON.readTree(before.out()));
        assertThat(early.get("revocation-to-ocsp").get("status").asText()).isEqualTo("not-measured");
        assertThat(early.get("revocation-to-ocsp").get("summary").asText()).contains("no OCSP responder data");
        assertThat(early.get("crl-freshness").get("status").asText()).isEqualTo("fail");
        assertThat(early.get("crl-freshness").get("summary").asText()).contains("server-ca has no complete CRL");

        // What the CRL publisher and the OCSP responder of 'pki up' would store, done once on demand.
        PkiProcess.Result crl = pki.run("crl", "publish");
        assertThat(crl.exit()).as(crl.toString()).isZero();
        PkiProcess.Result ocsp = pki.run("ocsp", "export", "--out", tmp.resolve("ocsp").toString());
        assertThat(ocsp.exit()).as(ocsp.toString()).isZero();
    }

    @Test
    @Order(1)
    void aHealthyInstallationPassesEveryCheck() throws Exception {
        PkiProcess.Result run = pki.run("report", "compliance", "--json");
        assertThat(run.exit()).as(run.toString()).isZero();
        JsonNode report = JSON.readTree(run.out());
        assertThat(report.get("ok").asBoolean()).isTrue();
        assertThat(report.get("exitCode").asInt()).isZero();
        Map<String, JsonNode> checks = checks(report);
        assertThat(checks.keySet()).contains("ca-keys-protected", "service-logins", "database-durability",
                "database-password-auth", "audit-chain", "audit-retention",
                "audit-append-only", "ceremony-records", "profiles-conform-to-cp", "ca-hierarchy-conforms-to-cp",
                "cp-document-shows-tables", "issuing-cas-assert-profile-policies",
                "certificates-conform",
                "certificates-per-profile", "certificates-expiring", "revocation-to-ocsp", "revocation-to-crl",
                "ocsp-freshness", "crl-freshness", "retired-keys");
        // No service runs (only commands did): the logins of services are not measured; the test
        // cluster is the operator's own (PKI_DATABASE_URL), so its durability is information.
        checks.forEach((id, check) -> assertThat(check.get("status").asText()).as(id + ": " + check)
                .isEqualTo(switch (id) {
                    // retired-keys: no key retired yet in a new installation
                    case "certificates-per-profile", "certificates-expiring", "database-durability", "retired-keys" -> "info";
                    case "service-logins" -> "not-measured";
                    default -> "pass";
                }));

        JsonNode keys = checks.get("ca-keys-protected").get("data").get("keys");
        assertThat(keys.size()).as("root, two issuing CAs, two OCSP signers, audit signer").isGreaterThanOrEqualTo(6);
        keys.forEach(k -> {
            assertThat(k.get("sensitive").asBoolean()).as(k.toString()).isTrue();
            assertThat(k.get("neverExtractable").asBoolean()).as(k.toString()).isTrue();
            assertThat(k.get("extractable").asBoolean()).as(k.toString()).isFalse();
        });
        assertThat(checks.get("ca-keys-protected").get("data").get("token").get("label").asText()).isEqualTo("compliance");
        JsonNode audit = checks.get("audit-chain").get("data");
        assertThat(audit.get("oldest").get("seq").asLong()).isEqualTo(1);
        assertThat(audit.get("checkpointsVerified").asInt()).isPositive();
        assertThat(checks.get("ceremony-records").get("data").get("ceremonies").size()).isEqualTo(1);
        // The ceremony made what the CP's hierarchy table says, each certificate valid exactly its days.
        JsonNode cas = checks.get("ca-hierarchy-conforms-to-cp").get("data").get("cas");
        assertThat(cas.size()).as("root, two issuing CAs, two OCSP signers, audit signer").isEqualTo(6);
        Map<String, Long> days = new HashMap<>();
        cas.forEach(ca -> {
            assertThat(ca.get("validitySeconds").asLong()).as(ca.toString())
                    .isEqualTo(ca.get("cpValidityDays").asLong() * 86400);
            days.put(ca.get("role").asText() + " " + ca.get("name").asText().replaceAll("-ocsp-.*", "-ocsp"),
                    ca.get("cpValidityDays").asLong());
        });
        assertThat(days).containsEntry("root root-ca", 7305L).containsEntry("issuing server-ca", 3652L)
                .containsEntry("issuing identity-ca", 3652L).containsEntry("ocsp-signer server-ca-ocsp", 90L)
                .containsEntry("ocsp-signer identity-ca-ocsp", 90L).containsEntry("audit audit-signer", 1826L);
        // The two the test issued and the eight service certificates made at init (acme, crl, ocsp, admin,
        // est, cmp, scep, ca).
        assertThat(checks.get("certificates-conform").get("data").get("checked").asLong()).isEqualTo(10);
        assertThat(checks.get("certificates-per-profile").get("data").get("byProfile").get("service").get("issued")
                .asLong()).isEqualTo(8);
        JsonNode counts = checks.get("certificates-per-profile").get("data").get("byProfile");
        assertThat(counts.get("tls-server").get("issued").asLong()).isEqualTo(1);
        assertThat(counts.get("user").get("revoked").asLong()).isEqualTo(1);
        // The one revocation was measured on both channels, from the stored CRLs and OCSP responses.
        assertThat(checks.get("revocation-to-crl").get("data").get("published").asInt()).isEqualTo(1);
        assertThat(checks.get("revocation-to-ocsp").get("data").get("published").asInt()).isEqualTo(1);
        assertThat(checks.get("crl-freshness").get("data").get("crls").size()).as("root, server-ca, identity-ca")
                .isEqualTo(3);

        PkiProcess.Result text = pki.run("report", "compliance");
        assertThat(text.exit()).as(text.toString()).isZero();
        assertThat(text.out()).contains("164.312(a) Access control", "164.312(b) Audit controls", "164.312(c) Integrity",
                "164.312(d) Person or entity authentication", "164.312(e) Transmission security",
                "PASS         ca-keys-protected", "result: PASS");
    }

    @Test
    @Order(2)
    void aLoosenedPinnedProfileFailsTheReport() throws Exception {
        Path profile = pki.home().resolve("profiles/tls-server.yaml");
        String original = Files.readString(profile);
        Files.writeString(profile, original.replace("max: 397d", "max: 500d"));
        try {
            PkiProcess.Result run = pki.run("report", "compliance", "--json");
            assertThat(run.exit()).as(run.toString()).isEqualTo(11);
            JsonNode check = checks(JSON.readTree(run.out())).get("profiles-conform-to-cp");
            assertThat(check.get("status").asText()).isEqualTo("fail");
            assertThat(check.get("data").get("violations").get(0).get("profile").asText()).isEqualTo("tls-server");
            assertThat(check.get("data").get("violations").get(0).get("rule").asText()).isEqualTo("validity");
            assertThat(run.err()).contains("check(s) failed");
        } finally {
            Files.writeString(profile, original);
        }
    }

    @Test
    @Order(3)
    void anEditedAuditEntryFailsTheReport() throws Exception {
        try (Connection c = TestEnvironment.connect(databaseUrl); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE audit_event DISABLE TRIGGER USER");
            s.execute("UPDATE audit_event SET actor = 'someone-else' WHERE type = 'certificate.issued'");
        }
        PkiProcess.Result run = pki.run("report", "compliance", "--json");
        assertThat(run.exit()).as(run.toString()).isEqualTo(11);
        Map<String, JsonNode> checks = checks(JSON.readTree(run.out()));
        assertThat(checks.get("audit-chain").get("status").asText()).isEqualTo("fail");
        assertThat(checks.get("audit-chain").get("summary").asText()).contains("was altered");
        assertThat(checks.get("audit-append-only").get("status").asText()).isEqualTo("fail");
        assertThat(checks.get("audit-append-only").toString()).contains("audit_event_append_only", "disabled");
        // The other evidence is still there.
        assertThat(checks.get("ca-keys-protected").get("status").asText()).isEqualTo("pass");
    }

    @Test
    @Order(4)
    void serviceSessionsAreCheckedAgainstTheirLoginsAndGrants() throws Exception {
        InstallationConfig config = SettingsFiles.readInstallation(new PkiHome(pki.home()));
        String prefix = config.database().rolePrefix();
        TestEnvironment.PgUrl admin = TestEnvironment.PgUrl.parse(databaseUrl);
        String password = Files.readString(pki.home().resolve("secrets/db-ocsp.password")).strip();
        // A responder's session: its own login, its grants.
        try (Connection ocsp = java.sql.DriverManager.getConnection(admin.jdbc(admin.database())
                + "?ApplicationName=medpki-ocsp", prefix + "_ocsp", password)) {
            JsonNode check = checks(JSON.readTree(pki.run("report", "compliance", "--json").out())).get("service-logins");
            assertThat(check.get("status").asText()).as(check.toString()).isEqualTo("pass");
            assertThat(check.get("data").get("sessions").get("medpki-ocsp").asText()).isEqualTo(prefix + "_ocsp");
            // A second one that calls itself the responder but logs in as the superuser.
            try (Connection superuser = java.sql.DriverManager.getConnection(admin.jdbc(admin.database())
                    + "?ApplicationName=medpki-ocsp", admin.user(), admin.password())) {
                PkiProcess.Result run = pki.run("report", "compliance", "--json");
                assertThat(run.exit()).as(run.toString()).isEqualTo(11);
                JsonNode wrong = checks(JSON.readTree(run.out())).get("service-logins");
                assertThat(wrong.get("status").asText()).isEqualTo("fail");
                assertThat(wrong.toString()).contains("as " + admin.user(), "expected " + prefix + "_ocsp",
                        "SUPERUSER").doesNotContain(password).doesNotContain(admin.password());
            }
        }
    }

    @Test
    @Order(5)
    void aHierarchyTableShorterThanTheInstalledCasFailsTheReport() throws Exception {
        Path policies = Files.createDirectories(tmp.resolve("stricter-cp"));
        Path tables = policies.resolve("cp-tables.yaml");
        String shipped = Files.readString(TestEnvironment.policies().resolve("cp-tables.yaml"));
        assertThat(shipped).contains("validityDays: 3652      # 10 years");
        Files.writeString(tables, shipped.replace("validityDays: 3652      # 10 years", "validityDays: 1825"));
        Files.copy(TestEnvironment.policies().resolve("CP.md"), policies.resolve("CP.md"));

        PkiProcess.Result run = pki.run("report", "compliance", "--json", "--cp-tables", tables.toString());
        assertThat(run.exit()).as(run.toString()).isEqualTo(11);
        Map<String, JsonNode> checks = checks(JSON.readTree(run.out()));
        JsonNode hierarchy = checks.get("ca-hierarchy-conforms-to-cp");
        assertThat(hierarchy.get("status").asText()).as(hierarchy.toString()).isEqualTo("fail");
        JsonNode violations = hierarchy.get("data").get("violations");
        assertThat(violations.size()).as(violations.toString()).isEqualTo(1);
        assertThat(violations.get(0).get("subject").asText()).isEqualTo("issuing server-ca");
        assertThat(violations.get(0).get("rule").asText()).isEqualTo("ca-validity");
        assertThat(violations.get(0).get("message").asText()).contains("3652 days", "longer than the CP's 1825 days");
        // The published CP no longer shows the tables the report applies.
        JsonNode document = checks.get("cp-document-shows-tables");
        assertThat(document.get("status").asText()).isEqualTo("fail");
        assertThat(document.get("summary").asText()).contains("CA hierarchy (1.1)");
        // The profiles still fit inside the shorter CA.
        assertThat(checks.get("profiles-conform-to-cp").get("status").asText()).isEqualTo("pass");
    }

    private static Map<String, JsonNode> checks(JsonNode report) {
        Map<String, JsonNode> out = new HashMap<>();
        report.get("safeguards").forEach(g -> g.get("checks").forEach(c -> out.put(c.get("id").asText(), c)));
        return out;
    }
}
