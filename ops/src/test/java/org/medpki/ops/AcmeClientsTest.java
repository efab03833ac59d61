package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unmodified ACME clients from the distribution (certbot, lego) against a real 'pki up' on
 * loopback: http-01, tls-alpn-01, dns-01 (against a test DNS server), EAB, renewal and
 * revocation. Each issued chain must pass 'openssl verify' against our root, and each revocation
 * must show in the inventory.
 */
class AcmeClientsTest {
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(120);
    private static final String NOTICE = "https://pki.hospital.test/notices/mass-revocation";

    @TempDir
    static Path tmp;
    static AcmeLab lab;

    @BeforeAll
    static void up() throws Exception {
        lab = new AcmeLab(tmp, Map.of("PKI_ACME_RENEWAL_EXPLANATION", NOTICE), "certbot.hospital.test", "lego.hospital.test", "tls.hospital.test",
                "x.eab.hospital.test");
    }

    @AfterAll
    static void down() throws Exception {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void certbotObtainsRenewsAndRevokesWithHttp01() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("certbot"));
        List<String> common = List.of("--config-dir", dir.resolve("config").toString(), "--work-dir",
                dir.resolve("work").toString(), "--logs-dir", dir.resolve("logs").toString(), "--non-interactive",
                "--server", lab.directory());
        PkiProcess.Result obtain = certbot(dir, common, "certonly", "--standalone", "--http-01-port",
                Integer.toString(lab.http01Port), "--agree-tos", "--register-unsafely-without-email",
                "-d", "certbot.hospital.test");
        assertThat(obtain.exit()).as(obtain.toString()).isZero();
        Path live = dir.resolve("config/live/certbot.hospital.test");
        PkiProcess.Result verified = lab.verify(live.resolve("fullchain.pem"), dir);
        assertThat(verified.exit()).as(verified.toString()).isZero();
        assertThat(verified.out()).contains("OK");
        String first = AcmeLab.serialOf(live.resolve("cert.pem"));

        PkiProcess.Result renew = certbot(dir, common, "renew", "--force-renewal", "--no-random-sleep-on-renew");
        assertThat(renew.exit()).as(renew.toString()).isZero();
        String second = AcmeLab.serialOf(live.resolve("cert.pem"));
        assertThat(second).isNotEqualTo(first);
        assertThat(lab.verify(live.resolve("fullchain.pem"), dir).exit()).isZero();

        PkiProcess.Result revoke = certbot(dir, common, "revoke", "--cert-path", live.resolve("cert.pem").toString(),
                "--reason", "keycompromise", "--no-delete-after-revoke");
        assertThat(revoke.exit()).as(revoke.toString()).isZero();
        var shown = lab.show(second);
        assertThat(shown.toString()).contains("\"status\":\"revoked\"");
        assertThat(lab.show(first).toString()).contains("\"status\":\"issued\"");
    }

    @Test
    void legoObtainsRenewsAndRevokesWithHttp01() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("lego-http"));
        PkiProcess.Result run = lego(dir, Map.of(), "--http", "--http.port", ":" + lab.http01Port,
                "--domains", "lego.hospital.test", "run");
        assertThat(run.exit()).as(run.toString()).isZero();
        Path crt = dir.resolve("lego/certificates/lego.hospital.test.crt");
        assertThat(lab.verify(crt, dir).exit()).isZero();
        String first = AcmeLab.serialOf(crt);
        Path firstCrt = Files.copy(crt, dir.resolve("first.crt"));
        // ARI (RFC 9773) while it stands: a window in the future, inside its life.
        AcmeTestClient ari = new AcmeTestClient(lab);
        AcmeTestClient.Reply standing = ari.get(ari.url("renewalInfo") + "/" + certId(firstCrt));
        assertThat(standing.status()).as(standing.toString()).isEqualTo(200);
        assertThat(Instant.parse(standing.json().get("suggestedWindow").get("end").asText())).isAfter(Instant.now());

        PkiProcess.Result renew = lego(dir, Map.of(), "--http", "--http.port", ":" + lab.http01Port,
                "--domains", "lego.hospital.test", "renew", "--days", "400", "--no-random-sleep");
        assertThat(renew.exit()).as(renew.toString()).isZero();
        String second = AcmeLab.serialOf(crt);
        assertThat(second).isNotEqualTo(first);
        assertThat(lab.verify(crt, dir).exit()).isZero();

        // The first one revoked on the CA host ('pki revoke'): ARI now answers a window that has
        // ended, so that a client renews at once, with the installation's explanation.
        PkiProcess.Result cli = lab.pki.run("revoke", first, "--reason", "superseded");
        assertThat(cli.exit()).as(cli.toString()).isZero();
        AcmeTestClient.Reply revoked = ari.get(ari.url("renewalInfo") + "/" + certId(firstCrt));
        assertThat(revoked.status()).as(revoked.toString()).isEqualTo(200);
        assertThat(Instant.parse(revoked.json().get("suggestedWindow").get("end").asText()))
                .isBefore(Instant.now().minus(Duration.ofMinutes(59)));
        assertThat(revoked.json().get("explanationURL").asText()).isEqualTo(NOTICE);
        assertThat(revoked.header("Retry-After")).isEqualTo("3600");

        PkiProcess.Result revoke = lego(dir, Map.of(), "--domains", "lego.hospital.test", "revoke", "--keep", "--reason", "4");
        assertThat(revoke.exit()).as(revoke.toString()).isZero();
        assertThat(lab.show(second).toString()).contains("\"status\":\"revoked\"").contains("superseded");
    }

    @Test
    void legoObtainsWithTlsAlpn01() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("lego-tls"));
        PkiProcess.Result run = lego(dir, Map.of(), "--tls", "--tls.port", ":" + lab.tlsAlpn01Port,
                "--domains", "tls.hospital.test", "run");
        assertThat(run.exit()).as(run.toString()).isZero();
        Path crt = dir.resolve("lego/certificates/tls.hospital.test.crt");
        assertThat(lab.verify(crt, dir).exit()).isZero();
        PkiProcess.Result revoke = lego(dir, Map.of(), "--domains", "tls.hospital.test", "revoke", "--keep");
        assertThat(revoke.exit()).as(revoke.toString()).isZero();
        assertThat(lab.show(AcmeLab.serialOf(crt)).toString()).contains("\"status\":\"revoked\"");
    }

    @Test
    void legoObtainsAWildcardWithDns01() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("lego-dns"));
        Path script = dir.resolve("dns-exec.sh");
        Files.writeString(script, "#!/bin/sh\n# lego exec provider: present|cleanup FQDN VALUE\n"
                + "name=$(printf %s \"$2\" | sed 's/\\.$//')\n"
                + "case \"$1\" in\n"
                + "  present) printf '%s\\n' \"$3\" >> \"" + lab.txtDir + "/$name\" ;;\n"
                + "  cleanup) ;;\n"
                + "esac\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        Map<String, String> env = Map.of("EXEC_PATH", script.toString(), "EXEC_PROPAGATION_TIMEOUT", "10",
                "EXEC_POLLING_INTERVAL", "1", "EXEC_SEQUENCE_INTERVAL", "1");
        PkiProcess.Result run = lego(dir, env, "--dns", "exec", "--dns.resolvers", lab.dns.address(), "--dns.disable-cp",
                "--domains", "*.wild.hospital.test", "--domains", "wild.hospital.test", "run");
        assertThat(run.exit()).as(run.toString()).isZero();
        Path crt = dir.resolve("lego/certificates/_.wild.hospital.test.crt");
        assertThat(lab.verify(crt, dir).exit()).isZero();
        PkiProcess.Result text = PkiProcess.tool(Map.of(), "openssl", "x509", "-in", crt.toString(), "-noout", "-ext",
                "subjectAltName");
        assertThat(text.out()).contains("DNS:*.wild.hospital.test").contains("DNS:wild.hospital.test");
    }

    @Test
    void legoRegistersWithExternalAccountBindingAndStaysInsideItsNames() throws Exception {
        PkiProcess.Result eab = lab.pki.run("eab", "new", "--profile", "tls-server", "--names", "*.eab.hospital.test");
        assertThat(eab.exit()).as(eab.toString()).isZero();
        String kid = eab.out().lines().filter(l -> l.startsWith("kid:")).findFirst().orElseThrow().substring(4).trim();
        String hmac = eab.out().lines().filter(l -> l.startsWith("hmacKey:")).findFirst().orElseThrow().substring(8).trim();
        assertThat(eab.err()).doesNotContain(hmac);
        Path dir = Files.createDirectories(tmp.resolve("lego-eab"));
        PkiProcess.Result run = lego(dir, Map.of(), "--eab", "--kid", kid, "--hmac", hmac, "--http", "--http.port",
                ":" + lab.http01Port, "--domains", "x.eab.hospital.test", "run");
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(lab.verify(dir.resolve("lego/certificates/x.eab.hospital.test.crt"), dir).exit()).isZero();

        // The same account may not order a name outside the key's patterns.
        PkiProcess.Result outside = lego(dir, Map.of(), "--eab", "--kid", kid, "--hmac", hmac, "--http",
                "--http.port", ":" + lab.http01Port, "--domains", "lego.hospital.test", "run");
        assertThat(outside.exit()).isNotZero();
        assertThat(outside.out() + outside.err()).contains("rejectedIdentifier");
    }

    private PkiProcess.Result certbot(Path dir, List<String> common, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("certbot"));
        command.addAll(List.of(args));
        command.addAll(common);
        return AcmeLab.exec(lab.clientEnv(), dir, CLIENT_TIMEOUT, command);
    }

    /** The RFC 9773 id of the first certificate in a PEM file: base64url(AKI key id) "." base64url(serial). */
    private static String certId(Path pem) throws Exception {
        java.security.cert.X509Certificate cert;
        try (var in = Files.newInputStream(pem)) {
            cert = (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(in);
        }
        byte[] aki = org.bouncycastle.asn1.x509.AuthorityKeyIdentifier.getInstance(
                org.bouncycastle.asn1.ASN1OctetString.getInstance(cert.getExtensionValue("2.5.29.35")).getOctets())
                .getKeyIdentifierOctets();
        java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString(aki) + "." + b64.encodeToString(cert.getSerialNumber().toByteArray());
    }

    private PkiProcess.Result lego(Path dir, Map<String, String> extraEnv, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("lego", "--server", lab.directory(), "--accept-tos",
                "--email", "ops@hospital.test", "--path", dir.resolve("lego").toString()));
        command.addAll(List.of(args));
        Map<String, String> env = new HashMap<>(lab.clientEnv());
        env.putAll(extraEnv);
        return AcmeLab.exec(env, dir, CLIENT_TIMEOUT, command);
    }
}
