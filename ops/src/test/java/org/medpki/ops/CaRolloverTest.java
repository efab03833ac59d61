package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertStore;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
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
 * Issuing-CA rollover on a real 'pki up' (SoftHSM2, PostgreSQL, every service a process of its
 * own): server-ca rolled over through the admin API by two approvers, while the services run;
 * certificates of the old and the new generation each verify with openssl and the JDK's PKIX
 * validator against their own CRL (as the repository serves it) and through the OCSP responder;
 * the repository serves both CA certificates. On the CA host, 'pki ca rollover' plans a generation
 * that takes over later, and refuses the root, an unknown CA and bad input.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CaRolloverTest {
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
    void aRolloverApprovedByTwoIssuesFromTheNewKeyAndBothGenerationsVerifyWithTheirOwnCrlAndOcsp() throws Exception {
        Path oldLeaf = issue("before");
        assertThat(issuerSubject(oldLeaf)).doesNotContain(" G2");

        Identity requester = admin.enroll("Rita Requester", "requester");
        Identity first = admin.enroll("Ivo Approver", "approver");
        Identity second = admin.enroll("Jan Approver", "approver");
        Identity auditor = admin.enroll("Ana Auditor", "auditor");

        // Bad requests: 422 naming the member, nothing stored.
        for (String[] c : new String[][] {
                {"{\"ca\":\"root-ca\"}", "ca", "root CA"},
                {"{\"ca\":\"nope-ca\"}", "ca", "no issuing CA named 'nope-ca'"},
                {"{\"ca\":\"../etc\"}", "ca", "name of an issuing CA"},
                {"{\"ca\":\"server-ca\",\"switchAt\":\"tomorrow\"}", "switchAt", "RFC 3339"},
                {"{\"ca\":\"server-ca\",\"switchAt\":\"2020-01-01T00:00:00Z\"}", "switchAt", "from now on"},
                {"{\"ca\":\"server-ca\",\"colour\":1}", "colour", "unknown member"}}) {
            Reply r = admin.post(requester, "/api/v1/ca-rollovers", c[0]);
            assertThat(r.status()).as(c[0] + " -> " + r.body()).isEqualTo(422);
            assertThat(r.json().get("field").asText()).as(c[0]).isEqualTo(c[1]);
            assertThat(r.json().get("detail").asText()).as(c[0]).contains(c[2]);
        }
        assertThat(admin.post(auditor, "/api/v1/ca-rollovers", "{\"ca\":\"server-ca\"}").status()).isEqualTo(403);

        Reply created = admin.post(requester, "/api/v1/ca-rollovers", "{\"ca\":\"server-ca\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        assertThat(created.json().get("kind").asText()).isEqualTo("ca-rollover");
        assertThat(created.json().get("approvalsRequired").asInt()).isEqualTo(2);
        String id = created.json().get("id").asText();
        assertThat(admin.post(requester, "/api/v1/requests/" + id + "/approve", "").status()).isEqualTo(403);
        Reply once = admin.post(first, "/api/v1/requests/" + id + "/approve", "");
        assertThat(once.json().get("state").asText()).as(once.body()).isEqualTo("pending-approval");
        assertThat(caNames()).as("one approval rolls nothing over").doesNotContain("server-ca-g2");
        admin.post(second, "/api/v1/requests/" + id + "/approve", "");
        Reply done = await("the rollover request done", Duration.ofSeconds(60), () -> {
            Reply r = admin.get(auditor, "/api/v1/ca-rollovers/" + id);
            return r.json().get("state").asText().equals("done") ? r : null;
        });
        assertThat(done.json().get("result").get("name").asText()).as(done.body()).isEqualTo("server-ca-g2");
        assertThat(done.json().get("result").get("generation").asInt()).isEqualTo(2);

        // Issuance has switched (the CA follows within two seconds); the chain handed out is the new one.
        Path newLeaf = await("a certificate from server-ca-g2", Duration.ofSeconds(20), () -> {
            Path leaf = issue("after-" + System.nanoTime());
            return issuerSubject(leaf).contains(" G2") ? leaf : null;
        });

        // The repository serves both CA certificates; each generation has CRLs of its own.
        Path oldCa = fetch("/ca/server-ca.pem", "server-ca.pem");
        Path newCa = fetch("/ca/server-ca-g2.pem", "server-ca-g2.pem");
        Path root = pki.home().resolve("pki/root-ca.pem");
        Path oldCrl = fetch("/crl/server-ca.pem", "server-ca.crl.pem");
        Path newCrl = await("server-ca-g2's CRL served", Duration.ofSeconds(60),
                () -> fetchIfServed("/crl/server-ca-g2.pem", "server-ca-g2.crl.pem"));
        Path rootCrl = fetch("/crl/root-ca.pem", "root-ca.crl.pem");

        for (Path[] c : new Path[][] {{oldLeaf, oldCa, oldCrl}, {newLeaf, newCa, newCrl}}) {
            PkiProcess.Result verified = PkiProcess.tool(Map.of(), "openssl", "verify", "-crl_check", "-CAfile",
                    root.toString(), "-untrusted", c[1].toString(), "-CRLfile", c[2].toString(), c[0].toString());
            assertThat(verified.exit()).as(verified.toString()).isZero();
            assertThat(verified.out()).contains(": OK");
            pkixValidates(c[0], c[1], root, List.of(c[2], rootCrl));
        }
        // Each generation's CRL speaks for it alone: the new certificate has no CRL under the old one's.
        PkiProcess.Result crossed = PkiProcess.tool(Map.of(), "openssl", "verify", "-crl_check", "-CAfile",
                root.toString(), "-untrusted", newCa.toString(), "-CRLfile", oldCrl.toString(), newLeaf.toString());
        assertThat(crossed.exit()).as(crossed.toString()).isNotZero();
        assertThat(crossed.out() + crossed.err()).contains("unable to get certificate CRL");

        // OCSP: the old generation keeps answering through its signer, the new one through its own.
        for (Path[] c : new Path[][] {{oldLeaf, oldCa}, {newLeaf, newCa}}) {
            String answer = await("OCSP for " + c[0].getFileName(), Duration.ofSeconds(60), () -> {
                PkiProcess.Result r = PkiProcess.tool(Map.of(), "openssl", "ocsp", "-issuer", c[1].toString(), "-cert",
                        c[0].toString(), "-url", "http://127.0.0.1:" + (httpPort + 1) + "/ocsp", "-CAfile",
                        root.toString(), "-no_nonce");
                return r.exit() == 0 && (r.out() + r.err()).contains("Response verify OK") ? r.out() + r.err() : null;
            });
            assertThat(answer).contains(": good");
        }

        // The ceremony is in the audit log: the key, the root's signature, the approvers.
        String audit = admin.get(auditor, "/api/v1/audit?since=0&limit=1000").body();
        assertThat(audit).contains("\"ca.rollover_planned\"").contains("\"ca.rolled_over\"")
                .contains("admin:Rita Requester").contains("Jan Approver");
        PkiProcess.Result verify = pki.run("audit", "verify");
        assertThat(verify.exit()).as(verify.toString()).isZero();
    }

    @Test
    @Order(2)
    void onTheCaHostTheCommandPlansALaterSwitchAndRefusesTheRootUnknownCasAndBadInput() throws Exception {
        // Each a process of its own: the few a user meets; the rest are IssuingCaRolloverTest's.
        String[][] refusals = {
                {"3", "root CA", "root-ca"}, {"4", "no issuing CA named 'nope-ca'", "nope-ca"},
                {"3", "is in the past", "server-ca", "--switch-at", "2020-01-01T00:00:00Z"}};
        List<PkiProcess.Result> refused = pki.runAll(java.util.Arrays.stream(refusals)
                .map(c -> java.util.stream.Stream.concat(java.util.stream.Stream.of("ca", "rollover"),
                        java.util.Arrays.stream(c, 2, c.length)).toArray(String[]::new))
                .toArray(String[][]::new));
        for (int i = 0; i < refusals.length; i++) {
            PkiProcess.Result r = refused.get(i);
            assertThat(r.exit()).as(r.toString()).isEqualTo(Integer.parseInt(refusals[i][0]));
            assertThat(r.err()).contains(refusals[i][1]).doesNotContain("Exception");
        }

        Instant later = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        PkiProcess.Result r = pki.run("ca", "rollover", "server-ca", "--switch-at", later.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("generation 3: server-ca-g3").contains("switches from server-ca-g2 at " + later);
        assertThat(pki.home().resolve("pki/server-ca-g3.pem")).exists();
        // Until then server-ca-g2 goes on issuing.
        assertThat(issuerSubject(issue("meanwhile"))).contains(" G2");
        PkiProcess.Result again = pki.run("ca", "rollover", "server-ca");
        assertThat(again.exit()).as(again.toString()).isEqualTo(5);
        assertThat(again.err()).contains("takes over at " + later);
    }

    @Test
    @Order(3)
    void afterARolloverOfTheIdentityCaServicesAndAdministratorsOfBothGenerationsGetInAndAForgedOneDoesNot()
            throws Exception {
        Identity before = admin.enroll("Olga Before", "auditor");
        assertThat(issuerSubject(before.chain())).doesNotContain(" G2");

        PkiProcess.Result rolled = pki.run("ca", "rollover", "identity-ca");
        assertThat(rolled.exit()).as(rolled.toString()).isZero();
        assertThat(rolled.out()).contains("generation 2: identity-ca-g2");

        // An administrator enrolled now has a certificate from the new generation; the running admin
        // API reads that generation when it first meets one of its certificates.
        Identity after = admin.enroll("Nils After", "auditor");
        assertThat(issuerSubject(after.chain())).contains(" G2");
        for (Identity who : List.of(after, before)) {
            Reply me = await("/api/v1/me for " + who.chain(), Duration.ofSeconds(20), () -> {
                Reply r = admin.get(who, "/api/v1/me");
                return r.status() == 200 ? r : null;
            });
            assertThat(me.body()).contains(who == after ? "Nils After" : "Olga Before");
        }

        // A service still on the old generation calls the CA API (curl, its certificate as it is):
        // it renews and gets a certificate from the new generation...
        Path services = pki.home().resolve("services");
        Path acmeOld = services.resolve("acme");
        assertThat(issuerSubject(acmeOld.resolve("chain.pem"))).doesNotContain(" G2");
        Path renewed = renewThroughTheCaApi(acmeOld.resolve("chain.pem"), acmeOld.resolve("key.pem"), "acme");
        assertThat(issuerSubject(renewed.resolve("chain.pem"))).contains(" G2");
        // ...with which it calls the CA API again.
        Path again = renewThroughTheCaApi(renewed.resolve("chain.pem"), renewed.resolve("key.pem"), "acme");
        assertThat(issuerSubject(again.resolve("chain.pem"))).contains(" G2");

        // The product's own client (CaApiClient, as 'pki serve acme' makes it) with a certificate of
        // either generation: issuance through the running CA.
        PkiProcess.Result oldClient = pki.run("bench", "issue", "--via-api", "--count", "1", "--threads", "1");
        assertThat(oldClient.exit()).as(oldClient.toString()).isZero();
        assertThat(oldClient.out()).contains("1 certificates");
        Files.copy(renewed.resolve("chain.pem"), acmeOld.resolve("chain.pem"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(renewed.resolve("key.pem"), acmeOld.resolve("key.pem"), StandardCopyOption.REPLACE_EXISTING);
        PkiProcess.Result newClient = pki.run("bench", "issue", "--via-api", "--count", "1", "--threads", "1");
        assertThat(newClient.exit()).as(newClient.toString()).isZero();
        assertThat(newClient.out()).contains("1 certificates");

        // A CA of this PKI's name that is not this PKI's (either generation's subject, another key):
        // its certificate for a service's or an administrator's name is refused by both APIs.
        for (Path caPem : List.of(pki.home().resolve("pki/identity-ca.pem"),
                pki.home().resolve("pki/identity-ca-g2.pem"))) {
            X500Name impostor = X500Name.getInstance(certificates(caPem).getFirst().getSubjectX500Principal().getEncoded());
            Path forgedService = forged(impostor, new X500Name("CN=acme"), "forged-acme");
            String[] answer = curlCaApi(forgedService.resolve("chain.pem"), forgedService.resolve("key.pem"),
                    "{\"csr\":\"" + Base64.getEncoder().encodeToString(serviceCsr("acme")) + "\"}");
            assertThat(answer[0]).as(answer[1]).isEqualTo("401");
            assertThat(answer[1]).contains("does not verify");
            Path forgedAdmin = forged(impostor, new X500Name("CN=Olga Before"), "forged-admin");
            Reply refused = admin.get(new Identity(forgedAdmin.resolve("key.pem"), null,
                    forgedAdmin.resolve("chain.pem"), null), "/api/v1/me");
            assertThat(refused.status()).as(refused.body()).isEqualTo(401);
        }
    }

    // ---- helpers

    /** A service's renewal through the CA API with curl and its certificate; the new key and chain in a directory. */
    private static Path renewThroughTheCaApi(Path chain, Path key, String service) throws Exception {
        Path dir = Files.createTempDirectory(tmp, service + "-renewed");
        KeyPair pair = ecKey();
        // The names of the certificate it calls with, as 'pki serve' asks (ServiceCredentials).
        JcaPKCS10CertificationRequestBuilder request = new JcaPKCS10CertificationRequestBuilder(
                new X500Name("CN=" + service), pair.getPublic());
        Extension names = new X509CertificateHolder(certificates(chain).getFirst().getEncoded())
                .getExtension(Extension.subjectAlternativeName);
        if (names != null) {
            request.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, new Extensions(names));
        }
        byte[] csr = request.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())).getEncoded();
        String[] answer = curlCaApi(chain, key, "{\"csr\":\"" + Base64.getEncoder().encodeToString(csr) + "\"}");
        assertThat(answer[0]).as(answer[1]).isEqualTo("200");
        StringBuilder pem = new StringBuilder(pem("CERTIFICATE", Base64.getDecoder().decode(
                AdminCurl.JSON.readTree(answer[1]).get("certificate").asText())));
        for (JsonNode c : AdminCurl.JSON.readTree(answer[1]).get("chain")) {
            pem.append(pem("CERTIFICATE", Base64.getDecoder().decode(c.asText())));
        }
        Files.writeString(dir.resolve("chain.pem"), pem);
        Files.writeString(dir.resolve("key.pem"), pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        return dir;
    }

    /** POST service-certificates to the CA API with curl and a client certificate: {status, body}. */
    private static String[] curlCaApi(Path chain, Path key, String json) throws Exception {
        Path body = Files.createTempFile(tmp, "ca-api", ".json");
        Path sent = Files.createTempFile(tmp, "ca-api-sent", ".json");
        Files.writeString(sent, json);
        // -k: the endpoint's identity is not what is tested here, the callers' are.
        PkiProcess.Result r = PkiProcess.tool(Map.of(), "curl", "-sk", "-o", body.toString(), "-w", "%{http_code}",
                "-H", "Content-Type: application/json", "--data-binary", "@" + sent, "--cert", chain.toString(),
                "--key", key.toString(), "https://127.0.0.1:" + (httpPort + 364) + "/ca-api/v1/service-certificates");
        assertThat(r.exit()).as(r.toString()).isZero();
        return new String[] {r.out().trim(), Files.readString(body)};
    }

    /** A CSR for a service's name (the renewal keeps the names of the certificate it is called with). */
    private static byte[] serviceCsr(String service) throws Exception {
        KeyPair pair = ecKey();
        return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + service), pair.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())).getEncoded();
    }

    /** A CA of subject {@code caName} made here, and its certificate for {@code subject}: key and chain in a directory. */
    private static Path forged(X500Name caName, X500Name subject, String stem) throws Exception {
        Path dir = Files.createTempDirectory(tmp, stem);
        KeyPair ca = ecKey();
        KeyPair leaf = ecKey();
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder caBuilder = new JcaX509v3CertificateBuilder(caName, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(1, ChronoUnit.HOURS)), Date.from(now.plus(30, ChronoUnit.DAYS)), caName, ca.getPublic());
        caBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        X509CertificateHolder caCert = caBuilder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.getPrivate()));
        JcaX509v3CertificateBuilder leafBuilder = new JcaX509v3CertificateBuilder(caName,
                new BigInteger(64, new java.security.SecureRandom()).setBit(63), Date.from(now.minus(1, ChronoUnit.HOURS)),
                Date.from(now.plus(30, ChronoUnit.DAYS)), subject, leaf.getPublic());
        leafBuilder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
        X509CertificateHolder leafCert = leafBuilder.build(new JcaContentSignerBuilder("SHA256withECDSA")
                .build(ca.getPrivate()));
        Files.writeString(dir.resolve("chain.pem"), pem("CERTIFICATE", leafCert.getEncoded())
                + pem("CERTIFICATE", caCert.getEncoded()));
        Files.writeString(dir.resolve("key.pem"), pem("PRIVATE KEY", leaf.getPrivate().getEncoded()));
        return dir;
    }

    private static KeyPair ecKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static Path issue(String name) throws Exception {
        Path csr = Csrs.openssl(tmp, name, "ec:P-256", "/CN=" + name + ".hospital.test", "DNS:" + name + ".hospital.test");
        Path chain = tmp.resolve(name + "-chain.pem");
        PkiProcess.Result r = pki.run("issue", "--profile", "tls-server", "--csr", csr.toString(), "--out",
                chain.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        return chain;
    }

    private static List<X509Certificate> certificates(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            List<X509Certificate> all = new ArrayList<>();
            CertificateFactory.getInstance("X.509").generateCertificates(in).forEach(c -> all.add((X509Certificate) c));
            return all;
        }
    }

    /** The subject of the CA certificate that follows the leaf in a chain file. */
    private static String issuerSubject(Path chain) throws Exception {
        List<X509Certificate> all = certificates(chain);
        assertThat(all).hasSizeGreaterThanOrEqualTo(2);
        assertThat(all.get(0).getIssuerX500Principal()).isEqualTo(all.get(1).getSubjectX500Principal());
        return all.get(1).getSubjectX500Principal().getName();
    }

    /** The JDK's PKIX validator, revocation on, from the CRLs given (no network). */
    private static void pkixValidates(Path leafChain, Path issuing, Path root, List<Path> crls) throws Exception {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        X509Certificate leaf = certificates(leafChain).getFirst();
        X509Certificate ca = certificates(issuing).getFirst();
        X509Certificate anchor = certificates(root).getFirst();
        List<Object> store = new ArrayList<>(List.of(ca));
        for (Path crl : crls) {
            try (InputStream in = Files.newInputStream(crl)) {
                store.add((X509CRL) cf.generateCRL(in));
            }
        }
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
        params.setRevocationEnabled(true);
        params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(store)));
        CertPathValidator.getInstance("PKIX").validate(cf.generateCertPath(List.of(leaf, ca)), params);
    }

    private static Path fetch(String path, String file) throws Exception {
        Path out = fetchIfServed(path, file);
        assertThat(out).as(path + " served").isNotNull();
        return out;
    }

    private static Path fetchIfServed(String path, String file) throws Exception {
        Path out = tmp.resolve(file);
        PkiProcess.Result got = PkiProcess.tool(Map.of(), "curl", "-sf", "-o", out.toString(),
                "http://127.0.0.1:" + httpPort + path);
        return got.exit() == 0 ? out : null;
    }

    private static List<String> caNames() throws Exception {
        PkiProcess.Result r = pki.run("status", "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        List<String> names = new ArrayList<>();
        for (JsonNode c : AdminCurl.JSON.readTree(r.out()).get("cas")) {
            names.add(c.get("name").asText());
        }
        return names;
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
