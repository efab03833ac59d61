package org.medpki.ops;

import org.medpki.ops.install.ServiceCredentials;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * One installation from key ceremony to revocation and audit, driven through the command line in
 * separate JVMs, with a real SoftHSM2 token and PostgreSQL, and every certificate checked by
 * openssl and by the JDK's PKIX validator.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PkiLifecycleTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    PkiProcess pki;
    String databaseUrl;
    JsonNode status;
    final List<String> issuedSerials = new ArrayList<>();

    @BeforeAll
    void ceremony() throws Exception {
        databaseUrl = TestEnvironment.newDatabase();
        pki = new PkiProcess(tmp.resolve("home"), databaseUrl);
        PkiProcess.Result init = pki.run("init", "--domain", "hospital.test", "--token-label", "lifecycle");
        assertThat(init.exit()).as(init.toString()).isZero();
        PkiProcess.Result st = pki.run("status", "--json");
        assertThat(st.exit()).as(st.toString()).isZero();
        status = JSON.readTree(st.out());
    }

    @Test
    @Order(1)
    void statusDescribesTheInstallation() {
        assertThat(status.get("home").asText()).isEqualTo(pki.home().toString());
        assertThat(status.get("token").get("label").asText()).isEqualTo("lifecycle");
        assertThat(status.get("token").get("config").asText()).endsWith("softhsm2.conf");
        List<String> roles = new ArrayList<>();
        status.get("cas").forEach(c -> roles.add(c.get("role").asText()));
        assertThat(roles).contains("root", "issuing", "ocsp-signer");
        status.get("cas").forEach(c -> assertThat(Path.of(c.get("certificate").asText())).exists());
        List<String> profiles = new ArrayList<>();
        status.get("profiles").forEach(p -> profiles.add(p.asText()));
        assertThat(profiles).contains("tls-server", "user", "device", "code-signing");
        assertThat(status.get("services").isArray()).isTrue();
        assertThat(status.get("database").asText()).doesNotContain(TestEnvironment.PgUrl.parse(databaseUrl).password());
    }

    @Test
    @Order(2)
    void caKeysAreSensitiveAndNeverExtractableInTheToken() throws Exception {
        List<String> caLabels = privateKeys("lifecycle", TestEnvironment.pin());
        assertThat(caLabels).as("root, two issuing CAs, audit").hasSizeGreaterThanOrEqualTo(4)
                .noneMatch(l -> l.contains("-ocsp."));
    }

    @Test
    @Order(2)
    void ocspSignersKeysAreInTheOcspTokenUnderAPinOfItsOwn() throws Exception {
        Path pinFile = pki.home().resolve("ocsp-token.pin");
        assertThat(Files.getPosixFilePermissions(pinFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        String ocspPin = Files.readString(pinFile).strip();
        assertThat(ocspPin).isNotEqualTo(TestEnvironment.pin());
        assertThat(status.get("ocspToken").get("label").asText()).isEqualTo("lifecycle-ocsp");
        assertThat(Files.readString(pki.home().resolve("medpki.yaml"))).contains("ocspToken:")
                .contains("label: lifecycle-ocsp").doesNotContain(ocspPin);
        assertThat(privateKeys("lifecycle-ocsp", ocspPin)).as("the OCSP signers of server-ca and identity-ca")
                .hasSize(2).allMatch(l -> l.startsWith("server-ca-ocsp.") || l.startsWith("identity-ca-ocsp."));
        // Each PIN opens its own token only.
        Map<String, String> env = Map.of("SOFTHSM2_CONF", pki.env().get("SOFTHSM2_CONF"));
        PkiProcess.Result crossed = PkiProcess.privateKeyObjects(env, "lifecycle-ocsp", TestEnvironment.pin());
        assertThat(crossed.exit()).as(crossed.toString()).isNotZero();
        PkiProcess.Result crossedBack = PkiProcess.privateKeyObjects(env, "lifecycle", ocspPin);
        assertThat(crossedBack.exit()).as(crossedBack.toString()).isNotZero();

        // The responder's side needs the OCSP token only: a wrong CA PIN does not stop it, a wrong OCSP PIN does.
        PkiProcess.Result export = pki.run(Map.of("PKI_TOKEN_PIN", "not-the-ca-pin"), "ocsp", "export", "--out",
                tmp.resolve("staple").toString());
        assertThat(export.exit()).as(export.toString()).isZero();
        String wrong = "wrong-" + ocspPin;
        PkiProcess.Result refused = pki.run(Map.of("PKI_OCSP_TOKEN_PIN", wrong), "ocsp", "export", "--out",
                tmp.resolve("staple").toString());
        assertThat(refused.exit()).as(refused.toString()).isEqualTo(6);
        assertThat(refused.err()).contains("lifecycle-ocsp").contains("PIN").doesNotContain(wrong)
                .doesNotContain(ocspPin).doesNotContain("\tat ");
    }

    /** The labels of the private keys in a token, each checked to be sensitive and never extractable. */
    private List<String> privateKeys(String tokenLabel, String pin) throws Exception {
        PkiProcess.Result list = PkiProcess.privateKeyObjects(Map.of("SOFTHSM2_CONF", pki.env().get("SOFTHSM2_CONF")),
                tokenLabel, pin);
        assertThat(list.exit()).as(list.toString()).isZero();
        String[] objects = list.out().split("(?m)^(?=Private Key Object)");
        List<String> labels = new ArrayList<>();
        for (String object : objects) {
            if (!object.startsWith("Private Key Object")) {
                continue;
            }
            assertThat(object).contains("sensitive").contains("never extractable");
            assertThat(object).doesNotContainPattern("(?m)Access:.*(?<!never )extractable,? *$");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\s*label:\\s*(\\S+)").matcher(object);
            assertThat(m.find()).as(object).isTrue();
            labels.add(m.group(1));
        }
        return labels;
    }

    @Test
    @Order(3)
    void issuesEachProfileAndIndependentValidatorsAcceptTheChains() throws Exception {
        record Case(String profile, String issuer, String keyArgs, String subject, String san, String eku,
                    String policy) {
        }
        List<Case> cases = List.of(
                new Case("tls-server", "server-ca", "ec:P-256", "/CN=fhir.hospital.test",
                        "DNS:fhir.hospital.test,DNS:ehr.hospital.test", "TLS Web Server Authentication",
                        "1.3.6.1.4.1.55555.1.1.1"),
                new Case("user", "identity-ca", "ec:P-256", "/CN=Alice Example", "email:alice@hospital.test",
                        "E-mail Protection", "1.3.6.1.4.1.55555.1.1.2"),
                new Case("device", "server-ca", "ec:P-256", "/serialNumber=PUMP-0001/CN=pump-0001.devices.hospital.test",
                        "DNS:pump-0001.devices.hospital.test", "TLS Web Client Authentication", "1.3.6.1.4.1.55555.1.1.3"),
                new Case("code-signing", "identity-ca", "rsa:3072", "/CN=Firmware Build Pipeline", null, "Code Signing",
                        "1.3.6.1.4.1.55555.1.1.4"));
        Path root = Path.of(caPath("root"));
        for (Case c : cases) {
            Path csr = Csrs.openssl(tmp, c.profile(), c.keyArgs(), c.subject(), c.san());
            Path out = tmp.resolve(c.profile() + "-chain.pem");
            PkiProcess.Result r = pki.run("issue", "--profile", c.profile(), "--csr", csr.toString(), "--out", out.toString());
            assertThat(r.exit()).as(c.profile() + ": " + r).isZero();
            List<X509Certificate> chain = readChain(out);
            assertThat(chain).hasSize(2);
            assertThat(chain.get(1).getSubjectX500Principal().getName()).contains(c.issuer());
            issuedSerials.add(chain.get(0).getSerialNumber().toString(16));

            Path leaf = tmp.resolve(c.profile() + "-leaf.pem");
            Path issuing = tmp.resolve(c.profile() + "-issuing.pem");
            Files.writeString(leaf, pemOf(chain.get(0)));
            Files.writeString(issuing, pemOf(chain.get(1)));
            PkiProcess.Result verify = PkiProcess.tool(Map.of(), "openssl", "verify", "-CAfile", root.toString(),
                    "-untrusted", issuing.toString(), leaf.toString());
            assertThat(verify.exit()).as(verify.toString()).isZero();
            assertThat(verify.out()).contains(": OK");
            // A relying party that requires the profile's policy explicitly accepts the path (the
            // issuing CA asserts the OIDs of what it issues); one that requires another policy does not.
            PkiProcess.Result explicit = PkiProcess.tool(Map.of(), "openssl", "verify", "-CAfile", root.toString(),
                    "-untrusted", issuing.toString(), "-explicit_policy", "-policy", c.policy(), leaf.toString());
            assertThat(explicit.exit()).as(explicit.toString()).isZero();
            PkiProcess.Result otherPolicy = PkiProcess.tool(Map.of(), "openssl", "verify", "-CAfile", root.toString(),
                    "-untrusted", issuing.toString(), "-explicit_policy", "-policy", "1.3.6.1.4.1.55555.1.1.99",
                    leaf.toString());
            assertThat(otherPolicy.exit()).as(otherPolicy.toString()).isNotZero();

            PkiProcess.Result text = PkiProcess.tool(Map.of(), "openssl", "x509", "-in", leaf.toString(), "-noout", "-text");
            assertThat(text.out()).contains("X509v3 Key Usage: critical", "Digital Signature",
                    "X509v3 Extended Key Usage", c.eku(), "X509v3 Certificate Policies", "1.3.6.1.4.1.55555.1.1",
                    "X509v3 CRL Distribution Points", "/crl/" + c.issuer() + ".crl", "Authority Information Access",
                    "OCSP - URI:", "CA Issuers - URI:", "/ca/" + c.issuer() + ".crt", "CA:FALSE");
            if (c.san() != null) {
                assertThat(text.out()).contains("X509v3 Subject Alternative Name");
                for (String san : c.san().split(",")) {
                    String value = san.substring(san.indexOf(':') + 1);
                    assertThat(text.out()).contains(value);
                }
            }
            pkixValidate(chain, root);
            pkixValidateRequiringPolicy(chain, root, c.policy());
        }
    }

    @Test
    @Order(4)
    void badRequestsAreRefusedWithOneLineAndAudited() throws Exception {
        Path garbage = tmp.resolve("garbage.csr");
        Files.writeString(garbage, "-----BEGIN CERTIFICATE REQUEST-----\nnot base64 at all\n-----END CERTIFICATE REQUEST-----\n");
        Path outside = Csrs.openssl(tmp, "outside", "ec:P-256", "/CN=www.example.com", "DNS:www.example.com");
        Path lookalike = Csrs.openssl(tmp, "lookalike", "ec:P-256", "/CN=evil-hospital.test", "DNS:evil-hospital.test");
        Path weak = Csrs.openssl(tmp, "weak", "rsa:1024", "/CN=old.hospital.test", "DNS:old.hospital.test");
        Path good = Csrs.openssl(tmp, "good", "ec:P-256", "/CN=api.hospital.test", "DNS:api.hospital.test");
        record Bad(String what, String profile, Path csr, String expected) {
        }
        for (Bad bad : List.of(new Bad("malformed", "tls-server", garbage, "CSR"),
                new Bad("name outside the domain", "tls-server", outside, "www.example.com"),
                new Bad("suffix look-alike", "tls-server", lookalike, "evil-hospital.test"),
                new Bad("weak key", "tls-server", weak, "1024"),
                new Bad("unknown profile", "no-such-profile", good, "no-such-profile"),
                new Bad("missing file", "tls-server", tmp.resolve("absent.csr"), "absent.csr"))) {
            PkiProcess.Result r = pki.run("issue", "--profile", bad.profile(), "--csr", bad.csr().toString());
            assertThat(r.exit()).as(bad.what() + ": " + r).isNotZero();
            assertThat(r.err().strip().lines().count()).as(bad.what() + ": one line on stderr: " + r).isEqualTo(1);
            assertThat(r.err()).as(bad.what()).contains(bad.expected()).doesNotContain("Exception", "\tat ");
            assertThat(r.out()).as(bad.what()).doesNotContain("BEGIN CERTIFICATE");
        }
        try (Connection c = TestEnvironment.connect(databaseUrl); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT count(*) FROM audit_event WHERE type = 'certificate.refused'");
            rs.next();
            assertThat(rs.getInt(1)).as("refusals audited (not the unreadable file)").isGreaterThanOrEqualTo(5);
            // Besides the test's own: the eight service certificates (acme, crl, ocsp, admin, est, cmp, scep,
            // ca) made at init.
            rs = s.executeQuery("SELECT count(*) FROM certificate WHERE profile <> 'service'");
            rs.next();
            assertThat(rs.getInt(1)).as("no row for a refused request").isEqualTo(issuedSerials.size());
            rs = s.executeQuery("SELECT count(*) FROM certificate WHERE profile = 'service' AND status = 'issued'");
            rs.next();
            assertThat(rs.getInt(1)).as("service certificates").isEqualTo(ServiceCredentials.CALLERS.size() + 1);
        }
    }

    @Test
    @Order(5)
    void revocationIsRecordedAnnouncedAndFinal() throws Exception {
        String serial = issuedSerials.getFirst();
        PkiProcess.Result r = pki.run("revoke", serial, "--reason", "keyCompromise");
        assertThat(r.exit()).as(r.toString()).isZero();
        PkiProcess.Result show = pki.run("show", serial, "--json");
        assertThat(show.exit()).as(show.toString()).isZero();
        JsonNode shown = JSON.readTree(show.out());
        assertThat(shown.get("status").asText()).isEqualTo("revoked");
        assertThat(shown.get("reason").asText()).isEqualTo("keyCompromise");

        PkiProcess.Result again = pki.run("revoke", serial, "--reason", "superseded");
        assertThat(again.exit()).as(again.toString()).isEqualTo(5);
        assertThat(again.err()).contains("already revoked");
        PkiProcess.Result badReason = pki.run("revoke", issuedSerials.get(1), "--reason", "certificateHold");
        assertThat(badReason.exit()).as(badReason.toString()).isNotZero();
        assertThat(badReason.err()).contains("certificateHold");
        PkiProcess.Result unknown = pki.run("revoke", "abcdef0123456789", "--reason", "superseded");
        assertThat(unknown.exit()).as(unknown.toString()).isEqualTo(4);

        PkiProcess.Result revoked = pki.run("list", "--status", "revoked", "--json");
        assertThat(JSON.readTree(revoked.out())).hasSize(1);
        PkiProcess.Result devices = pki.run("list", "--profile", "device", "--json");
        assertThat(JSON.readTree(devices.out())).hasSize(1);
        PkiProcess.Result soon = pki.run("list", "--expiring-within", "30", "--json");
        assertThat(JSON.readTree(soon.out())).isEmpty();
        PkiProcess.Result later = pki.run("list", "--expiring-within", "4000", "--status", "issued", "--json");
        // and the service certificates (each caller's and the CA endpoint's)
        assertThat(JSON.readTree(later.out())).hasSize(issuedSerials.size() - 1 + ServiceCredentials.CALLERS.size() + 1);
    }

    @Test
    @Order(6)
    void aWrongPinAndADownDatabaseGiveClearErrors() throws Exception {
        Path csr = Csrs.openssl(tmp, "pin", "ec:P-256", "/CN=pin.hospital.test", "DNS:pin.hospital.test");
        String wrongPin = "wrong-" + System.nanoTime();
        PkiProcess.Result r = pki.run(Map.of("PKI_TOKEN_PIN", wrongPin), "issue", "--profile", "tls-server",
                "--csr", csr.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(6);
        assertThat(r.err()).contains("PIN").doesNotContain(wrongPin).doesNotContain("\tat ");
        assertThat(r.out() + r.err()).doesNotContain(TestEnvironment.pin());

        String down = databaseUrl.replaceFirst(":(\\d+)/", ":1/");
        PkiProcess.Result d = pki.run(Map.of("PKI_DATABASE_URL", down), "list");
        assertThat(d.exit()).as(d.toString()).isEqualTo(7);
        assertThat(d.err()).contains("unreachable").doesNotContain(TestEnvironment.PgUrl.parse(databaseUrl).password());
    }

    @Test
    @Order(7)
    void auditVerifyPassesThenNamesAnEditedRow() throws Exception {
        PkiProcess.Result ok = pki.run("audit", "verify");
        assertThat(ok.exit()).as(ok.toString()).isZero();
        assertThat(ok.out()).contains("audit log OK");
        long target;
        try (Connection c = TestEnvironment.connect(databaseUrl); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT seq FROM audit_event WHERE type = 'certificate.issued' ORDER BY seq LIMIT 1");
            rs.next();
            target = rs.getLong(1);
            // What an intruder with the owner's rights would do: lift the append-only guard, edit, restore.
            s.execute("ALTER TABLE audit_event DISABLE TRIGGER USER");
            s.execute("UPDATE audit_event SET actor = 'someone-else' WHERE seq = " + target);
            s.execute("ALTER TABLE audit_event ENABLE TRIGGER USER");
        }
        PkiProcess.Result bad = pki.run("audit", "verify");
        assertThat(bad.exit()).as(bad.toString()).isNotZero();
        assertThat(bad.out() + bad.err()).contains(Long.toString(target));
    }

    private String caPath(String role) {
        for (JsonNode c : status.get("cas")) {
            if (c.get("role").asText().equals(role)) {
                return c.get("certificate").asText();
            }
        }
        throw new AssertionError("no CA with role " + role);
    }

    static List<X509Certificate> readChain(Path pem) throws Exception {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<X509Certificate> out = new ArrayList<>();
        cf.generateCertificates(new ByteArrayInputStream(Files.readAllBytes(pem)))
                .forEach(c -> out.add((X509Certificate) c));
        return out;
    }

    static String pemOf(X509Certificate c) throws Exception {
        return "-----BEGIN CERTIFICATE-----\n" + java.util.Base64.getMimeEncoder(64, "\n".getBytes())
                .encodeToString(c.getEncoded()) + "\n-----END CERTIFICATE-----\n";
    }

    static void pkixValidate(List<X509Certificate> chain, Path rootPem) throws Exception {
        X509Certificate root = readChain(rootPem).getFirst();
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        CertPath path = cf.generateCertPath(chain);
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
        params.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(path, params);
    }

    /** The JDK's PKIX validator with an explicit policy required and {@code policy} the only acceptable one. */
    static void pkixValidateRequiringPolicy(List<X509Certificate> chain, Path rootPem, String policy) throws Exception {
        X509Certificate root = readChain(rootPem).getFirst();
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
        params.setRevocationEnabled(false);
        params.setExplicitPolicyRequired(true);
        params.setInitialPolicies(Set.of(policy));
        CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(chain),
                params);
    }
}
