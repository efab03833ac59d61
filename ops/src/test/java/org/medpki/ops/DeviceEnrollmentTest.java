package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.naming.ldap.LdapName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * IoMT onboarding on a real 'pki up' with the EST and CMP front ends (each a process of its own
 * with the enroll database login, issuing through the CA API): devices registered with 'pki device
 * register' enroll with their one-time codes through curl + openssl (EST) and openssl cmp (CMP),
 * get the registry's identity whatever they ask, re-enroll with their current certificate, cannot
 * spend a code twice, and a decommissioned device's certificates are revoked as OCSP shows.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeviceEnrollmentTest {
    @TempDir
    static Path tmp;
    static PkiProcess pki;
    static PkiProcess.Started up;
    static int httpPort;
    static int estPort;
    static int cmpPort;
    static int scepPort;
    static Path root;
    static Path serverCa;
    static String databaseUrl;
    static Path manufacturerCa;

    @BeforeAll
    static void up() throws Exception {
        databaseUrl = TestEnvironment.newDatabase();
        pki = new PkiProcess(tmp.resolve("home"), databaseUrl);
        httpPort = AcmeLab.freePort(2);
        estPort = AcmeLab.freePort(1);
        cmpPort = AcmeLab.freePort(1);
        scepPort = AcmeLab.freePort(1);
        PkiProcess.Result init = pki.run("init", "--http-port", Integer.toString(httpPort));
        assertThat(init.exit()).as(init.toString()).isZero();
        // A manufacturer's IDevID CA (IEEE 802.1AR) that the installation trusts, and one it does not.
        manufacturerCa = authority("infusion-idevid-ca", "/O=Infusion Corp/CN=Infusion Corp IDevID CA");
        authority("rogue-idevid-ca", "/O=Infusion Corp/CN=Infusion Corp IDevID CA");
        Files.createDirectories(pki.home().resolve("manufacturers"));
        Files.copy(manufacturerCa, pki.home().resolve("manufacturers").resolve("infusion.pem"));
        Path settings = pki.home().resolve("medpki.yaml");
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        ObjectNode doc = (ObjectNode) yaml.readTree(settings.toFile());
        ObjectNode devices = doc.putObject("devices");
        devices.putArray("protocols").add("est").add("cmp").add("scep");
        devices.put("supersedeGrace", "PT0S");
        devices.putArray("manufacturerCas").addObject().put("manufacturer", "Infusion Corp")
                .put("certificates", "manufacturers/infusion.pem");
        devices.putObject("est").put("port", estPort);
        devices.putObject("cmp").put("port", cmpPort);
        // Debian's scepclient signs with SHA-1 and encrypts with DES whatever GetCACaps offers.
        devices.putObject("scep").put("port", scepPort).put("legacyAlgorithms", true);
        yaml.writeValue(settings.toFile(), doc);
        up = pki.start(Map.of(), "up", "--http-port", Integer.toString(httpPort));
        long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
        while (!Files.readString(up.out()).contains("medpki is up")) {
            assertThat(up.process().isAlive()).as("pki up keeps running: " + Files.readString(up.err())).isTrue();
            assertThat(System.nanoTime()).as("pki up within 150 s").isLessThan(deadline);
            Thread.sleep(200);
        }
        root = pki.home().resolve("pki").resolve("root-ca.pem");
        serverCa = pki.home().resolve("pki").resolve("server-ca.pem");
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
    void statusListsTheEnrollmentEndpoints() throws Exception {
        PkiProcess.Result r = pki.run("status", "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        List<String> urls = new ArrayList<>();
        for (JsonNode s : AdminCurl.JSON.readTree(r.out()).get("services")) {
            urls.add(s.get("name").asText() + " " + s.get("url").asText());
        }
        assertThat(urls).contains("est https://127.0.0.1:" + estPort + "/.well-known/est",
                "cmp http://127.0.0.1:" + cmpPort + "/.well-known/cmp", "scep http://127.0.0.1:" + scepPort + "/scep");
    }

    @Test
    @Order(2)
    void estEnrollsWithTheCodeOnceAndTheCertificateCarriesTheRegistrysIdentity() throws Exception {
        JsonNode device = register("PUMP-0001", "--manufacturer", "Infusion Corp", "--location", "ICU 3");
        String code = device.get("enrollmentCode").asText();
        assertThat(code).hasSize(32);
        assertThat(device.get("expires").asText()).isNotEmpty();

        // The CSR asks for another serial number: refused, and the code stays usable.
        Path otherCsr = csr("other", "/serialNumber=PUMP-9999/CN=pump");
        assertThat(estEnroll("PUMP-0001", code, otherCsr, "refused.p7")).isEqualTo(400);

        Path csr = csr("pump1", "/CN=pump");
        assertThat(estEnroll("PUMP-0001", code, csr, "pump1.p7")).isEqualTo(200);
        Path cert = printCerts("pump1.p7", "pump1.pem");
        X509Certificate issued = certificates(cert).get(0);
        assertThat(serialNumber(issued)).isEqualTo("PUMP-0001");
        assertThat(issued.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.2");
        verifies(cert);

        // The same code again, or a wrong one: 401, nothing issued.
        assertThat(estEnroll("PUMP-0001", code, csr("again", "/CN=pump"), "again.p7")).isEqualTo(401);
        assertThat(estEnroll("PUMP-0001", "0000000000000000000000000000000", csr("wrong", "/CN=pump"),
                "wrong.p7")).isEqualTo(401);
        JsonNode listed = listed("PUMP-0001");
        assertThat(listed.get("state").asText()).isEqualTo("enrolled");
        assertThat(listed.get("activeCertificates").asLong()).isEqualTo(1);
        assertThat(listed.get("codeUsed").asBoolean()).isTrue();

        // The CA certificates devices are told to trust.
        PkiProcess.Result cacerts = sh("curl -sS --cacert " + root + " https://127.0.0.1:" + estPort
                + "/.well-known/est/cacerts | base64 -d | openssl pkcs7 -inform DER -print_certs");
        assertThat(cacerts.exit()).as(cacerts.toString()).isZero();
        assertThat(cacerts.out()).contains("CN = hospital.test PKI server-ca").contains("Root CA");
    }

    @Test
    @Order(3)
    void cmpEnrollsWithTheCodeAsMacSecretThenRenewsWithTheCurrentCertificate() throws Exception {
        String code = register("MON-0002", "--model", "Monitor X").get("enrollmentCode").asText();
        Path key = key("mon2");
        PkiProcess.Result ir = cmp("-cmd", "ir", "-ref", "MON-0002", "-secret", "pass:" + code, "-newkey", key.toString(),
                "-subject", "/CN=monitor", "-certout", "mon2.pem");
        assertThat(ir.exit()).as(ir.toString()).isZero();
        Path cert = tmp.resolve("mon2.pem");
        X509Certificate first = certificates(cert).get(0);
        assertThat(serialNumber(first)).isEqualTo("MON-0002");
        verifies(cert);

        // The code is spent: a second ir is refused.
        PkiProcess.Result again = cmp("-cmd", "ir", "-ref", "MON-0002", "-secret", "pass:" + code, "-newkey",
                key("mon2x").toString(), "-subject", "/CN=monitor", "-certout", "mon2x.pem");
        assertThat(again.exit()).as(again.toString()).isNotZero();

        // kur with the current certificate: the identity is kept; the old one is superseded (grace 0).
        Path key2 = key("mon2b");
        PkiProcess.Result kur = cmp("-cmd", "kur", "-cert", cert.toString(), "-key", key.toString(), "-newkey",
                key2.toString(), "-certout", "mon2b.pem", "-trusted", root.toString());
        assertThat(kur.exit()).as(kur.toString()).isZero();
        X509Certificate renewed = certificates(tmp.resolve("mon2b.pem")).get(0);
        assertThat(serialNumber(renewed)).isEqualTo("MON-0002");
        assertThat(renewed.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
        // The front end revokes replaced certificates once a minute.
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!ocsp(cert).contains("revoked")) {
            assertThat(System.nanoTime()).as("the superseded certificate is revoked within 120 s").isLessThan(deadline);
            Thread.sleep(500);
        }
        assertThat(ocsp(cert)).contains("Reason: superseded");
        assertThat(ocsp(tmp.resolve("mon2b.pem"))).contains(": good");
    }

    @Test
    @Order(4)
    void scepEnrollsWithTheCodeAsChallengePasswordThroughAnRaKeyInTheEnrollmentToken() throws Exception {
        String code = register("GW-0004", "--model", "Imaging gateway").get("enrollmentCode").asText();
        // GetCACert: the RA certificate (scep-ra, from identity-ca, RSA, cmcRA) first, then the CA chain.
        PkiProcess.Result ra = sh("curl -sS 'http://127.0.0.1:" + scepPort + "/scep?operation=GetCACert' -o "
                + tmp.resolve("getcacert.p7") + " && openssl pkcs7 -inform DER -in " + tmp.resolve("getcacert.p7")
                + " -print_certs -out " + tmp.resolve("getcacert.pem"));
        assertThat(ra.exit()).as(ra.toString()).isZero();
        X509Certificate raCert = certificates(tmp.resolve("getcacert.pem")).get(0);
        assertThat(raCert.getPublicKey().getAlgorithm()).isEqualTo("RSA");
        assertThat(raCert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.28");
        assertThat(raCert.getIssuerX500Principal().getName()).contains("identity-ca");
        String fingerprint = java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(raCert.getEncoded()));

        // A wrong challenge: refused. (scepclient keeps its CSR, challenge included, beside the key, so
        // the real attempt below is another device directory.)
        Path guess = tmp.resolve("gw4-guess");
        Files.createDirectories(guess);
        PkiProcess.Result wrong = scepclient(guess, fingerprint, "WRONG-CODE-0000000000000000000000");
        assertThat(wrong.exit()).as(wrong.toString()).isNotZero();
        assertThat(wrong.out()).contains("badRequest");
        assertThat(guess.resolve("cert.pem")).doesNotExist();

        Path device = tmp.resolve("gw4");
        Files.createDirectories(device);

        PkiProcess.Result enrolled = scepclient(device, fingerprint, code);
        assertThat(enrolled.exit()).as(enrolled.toString()).isZero();
        X509Certificate issued = certificates(device.resolve("cert.pem")).get(0);
        assertThat(serialNumber(issued)).isEqualTo("GW-0004");
        verifies(device.resolve("cert.pem"));
        assertThat(listed("GW-0004").get("codeUsed").asBoolean()).isTrue();

        // The RA's private key lives in the enrollment token, under its own PIN.
        JsonNode status = AdminCurl.JSON.readTree(pki.run("status", "--json").out());
        String enrollToken = status.get("token").get("label").asText() + "-enroll";
        String pin = Files.readString(pki.home().resolve("enroll-token.pin")).strip();
        // (SunPKCS11 names a key entry by its CKA_ID: "scep-ra" in hex.)
        assertThat(PkiProcess.privateKeyObjects(pki.env(), enrollToken, pin).out()).contains("RSA")
                .contains(java.util.HexFormat.of().formatHex("scep-ra".getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
                .contains("never extractable");
    }

    @Test
    @Order(5)
    void aDecommissionedDevicesCertificatesAreRevokedAndItCannotEnrollAgain() throws Exception {
        Path cert = tmp.resolve("pump1.pem");
        assertThat(ocsp(cert)).contains(": good");
        PkiProcess.Result r = pki.run("device", "decommission", "PUMP-0001", "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode out = AdminCurl.JSON.readTree(r.out());
        assertThat(out.get("revoked")).hasSize(1);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!ocsp(cert).contains("revoked")) {
            assertThat(System.nanoTime()).as("OCSP shows the revocation within 30 s").isLessThan(deadline);
            Thread.sleep(200);
        }
        assertThat(ocsp(cert)).contains("Reason: cessationOfOperation");
        assertThat(listed("PUMP-0001").get("state").asText()).isEqualTo("decommissioned");
        // A new code for a decommissioned device is refused.
        PkiProcess.Result again = pki.run("device", "register", "PUMP-0001", "--manufacturer", "Infusion Corp");
        assertThat(again.exit()).isNotZero();
        assertThat(again.err()).contains("decommissioned");
    }

    @Test
    @Order(6)
    void registrationRefusesBadInputAndPrintsNoSecretInTheAuditLog() throws Exception {
        PkiProcess.Result bad = pki.run("device", "register", "-bad serial");
        assertThat(bad.exit()).isNotZero();
        PkiProcess.Result ctl = pki.run("device", "register", "OK-1", "--location", "ward\u0007");
        assertThat(ctl.exit()).isNotZero();
        assertThat(ctl.err()).contains("--location");
        String code = register("LOG-0003").get("enrollmentCode").asText();
        PkiProcess.Result audit = pki.run("audit", "verify");
        assertThat(audit.exit()).as(audit.toString()).isZero();
        // Registrations, enrollments and refusals are audited; no entry holds a code.
        List<String> entries = new ArrayList<>();
        try (var db = TestEnvironment.connect(databaseUrl);
             var rows = db.createStatement().executeQuery("SELECT type || ' ' || outcome || ' ' || details FROM audit_event")) {
            while (rows.next()) {
                entries.add(rows.getString(1));
            }
        }
        assertThat(entries).anyMatch(e -> e.toLowerCase(java.util.Locale.ROOT).startsWith("device.registered success") && e.contains("LOG-0003"));
        assertThat(entries).anyMatch(e -> e.toLowerCase(java.util.Locale.ROOT).startsWith("device.enrolled success") && e.contains("PUMP-0001"));
        assertThat(entries).anyMatch(e -> e.toLowerCase(java.util.Locale.ROOT).startsWith("device.authentication_failed failure"));
        assertThat(entries).noneMatch(e -> e.contains(code));
    }

    @Test
    @Order(20)
    void aDeviceEnrollsWithItsManufacturerCertificateOverEstAndCmpOnlyWhenTrustedRegisteredAndItsMakers() throws Exception {
        register("PUMP-IDEV-1", "--manufacturer", "Infusion Corp");
        register("PUMP-IDEV-2", "--manufacturer", "Infusion Corp");
        Path idev1 = idevid("infusion-idevid-ca", "idev1", "PUMP-IDEV-1");

        // EST: the IDevID as TLS client certificate, no Basic credentials; the CSR's subject is ignored
        // for the registry's identity.
        assertThat(estWithClientCertificate(idev1, csr("idev1-new", "/CN=pump"), "idev1.p7")).isEqualTo(200);
        Path cert = printCerts("idev1.p7", "idev1-ldevid.pem");
        X509Certificate ldevid = certificates(cert).get(0);
        assertThat(serialNumber(ldevid)).isEqualTo("PUMP-IDEV-1");
        assertThat(ldevid.getIssuerX500Principal().getName()).contains("server-ca");
        verifies(cert);
        assertThat(listed("PUMP-IDEV-1").get("state").asText()).isEqualTo("enrolled");

        // CMP: an ir signed with the IDevID's key, its certificate as the protection certificate.
        Path idev2 = idevid("infusion-idevid-ca", "idev2", "PUMP-IDEV-2");
        PkiProcess.Result ir = cmp("-cmd", "ir", "-cert", idev2 + ".pem", "-key", idev2 + ".key", "-newkey",
                key("idev2-new").toString(), "-subject", "/CN=pump", "-certout", "idev2-ldevid.pem", "-trusted",
                root.toString());
        assertThat(ir.exit()).as(ir.toString()).isZero();
        assertThat(serialNumber(certificates(tmp.resolve("idev2-ldevid.pem")).get(0))).isEqualTo("PUMP-IDEV-2");
        verifies(tmp.resolve("idev2-ldevid.pem"));

        // A look-alike CA the settings do not trust, and a trusted one's certificate for a serial that
        // is not registered: refused over both protocols (EST: 403, a certificate refused), nothing
        // issued, each refusal audited.
        register("PUMP-IDEV-3", "--manufacturer", "Infusion Corp");
        Path rogue = idevid("rogue-idevid-ca", "idev3", "PUMP-IDEV-3");
        assertThat(estWithClientCertificate(rogue, csr("idev3-new", "/CN=pump"), "idev3.p7")).isEqualTo(403);
        PkiProcess.Result rogueIr = cmp("-cmd", "ir", "-cert", rogue + ".pem", "-key", rogue + ".key", "-newkey",
                key("idev3-new").toString(), "-subject", "/CN=pump", "-certout", "idev3-ldevid.pem", "-trusted",
                root.toString());
        assertThat(rogueIr.exit()).as(rogueIr.toString()).isNotZero();
        Path unknown = idevid("infusion-idevid-ca", "idev4", "PUMP-NOT-REGISTERED");
        assertThat(estWithClientCertificate(unknown, csr("idev4-new", "/CN=pump"), "idev4.p7")).isEqualTo(403);
        // A trusted maker's certificate for another maker's device: its CA vouches for its own devices only.
        register("PUMP-IDEV-5", "--manufacturer", "Monitor Corp");
        Path foreign = idevid("infusion-idevid-ca", "idev5", "PUMP-IDEV-5");
        assertThat(estWithClientCertificate(foreign, csr("idev5-new", "/CN=pump"), "idev5.p7")).isEqualTo(403);
        assertThat(listed("PUMP-IDEV-5").get("activeCertificates").asLong()).isZero();
        assertThat(listed("PUMP-IDEV-3").get("state").asText()).isEqualTo("registered");
        assertThat(listed("PUMP-IDEV-3").get("activeCertificates").asLong()).isZero();
        List<String> refusals = new ArrayList<>();
        try (var db = TestEnvironment.connect(databaseUrl);
             var rows = db.createStatement().executeQuery("SELECT details FROM audit_event WHERE type = "
                     + "'device.authentication_failed'")) {
            while (rows.next()) {
                refusals.add(rows.getString(1));
            }
        }
        assertThat(refusals).anyMatch(d -> d.contains("PUMP-IDEV-3") && d.contains("trusted manufacturer CA"));
        assertThat(refusals).anyMatch(d -> d.contains("PUMP-NOT-REGISTERED") && d.contains("no registered device"));
        assertThat(refusals).anyMatch(d -> d.contains("PUMP-IDEV-5") && d.contains("no registered device"));
    }

    /** A self-signed CA made with openssl: {@code tmp/NAME.pem} and {@code tmp/NAME.key}. */
    private static Path authority(String name, String subject) throws Exception {
        PkiProcess.Result r = PkiProcess.tool(Map.of(), "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-nodes", "-keyout", tmp.resolve(name + ".key").toString(), "-out",
                tmp.resolve(name + ".pem").toString(), "-subj", subject, "-days", "3650", "-addext",
                "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        assertThat(r.exit()).as(r.toString()).isZero();
        return tmp.resolve(name + ".pem");
    }

    /** An IDevID issued by the CA {@code ca} to the device {@code serial}: returns tmp/NAME (.pem, .key). */
    private static Path idevid(String ca, String name, String serial) throws Exception {
        key(name);
        Path ext = tmp.resolve(name + ".ext");
        Files.writeString(ext, "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n");
        PkiProcess.Result r = sh("openssl req -new -key " + tmp.resolve(name + ".key") + " -subj '/O=Infusion Corp/"
                + "serialNumber=" + serial + "/CN=pump' | openssl x509 -req -CA " + tmp.resolve(ca + ".pem") + " -CAkey "
                + tmp.resolve(ca + ".key") + " -set_serial 0x" + java.util.HexFormat.of().formatHex(
                java.security.SecureRandom.getSeed(8)) + " -days 3650 -extfile " + ext + " -out "
                + tmp.resolve(name + ".pem"));
        assertThat(r.exit()).as(r.toString()).isZero();
        return tmp.resolve(name);
    }

    /** The HTTP status of an EST simpleenroll authenticated by a TLS client certificate only. */
    private static int estWithClientCertificate(Path device, Path csr, String out) throws Exception {
        PkiProcess.Result r = PkiProcess.tool(Map.of(), "curl", "-sS", "-o", tmp.resolve(out).toString(), "-w",
                "%{http_code}", "--cacert", root.toString(), "--cert", device + ".pem", "--key", device + ".key",
                "-H", "Content-Type: application/pkcs10", "--data-binary", "@" + csr,
                "https://127.0.0.1:" + estPort + "/.well-known/est/simpleenroll");
        assertThat(r.exit()).as(r.toString()).isZero();
        return Integer.parseInt(r.out().strip());
    }

    @Test
    @Order(10)
    void anSdcDeviceGetsTheSdcKeyPurposesAndTheRegistrysUriAndCannotAskForAnotherUri() throws Exception {
        String uri = "urn:uuid:" + java.util.UUID.randomUUID();
        JsonNode device = register("MON-0001", "--manufacturer", "Monitor Corp", "--profile", "sdc-participant",
                "--uri", uri);
        assertThat(device.get("uri").asText()).isEqualTo(uri);
        assertThat(device.get("profile").asText()).isEqualTo("sdc-participant");
        JsonNode listed = listed("MON-0001");
        assertThat(listed.get("uri").asText()).isEqualTo(uri);
        assertThat(listed.get("profile").asText()).isEqualTo("sdc-participant");

        Path csr = csr("mon1", "/CN=monitor");
        assertThat(estEnroll("MON-0001", device.get("enrollmentCode").asText(), csr, "mon1.p7")).isEqualTo(200);
        Path cert = printCerts("mon1.p7", "mon1.pem");
        X509Certificate issued = certificates(cert).get(0);
        assertThat(serialNumber(issued)).isEqualTo("MON-0001");
        assertThat(uris(issued)).containsExactly(uri);
        assertThat(issued.getExtendedKeyUsage()).contains("1.2.840.10004.20701.1.1", "1.2.840.10004.20701.1.2",
                "1.3.6.1.5.5.7.3.2");
        verifies(cert);

        // A CSR asking for another URI than the registry's: refused, nothing issued, the code still unspent.
        JsonNode second = register("SDC-0002", "--manufacturer", "Monitor Corp", "--profile", "sdc-participant",
                "--uri", "urn:uuid:" + java.util.UUID.randomUUID());
        long before = deviceCertificatesIssued();
        Path asking = csrAsking("mon2", "/CN=monitor", "subjectAltName=URI:urn:uuid:" + java.util.UUID.randomUUID());
        int status = estEnroll("SDC-0002", second.get("enrollmentCode").asText(), asking, "mon2.p7");
        assertThat(status).isBetween(400, 499);
        assertThat(deviceCertificatesIssued()).isEqualTo(before);
        JsonNode refused = listed("SDC-0002");
        assertThat(refused.get("state").asText()).isEqualTo("registered");
        assertThat(refused.get("codeUsed").asBoolean()).isFalse();

        // Registrations the CA would refuse are refused at once, naming the option.
        PkiProcess.Result noUri = pki.run("device", "register", "SDC-0003", "--profile", "sdc-participant");
        assertThat(noUri.exit()).isNotZero();
        assertThat(noUri.err()).contains("--uri");
        PkiProcess.Result badUri = pki.run("device", "register", "SDC-0003", "--uri", "http://monitor.example/3");
        assertThat(badUri.exit()).isNotZero();
        assertThat(badUri.err()).contains("--uri");
        PkiProcess.Result badProfile = pki.run("device", "register", "SDC-0003", "--profile", "tls-server");
        assertThat(badProfile.exit()).isNotZero();
        assertThat(badProfile.err()).contains("--profile");
        PkiProcess.Result taken = pki.run("device", "register", "SDC-0003", "--uri", uri);
        assertThat(taken.exit()).isNotZero();
        assertThat(taken.err()).contains(uri).doesNotContain("duplicate key");
    }

    /** A base64 DER PKCS#10 request with an extension ({@code openssl req -addext}). */
    private static Path csrAsking(String name, String subject, String extension) throws Exception {
        Path key = key(name);
        Path der = tmp.resolve(name + ".csr.der");
        PkiProcess.Result r = PkiProcess.tool(Map.of(), "openssl", "req", "-new", "-key", key.toString(), "-subj",
                subject, "-addext", extension, "-outform", "DER", "-out", der.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        Path b64 = tmp.resolve(name + ".csr.b64");
        Files.writeString(b64, java.util.Base64.getMimeEncoder().encodeToString(Files.readAllBytes(der)));
        return b64;
    }

    /** The certificate's URI subjectAltNames. */
    private static List<String> uris(X509Certificate c) throws Exception {
        List<String> out = new ArrayList<>();
        if (c.getSubjectAlternativeNames() != null) {
            for (List<?> san : c.getSubjectAlternativeNames()) {
                if (((Integer) san.get(0)) == 6) {
                    out.add((String) san.get(1));
                }
            }
        }
        return out;
    }

    /** Certificates the CA issued to devices (requester ...device:ID), as the inventory has them. */
    private static long deviceCertificatesIssued() throws Exception {
        try (var db = TestEnvironment.connect(databaseUrl);
             var rows = db.createStatement().executeQuery(
                     "SELECT count(*) FROM certificate WHERE requester LIKE '%device:%'")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static JsonNode register(String serial, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("device", "register", serial, "--json"));
        args.addAll(List.of(options));
        PkiProcess.Result r = pki.run(args.toArray(String[]::new));
        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode node = AdminCurl.JSON.readTree(r.out());
        assertThat(node.get("serial").asText()).isEqualTo(serial);
        return node;
    }

    private static JsonNode listed(String serial) throws Exception {
        PkiProcess.Result r = pki.run("device", "list", "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        for (JsonNode d : AdminCurl.JSON.readTree(r.out())) {
            if (d.get("serial").asText().equals(serial)) {
                return d;
            }
        }
        throw new AssertionError("no device " + serial + " in " + r.out());
    }

    private static Path key(String name) throws Exception {
        Path key = tmp.resolve(name + ".key");
        PkiProcess.Result r = PkiProcess.tool(Map.of(), "openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-out", key.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        return key;
    }

    /** A base64 DER PKCS#10 request, as EST sends it. */
    private static Path csr(String name, String subject) throws Exception {
        Path key = key(name);
        Path der = tmp.resolve(name + ".csr.der");
        PkiProcess.Result r = PkiProcess.tool(Map.of(), "openssl", "req", "-new", "-key", key.toString(), "-subj",
                subject, "-outform", "DER", "-out", der.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        Path b64 = tmp.resolve(name + ".csr.b64");
        Files.writeString(b64, java.util.Base64.getMimeEncoder().encodeToString(Files.readAllBytes(der)));
        return b64;
    }

    /** The HTTP status of an EST simpleenroll with Basic credentials; the body in {@code out}. */
    private static int estEnroll(String serial, String code, Path csr, String out) throws Exception {
        PkiProcess.Result r = PkiProcess.tool(Map.of(), "curl", "-sS", "-o", tmp.resolve(out).toString(), "-w",
                "%{http_code}", "--cacert", root.toString(), "-u", serial + ":" + code, "-H",
                "Content-Type: application/pkcs10", "--data-binary", "@" + csr,
                "https://127.0.0.1:" + estPort + "/.well-known/est/simpleenroll");
        assertThat(r.exit()).as(r.toString()).isZero();
        return Integer.parseInt(r.out().strip());
    }

    private static Path printCerts(String p7, String pem) throws Exception {
        PkiProcess.Result r = sh("base64 -d " + tmp.resolve(p7) + " | openssl pkcs7 -inform DER -print_certs -out "
                + tmp.resolve(pem));
        assertThat(r.exit()).as(r.toString()).isZero();
        return tmp.resolve(pem);
    }

    private static PkiProcess.Result cmp(String... args) throws Exception {
        List<String> c = new ArrayList<>(List.of("openssl", "cmp", "-server", "127.0.0.1:" + cmpPort, "-path",
                ".well-known/cmp", "-msg_timeout", "30", "-total_timeout", "40"));
        c.addAll(List.of(args));
        return sh("cd " + tmp + " && " + String.join(" ", c.stream().map(DeviceEnrollmentTest::quote).toList()));
    }

    private static PkiProcess.Result scepclient(Path device, String fingerprint, String challenge) throws Exception {
        return PkiProcess.tool(Map.of(), "timeout", "60", "scepclient", "-server-url", "http://127.0.0.1:" + scepPort
                + "/scep", "-private-key", device.resolve("key.pem").toString(), "-certificate",
                device.resolve("cert.pem").toString(), "-ca-fingerprint", fingerprint, "-cn", "gateway",
                "-challenge", challenge);
    }

    private static String ocsp(Path cert) throws Exception {
        PkiProcess.Result r = PkiProcess.tool(Map.of(), "openssl", "ocsp", "-issuer", serverCa.toString(), "-cert",
                cert.toString(), "-url", "http://127.0.0.1:" + (httpPort + 1) + "/ocsp", "-CAfile", root.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        return r.out();
    }

    private static void verifies(Path cert) throws Exception {
        PkiProcess.Result r = PkiProcess.tool(Map.of(), "openssl", "verify", "-CAfile", root.toString(), "-untrusted",
                serverCa.toString(), cert.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        X509Certificate anchor = certificates(root).get(0);
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
        params.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(
                List.of(certificates(cert).get(0), certificates(serverCa).get(0))), params);
    }

    private static List<X509Certificate> certificates(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
                    .map(X509Certificate.class::cast).toList();
        }
    }

    private static String serialNumber(X509Certificate c) throws Exception {
        for (var rdn : new LdapName(c.getSubjectX500Principal().getName()).getRdns()) {
            if (rdn.getType().equalsIgnoreCase("2.5.4.5") || rdn.getType().equalsIgnoreCase("SERIALNUMBER")) {
                Object v = rdn.getValue();
                if (v instanceof byte[] der) {
                    return new String(der, 2, der.length - 2, java.nio.charset.StandardCharsets.US_ASCII);
                }
                return v.toString();
            }
        }
        return null;
    }

    private static PkiProcess.Result sh(String script) throws Exception {
        return PkiProcess.tool(Map.of(), "bash", "-c", script);
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
