package org.medpki.device.est;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.medpki.core.testpki.TestKeys;
import org.medpki.device.InMemoryDeviceEnrollment;

/**
 * An EST server on an ephemeral port over the in-memory enrollment service, with what its
 * clients need: a TLS CA and server certificate (IP 127.0.0.1), two device manufacturers (one
 * the registry trusts, one it does not) and their IDevIDs, device keys and requests, and the
 * PEM files curl and openssl read.
 */
final class EstFixture implements AutoCloseable {
    private static final AtomicLong SERIALS = new AtomicLong(1);

    final Vertx vertx = Vertx.vertx();
    final InMemoryDeviceEnrollment registry = new InMemoryDeviceEnrollment();
    final Path dir;
    final KeyPair tlsCaKey = TestKeys.freshEc("secp256r1");
    final X509Certificate tlsCa;
    final KeyPair manufacturerKey = TestKeys.freshEc("secp256r1");
    final X509Certificate manufacturer;
    final KeyPair strangerKey = TestKeys.freshEc("secp256r1");
    final X509Certificate strangerManufacturer;
    final Path tlsCaPem;
    final EstServer server;
    final int port;

    EstFixture(Path dir) throws Exception {
        this(dir, null);
    }

    /** {@code enrollment}: the service behind the server, the in-memory registry when null. */
    EstFixture(Path dir, org.medpki.device.DeviceEnrollment enrollment) throws Exception {
        this.dir = dir;
        tlsCa = ca("CN=EST Test TLS CA", tlsCaKey);
        manufacturer = ca("CN=Device Maker IDevID CA,O=Device Maker", manufacturerKey);
        strangerManufacturer = ca("CN=Unknown Maker IDevID CA,O=Unknown Maker", strangerKey);
        registry.trustManufacturer(manufacturer);
        KeyPair serverKey = TestKeys.freshEc("secp256r1");
        X509Certificate serverCert = serverCertificate(serverKey);
        tlsCaPem = write("tls-ca.pem", pem(tlsCa));
        EstConfig config = EstConfig.of("127.0.0.1", 0, pkcs8(serverKey.getPrivate()), pem(serverCert) + pem(tlsCa),
                List.of(manufacturer, strangerManufacturer));
        server = new EstServer(vertx, enrollment == null ? registry : enrollment, config);
        port = server.start().await(20, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        server.close().await(20, TimeUnit.SECONDS);
        vertx.close().await(20, TimeUnit.SECONDS);
    }

    String url(String resource) {
        return "https://127.0.0.1:" + port + "/.well-known/est/" + resource;
    }

    /** A device key and its PKCS#10 request (ECDSA P-256, SHA-256). */
    record Request(KeyPair key, PKCS10CertificationRequest csr) {
    }

    static Request request(String subject) throws Exception {
        KeyPair key = TestKeys.freshEc("secp256r1");
        PKCS10CertificationRequest csr = new JcaPKCS10CertificationRequestBuilder(new X500Name(subject), key.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()));
        return new Request(key, csr);
    }

    /** An IDevID with subject serialNumber {@code serial}, issued by {@code issuer}. */
    static X509Certificate idevid(String serial, KeyPair device, X509Certificate issuer, KeyPair issuerKey)
            throws Exception {
        Instant now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIALS.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(3650))),
                new X500Name("SERIALNUMBER=" + serial + ",O=Device Maker"), device.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        return sign(builder, issuerKey);
    }

    /** A JSSE key manager presenting {@code chain} (own certificate first). */
    static KeyManager keyManager(KeyPair key, X509Certificate... chain) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("device", key.getPrivate(), "pw".toCharArray(), chain);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, "pw".toCharArray());
        return kmf.getKeyManagers()[0];
    }

    /** Trusts the TLS CA that issued the server certificate, nothing else. */
    X509TrustManager trustManager() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("tls-ca", tlsCa);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        return (X509TrustManager) tmf.getTrustManagers()[0];
    }

    Path write(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content);
    }

    Path write(String name, byte[] content) throws Exception {
        return Files.write(dir.resolve(name), content);
    }

    static String pem(Object... objects) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            for (Object o : objects) {
                writer.writeObject(o);
            }
        }
        return out.toString();
    }

    /** A private key as PKCS#8 PEM ("PRIVATE KEY"), the form Vert.x and openssl read. */
    static String pkcs8(java.security.PrivateKey key) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    /** What a command printed (stdout and stderr); fails unless it exits 0. */
    static String exec(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
        return out;
    }

    /** A curl answer: status, headers, body. */
    record Answer(int status, String headers, byte[] body) {
        String text() {
            return new String(body);
        }
    }

    /** curl against {@code resource}, trusting the TLS CA, with {@code options} before the URL. */
    Answer curl(String resource, String... options) throws Exception {
        Path body = Files.createTempFile(dir, "body", ".out");
        Path headers = Files.createTempFile(dir, "headers", ".txt");
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--cacert", tlsCaPem.toString(), "-o",
                body.toString(), "-D", headers.toString(), "-w", "%{http_code}"));
        command.addAll(List.of(options));
        command.add(url(resource));
        String status = exec(command.toArray(String[]::new)).trim();
        return new Answer(Integer.parseInt(status), Files.readString(headers), Files.readAllBytes(body));
    }

    private X509Certificate serverCertificate(KeyPair key) throws Exception {
        Instant now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(tlsCa, BigInteger.valueOf(SERIALS.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(30))),
                new X500Name("CN=est.hospital.test"), key.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
        return sign(builder, tlsCaKey);
    }

    private static X509Certificate ca(String name, KeyPair key) throws Exception {
        Instant now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(new X500Name(name), BigInteger.valueOf(SERIALS.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(3650))),
                new X500Name(name), key.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        return sign(builder, key);
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder builder, KeyPair issuerKey) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey.getPrivate())));
    }
}
