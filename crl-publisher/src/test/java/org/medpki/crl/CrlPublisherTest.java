package org.medpki.crl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.IssuingDistributionPoint;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.medpki.core.audit.AuditLog;
import org.medpki.core.crl.CrlDistribution;
import org.medpki.core.crl.CrlDistributions;
import org.medpki.core.crl.CrlIssuer;
import org.medpki.core.crl.CrlKind;
import org.medpki.core.crl.CrlPolicy;
import org.medpki.core.crl.CrlScope;
import org.medpki.core.crl.PublishedCrl;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.hierarchy.Ceremony;
import org.medpki.core.hierarchy.CeremonyPlan;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.core.issuance.IssuanceService;
import org.medpki.core.issuance.IssueCommand;
import org.medpki.core.issuance.IssuedCertificate;
import org.medpki.core.keys.KeyAlgorithm;
import org.medpki.core.profile.ProfileCatalog;
import org.medpki.core.revocation.RevocationReason;
import org.medpki.core.revocation.RevocationService;
import org.medpki.core.signing.CertificateSigner;
import org.medpki.hsm.PinSource;
import org.medpki.hsm.Pkcs11SigningKeys;
import org.medpki.hsm.TokenConfig;
import org.medpki.inventory.pg.InventoryDatabase;

/**
 * The publisher against a real SoftHSM2 token and PostgreSQL (through a TCP proxy the test can
 * cut): two instances on one database, one active; CRLs checked with openssl and the JDK.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrlPublisherTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String BASE = "http://crl.hospital.test/crl";
    private static final CrlPolicy POLICY = new CrlPolicy(Duration.ofSeconds(8), Duration.ofMinutes(2),
            Duration.ofSeconds(4), Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofDays(1), Duration.ofDays(365));
    private static final CrlDistributions LAYOUT = new CrlDistributions(
            Map.of("server-ca", new CrlDistribution(2, true)), CrlDistribution.DEFAULT);

    @TempDir
    static Path tmp;

    static String admin;
    static String dbName;
    static TcpProxy proxy;
    static InventoryDatabase caSide;
    static InventoryDatabase publisherSide;
    static Pkcs11SigningKeys keys;
    static Hierarchy hierarchy;
    static IssuanceService issuance;
    static RevocationService revocation;
    static Vertx vertx;
    static List<CrlPublisherVerticle> publishers = new ArrayList<>();
    static List<String> deployments = new ArrayList<>();
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void setUp() throws Exception {
        admin = require("PKI_TEST_PG_ADMIN_URL");
        String module = require("PKI_TEST_SOFTHSM_MODULE");
        String pin = require("PKI_TEST_TOKEN_PIN");
        dbName = "medpki_crl_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        try (Connection c = jdbc("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + dbName);
        }
        String direct = admin.substring(0, admin.lastIndexOf('/') + 1) + dbName;
        caSide = InventoryDatabase.open(direct, 4);
        proxy = new TcpProxy(host(), port());
        String viaProxy = direct.replace("@" + host() + ":" + port() + "/", "@127.0.0.1:" + proxy.port() + "/");
        publisherSide = InventoryDatabase.open(viaProxy, 4, false);

        keys = new Pkcs11SigningKeys(new TokenConfig(module, "medpki-test", new PinSource.Given(pin.toCharArray()), 4));
        Clock clock = Clock.systemUTC();
        AuditLog audit = new AuditLog(caSide.auditStore(), clock);
        CeremonyPlan plan = new CeremonyPlan("CRL Test Hospital", KeyAlgorithm.EC_P384, KeyAlgorithm.EC_P256,
                KeyAlgorithm.EC_P256, List.of("server-ca", "identity-ca"), Duration.ofDays(3650), Duration.ofDays(1825),
                Duration.ofDays(90), Duration.ofDays(365), Map.of("server-ca", List.of("1.3.6.1.4.1.55555.1.1.1"),
                        "identity-ca", List.of("1.3.6.1.4.1.55555.1.1.2")), BASE, "http://crl.hospital.test/ca");
        hierarchy = new Ceremony(keys, caSide.inventory(), audit, clock, caSide.crlStore(), POLICY).run(plan, "test");
        ProfileCatalog profiles = ProfileCatalog.load(policies(), Map.of("domain", "hospital.test",
                "ocspUrl", "http://ocsp.hospital.test/ocsp", "crlBaseUrl", BASE,
                "caIssuersBaseUrl", "http://crl.hospital.test/ca"));
        issuance = new IssuanceService(profiles, hierarchy, new CertificateSigner(keys), caSide.inventory(), audit,
                clock, LAYOUT);
        revocation = new RevocationService(hierarchy, caSide.inventory(), audit, clock);

        vertx = Vertx.vertx();
        for (String name : List.of("a", "b")) {
            CrlSettings settings = new CrlSettings(POLICY, LAYOUT, CrlSettings.OnRevocation.FULL, tmp.resolve(name));
            CrlPublisherVerticle v = new CrlPublisherVerticle(new CrlPublisherConfig("127.0.0.1", 0, BASE, settings),
                    publisherSide, new CrlIssuer(publisherSide.crlStore(), keys, POLICY, BASE, clock), hierarchy, clock);
            deployments.add(vertx.deployVerticle(v).await());
            publishers.add(v);
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (vertx != null) {
            vertx.close().await();
        }
        if (publisherSide != null) {
            publisherSide.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (caSide != null) {
            caSide.close();
        }
        if (keys != null) {
            keys.close();
        }
        if (dbName != null) {
            try (Connection c = jdbc("postgres"); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + dbName + " WITH (FORCE)");
            }
        }
    }

    @Test
    @Order(1)
    void publishesEveryCrlVerifiableByOpensslAndTheJdk() throws Exception {
        CrlPublisherVerticle active = active();
        List<String> stems = List.of("root-ca", "server-ca", "server-ca-delta", "server-ca-1", "server-ca-1-delta",
                "server-ca-2", "server-ca-2-delta", "identity-ca", "identity-ca-delta");
        for (String stem : stems) {
            await().atMost(WAIT).until(() -> get(active, "/crl/" + stem + ".crl").statusCode() == 200);
        }
        assertThat(publishers.stream().filter(CrlPublisherVerticle::active).count()).isEqualTo(1);
        for (String stem : stems) {
            String issuerName = stem.startsWith("root") ? "root-ca" : stem.startsWith("server") ? "server-ca" : "identity-ca";
            CaCertificate issuer = hierarchy.byName(issuerName).orElseThrow();
            byte[] der = get(active, "/crl/" + stem + ".crl").body();
            X509CRL crl = jdkCrl(der);
            crl.verify(issuer.publicKey());
            Instant now = Instant.now();
            assertThat(crl.getThisUpdate().toInstant()).isBeforeOrEqualTo(now);
            assertThat(crl.getNextUpdate().toInstant()).isAfter(now);
            assertThat(openssl(stem, der, issuerName)).contains("verify OK");
            boolean delta = stem.endsWith("-delta");
            assertThat(crl.getExtensionValue(Extension.deltaCRLIndicator.getId()) != null).isEqualTo(delta);
            boolean shard = stem.matches(".*-[0-9](-delta)?");
            byte[] idp = crl.getExtensionValue(Extension.issuingDistributionPoint.getId());
            assertThat(idp != null).as(stem + " has an IDP").isEqualTo(shard);
            if (shard) {
                IssuingDistributionPoint p = IssuingDistributionPoint.getInstance(
                        ASN1OctetString.getInstance(idp).getOctets());
                assertThat(GeneralNames.getInstance(p.getDistributionPoint().getName()).getNames()[0].getName().toString())
                        .isEqualTo(BASE + "/" + stem.replace("-delta", "") + ".crl");
            }
        }
        // The root's CRL made at the ceremony is valid for the ARL's long period.
        X509CRL arl = jdkCrl(get(active, "/crl/root-ca.crl").body());
        assertThat(Duration.between(arl.getThisUpdate().toInstant(), arl.getNextUpdate().toInstant()))
                .isEqualTo(Duration.ofDays(365));
        // A delta's base is the number of a complete CRL of the same scope.
        X509CRL delta = jdkCrl(get(active, "/crl/server-ca-2-delta.crl").body());
        BigInteger base = number(delta, Extension.deltaCRLIndicator);
        assertThat(base).isLessThan(number(delta, Extension.cRLNumber));
        PublishedCrl stored = caSide.crlStore().latest(hierarchy.byName("server-ca").orElseThrow().record().id(), 2,
                CrlKind.FULL).orElseThrow();
        assertThat(base).isLessThanOrEqualTo(stored.number());
        // Written to the directory too.
        Path dir = tmp.resolve(publishers.indexOf(active) == 0 ? "a" : "b");
        assertThat(jdkCrl(Files.readAllBytes(dir.resolve("server-ca.crl")))).isNotNull();
        assertThat(Files.readString(dir.resolve("server-ca.pem"))).startsWith("-----BEGIN X509 CRL-----");
    }

    @Test
    @Order(2)
    void revokedSerialAppearsInTheDeltaThenInTheCompleteCrlOfItsShard() throws Exception {
        IssuedCertificate cert = issue("revoke-me.hospital.test");
        X509Certificate x509 = jdkCert(cert.certificate().getEncoded());
        String cdp = uris(x509, Extension.cRLDistributionPoints).getFirst();
        String freshest = uris(x509, Extension.freshestCRL).getFirst();
        int shard = LAYOUT.of("server-ca").shardOf(cert.serial());
        assertThat(cdp).isEqualTo(BASE + "/server-ca-" + shard + ".crl");
        assertThat(freshest).isEqualTo(BASE + "/server-ca-" + shard + "-delta.crl");
        // The shard as recorded at issuance, as the publisher reads it.
        long serverCa = hierarchy.byName("server-ca").orElseThrow().record().id();
        assertThat(publisherSide.crlStore().shardsOf(serverCa, List.of(cert.serial(), BigInteger.TEN)))
                .containsExactly(shard);
        assertThat(publisherSide.crlStore().shardsInUse(serverCa)).containsKey(shard)
                .allSatisfy((s, lastNotAfter) -> assertThat(s).isBetween(1, 2));

        revocation.revoke("server-ca", cert.serial(), RevocationReason.KEY_COMPROMISE, "test",
                Instant.now().minusSeconds(3600));
        CrlPublisherVerticle active = active();
        String shardDelta = "/crl/server-ca-" + shard + "-delta.crl";
        await().atMost(WAIT).until(() -> listed(get(active, shardDelta).body(), cert.serial()) != null);
        X509CRLEntry entry = listed(get(active, shardDelta).body(), cert.serial());
        assertThat(entry.getRevocationReason()).isEqualTo(java.security.cert.CRLReason.KEY_COMPROMISE);
        assertThat(entry.getExtensionValue(Extension.invalidityDate.getId())).isNotNull();
        await().atMost(WAIT).until(() -> listed(get(active, "/crl/server-ca-" + shard + ".crl").body(), cert.serial()) != null);
        await().atMost(WAIT).until(() -> listed(get(active, "/crl/server-ca.crl").body(), cert.serial()) != null);
        assertThat(listed(get(active, "/crl/server-ca-" + (3 - shard) + ".crl").body(), cert.serial())).isNull();
        // The standby serves what the active one stored, too (announced on the CRL channel).
        CrlPublisherVerticle standby = publishers.get(1 - publishers.indexOf(active));
        await().atMost(WAIT).until(() -> listed(get(standby, "/crl/server-ca-" + shard + ".crl").body(),
                cert.serial()) != null);
        assertThat(listed(get(active, "/crl/identity-ca.crl").body(), cert.serial())).isNull();
    }

    @Test
    @Order(3)
    void cachingHeadersConditionalGetAndHead() throws Exception {
        CrlPublisherVerticle active = active();
        HttpResponse<byte[]> r = get(active, "/crl/server-ca.crl");
        X509CRL crl = jdkCrl(r.body());
        String etag = r.headers().firstValue("ETag").orElseThrow();
        long maxAge = Long.parseLong(r.headers().firstValue("Cache-Control").orElseThrow().replaceAll(".*max-age=(\\d+).*", "$1"));
        assertThat(maxAge).isPositive().isLessThanOrEqualTo(
                Duration.between(Instant.now(), crl.getNextUpdate().toInstant()).toSeconds() + 1);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/pkix-crl");
        assertThat(r.headers().firstValue("Last-Modified")).isPresent();
        HttpResponse<byte[]> again = http.send(HttpRequest.newBuilder(uri(active, "/crl/server-ca.crl"))
                .header("If-None-Match", etag).build(), HttpResponse.BodyHandlers.ofByteArray());
        // 304 unless a newer CRL was published in between (then a new ETag).
        if (again.statusCode() == 200) {
            assertThat(again.headers().firstValue("ETag").orElseThrow()).isNotEqualTo(etag);
        } else {
            assertThat(again.statusCode()).isEqualTo(304);
            assertThat(again.body()).isEmpty();
        }
        HttpResponse<byte[]> modified = http.send(HttpRequest.newBuilder(uri(active, "/crl/root-ca.crl"))
                .header("If-Modified-Since", RepositoryHandler.httpDate(Instant.now().plusSeconds(60))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(modified.statusCode()).isEqualTo(304);
        HttpResponse<byte[]> head = http.send(HttpRequest.newBuilder(uri(active, "/crl/root-ca.crl"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(Long.parseLong(head.headers().firstValue("Content-Length").orElseThrow()))
                .isEqualTo(get(active, "/crl/root-ca.crl").body().length);
        HttpResponse<byte[]> pem = get(active, "/crl/server-ca.pem");
        assertThat(new String(pem.body(), StandardCharsets.US_ASCII)).startsWith("-----BEGIN X509 CRL-----");
        assertThat(get(active, "/ca/server-ca.crt").statusCode()).isEqualTo(200);
        assertThat(get(active, "/crl/no-such-ca.crl").statusCode()).isEqualTo(404);
        assertThat(new String(get(active, "/metrics").body(), StandardCharsets.UTF_8))
                .contains("medpki_crl_entries{crl=\"server-ca\"}").contains("medpki_crl_build_seconds");
    }

    @Test
    @Order(4)
    void numbersNeverRepeatNorGoBackWithRacingPublishersAndATakeover() throws Exception {
        CaCertificate ca = hierarchy.byName("identity-ca").orElseThrow();
        CrlIssuer one = new CrlIssuer(caSide.crlStore(), keys, POLICY, BASE, Clock.systemUTC());
        CrlIssuer two = new CrlIssuer(caSide.crlStore(), keys, POLICY, BASE, Clock.systemUTC());
        CrlScope scope = CrlScope.whole("identity-ca");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<List<BigInteger>>> runs = new ArrayList<>();
        for (CrlIssuer issuer : List.of(one, two)) {
            runs.add(pool.submit(() -> {
                List<BigInteger> numbers = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    numbers.add(issuer.publish(ca, scope, i % 2 == 0 ? CrlKind.FULL : CrlKind.DELTA,
                            LAYOUT.of("identity-ca")).number());
                }
                return numbers;
            }));
        }
        Set<BigInteger> all = new HashSet<>();
        for (Future<List<BigInteger>> f : runs) {
            List<BigInteger> mine = f.get();
            assertThat(mine).isSorted();
            all.addAll(mine);
        }
        pool.shutdown();
        assertThat(all).hasSize(10);
        // The database itself refuses a number that does not exceed the earlier ones.
        BigInteger max = all.stream().max(BigInteger::compareTo).orElseThrow();
        try (Connection c = jdbc(dbName); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.execute("INSERT INTO crl (ca_id, shard, crl_number, kind, this_update, "
                    + "next_update, entries, der) VALUES (" + ca.record().id() + ", 0, " + max.subtract(BigInteger.ONE)
                    + ", 'full', now(), now() + interval '1 day', 0, '\\x01')")).isInstanceOf(SQLException.class);
        }

        // The active instance goes away; the other takes over and continues the numbering.
        CrlPublisherVerticle active = active();
        int index = publishers.indexOf(active);
        CrlPublisherVerticle other = publishers.get(1 - index);
        BigInteger before = caSide.crlStore().latest(ca.record().id(), 0, CrlKind.FULL).orElseThrow().number();
        vertx.undeploy(deployments.get(index)).await();
        await().atMost(WAIT).until(other::active);
        await().atMost(WAIT).until(() -> number(jdkCrl(get(other, "/crl/identity-ca.crl").body()), Extension.cRLNumber)
                .compareTo(before) > 0);
        publishers.set(index, other);
    }

    @Test
    @Order(5)
    void keepsServingTheLastCrlsWhileTheDatabaseIsDownAndSaysUnhealthy() throws Exception {
        CrlPublisherVerticle active = active();
        assertThat(get(active, "/health").statusCode()).isEqualTo(200);
        proxy.cut();
        try {
            await().atMost(WAIT).until(() -> get(active, "/health").statusCode() == 503);
            assertThat(new String(get(active, "/health").body(), StandardCharsets.UTF_8)).contains("\"database\":\"DOWN\"");
            HttpResponse<byte[]> r = get(active, "/crl/server-ca.crl");
            assertThat(r.statusCode()).isEqualTo(200);
            jdkCrl(r.body()).verify(hierarchy.byName("server-ca").orElseThrow().publicKey());
        } finally {
            proxy.restore();
        }
        await().atMost(WAIT).until(() -> get(active, "/health").statusCode() == 200);
    }

    @Test
    @Order(6)
    void methodsOtherThanGetAndHeadAre405AndPathsOutsideTheRepositoryServeNothing() throws Exception {
        CrlPublisherVerticle v = publishers.get(0);
        await().atMost(WAIT).until(() -> get(v, "/crl/server-ca.crl").statusCode() == 200);
        for (String method : List.of("POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND")) {
            for (String path : List.of("/crl/server-ca.crl", "/ca/root-ca.crt")) {
                RawResponse r = raw(v.actualPort(), method + " " + path + " HTTP/1.1\r\nHost: crl\r\n"
                        + "Content-Length: 1\r\nConnection: close\r\n\r\nx");
                assertThat(r.status()).as(method + " " + path).isEqualTo(405);
                assertThat(r.header("allow")).as(method + " " + path).isEqualTo("GET, HEAD");
                assertThat(r.body()).isEqualTo("method not allowed\n");
            }
        }
        // Raw request targets, as a client can send them (an HTTP library would normalise some).
        Map<String, Integer> targets = new java.util.LinkedHashMap<>();
        targets.put("/crl/../../../../etc/passwd", 404);
        targets.put("/crl/..%2f..%2f..%2f..%2fetc%2fpasswd", 404);
        targets.put("/crl/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd", 404);
        targets.put("/crl/%2e%2e/%2e%2e/%2e%2e/etc/passwd", 404);
        targets.put("/crl/..%5c..%5c..%5cetc%5cpasswd", 404);
        targets.put("/ca/%2Fetc%2Fpasswd", 404);
        targets.put("/crl//etc/passwd", 404);
        targets.put("/etc/passwd", 404);
        targets.put("/crl/" + tmp.resolve("a").resolve("server-ca.crl").toString().replace("/", "%2F"), 404);
        targets.put("/crl/server-ca%00.crl", 404);
        targets.put("/ca/root-ca.crt%00.pem", 404);
        targets.put("/crl/server-ca.crl%2500", 404);
        targets.put("/crl/%zz.crl", 400);
        targets.put("/crl/" + "a".repeat(3000) + ".crl", 404);
        targets.put("/crl/" + "a".repeat(20_000) + ".crl", 414);
        for (Map.Entry<String, Integer> t : targets.entrySet()) {
            RawResponse r = raw(v.actualPort(), "GET " + t.getKey() + " HTTP/1.1\r\nHost: crl\r\n"
                    + "Connection: close\r\n\r\n");
            String shown = t.getKey().length() > 80 ? t.getKey().substring(0, 80) + "..." : t.getKey();
            assertThat(r.status()).as(shown).isEqualTo(t.getValue());
            assertThat(r.body()).as(shown).doesNotContain("root:").doesNotContain("BEGIN").doesNotContain("Exception")
                    .doesNotContain("\tat ");
            if (t.getValue() == 404) {
                assertThat(r.body()).as(shown).isEqualTo("not found\n");
            }
        }
        // A raw NUL byte in the request line reaches the router as part of the name: no such file (and
        // the refusal's log line escapes it).
        RawResponse nul = raw(v.actualPort(), "GET /crl/server-ca\0.crl HTTP/1.1\r\nHost: crl\r\n"
                + "Connection: close\r\n\r\n");
        assertThat(nul.status()).isEqualTo(404);
        assertThat(nul.body()).isEqualTo("not found\n");
        // And the repository still serves.
        assertThat(get(v, "/crl/server-ca.crl").statusCode()).isEqualTo(200);
    }

    @Test
    @Order(7)
    void connectionsBeyondTheRepositorysCapAreClosedAtOnceAndCounted() throws Exception {
        CrlSettings settings = new CrlSettings(POLICY, LAYOUT, CrlSettings.OnRevocation.FULL, tmp.resolve("capped"));
        org.medpki.listener.ListenerLimits limits = new org.medpki.listener.ListenerLimits(Duration.ofSeconds(60),
                Duration.ofSeconds(30), Duration.ofSeconds(30), 2);
        CrlPublisherVerticle capped = new CrlPublisherVerticle(new CrlPublisherConfig("127.0.0.1", 0, BASE, settings,
                limits), publisherSide, new CrlIssuer(publisherSide.crlStore(), keys, POLICY, BASE, Clock.systemUTC()),
                hierarchy, Clock.systemUTC());
        String deployment = vertx.deployVerticle(capped).await();
        try {
            try (java.net.Socket first = new java.net.Socket("127.0.0.1", capped.actualPort());
                 java.net.Socket second = new java.net.Socket("127.0.0.1", capped.actualPort())) {
                // Both held open and answered (keep-alive): the cap is reached.
                for (java.net.Socket held : List.of(first, second)) {
                    held.setSoTimeout(30_000);
                    held.getOutputStream().write("GET /ca/root-ca.crt HTTP/1.1\r\nHost: crl\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    assertThat(new String(held.getInputStream().readNBytes(12), StandardCharsets.US_ASCII))
                            .isEqualTo("HTTP/1.1 200");
                }
                java.net.Socket third = new java.net.Socket("127.0.0.1", capped.actualPort());
                third.setSoTimeout(30_000);
                int read;
                try {
                    read = third.getInputStream().read();
                } catch (java.net.SocketException reset) {
                    read = -1;
                }
                third.close();
                assertThat(read).as("the third connection is closed without an answer").isEqualTo(-1);
            }
            // The two held connections closed: the repository answers again, and counted what it refused.
            await().atMost(WAIT).ignoreExceptions().until(() -> raw(capped.actualPort(), "GET /metrics HTTP/1.1\r\n"
                    + "Host: crl\r\nConnection: close\r\n\r\n").status() == 200);
            String metrics = raw(capped.actualPort(), "GET /metrics HTTP/1.1\r\nHost: crl\r\nConnection: close\r\n"
                    + "\r\n").body();
            java.util.regex.Matcher refused = java.util.regex.Pattern
                    .compile("(?m)^crl_connections_refused_total (\\d+)$").matcher(metrics);
            assertThat(refused.find()).as(metrics).isTrue();
            assertThat(Long.parseLong(refused.group(1))).isGreaterThanOrEqualTo(1);
        } finally {
            vertx.undeploy(deployment).await();
        }
    }

    // ---- helpers

    /** What a raw HTTP/1.1 exchange returned: status, headers (names in lower case) and body. */
    private record RawResponse(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name);
        }
    }

    /** Sends {@code request} as is (ISO-8859-1) and reads the answer until the server closes. */
    private static RawResponse raw(int port, String request) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            String text = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            String first = request.lines().findFirst().orElse("");
            assertThat(end).as("an HTTP answer to " + first.substring(0, Math.min(80, first.length()))).isPositive();
            String[] lines = text.substring(0, end).split("\r\n");
            Map<String, String> headers = new java.util.HashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
            return new RawResponse(Integer.parseInt(lines[0].split(" ")[1]), headers, text.substring(end + 4));
        }
    }

    private static CrlPublisherVerticle active() {
        await().atMost(WAIT).until(() -> publishers.stream().anyMatch(CrlPublisherVerticle::active));
        return publishers.stream().filter(CrlPublisherVerticle::active).findFirst().orElseThrow();
    }

    private static IssuedCertificate issue(String dns) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        KeyPair kp = g.generateKeyPair();
        var builder = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + dns), kp.getPublic());
        var ext = new org.bouncycastle.asn1.x509.ExtensionsGenerator();
        ext.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.dNSName, dns)));
        builder.addAttribute(org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate());
        byte[] csr = builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())).getEncoded();
        return issuance.issue(IssueCommand.of("tls-server", csr, "test"));
    }

    private static X509CRLEntry listed(byte[] der, BigInteger serial) throws Exception {
        return jdkCrl(der).getRevokedCertificate(serial);
    }

    private static List<String> uris(X509Certificate cert, org.bouncycastle.asn1.ASN1ObjectIdentifier oid) {
        byte[] v = cert.getExtensionValue(oid.getId());
        assertThat(v).as(oid.getId()).isNotNull();
        List<String> out = new ArrayList<>();
        for (var p : CRLDistPoint.getInstance(ASN1OctetString.getInstance(v).getOctets()).getDistributionPoints()) {
            for (GeneralName n : GeneralNames.getInstance(p.getDistributionPoint().getName()).getNames()) {
                out.add(n.getName().toString());
            }
        }
        return out;
    }

    private static BigInteger number(X509CRL crl, org.bouncycastle.asn1.ASN1ObjectIdentifier oid) {
        return CRLNumber.getInstance(ASN1OctetString.getInstance(crl.getExtensionValue(oid.getId())).getOctets())
                .getCRLNumber();
    }

    private static String openssl(String stem, byte[] der, String issuerName) throws Exception {
        Path crl = tmp.resolve(stem + "-check.crl");
        Files.write(crl, der);
        Path ca = tmp.resolve(issuerName + "-chain.pem");
        StringBuilder pem = new StringBuilder();
        for (String n : List.of(issuerName, "root-ca")) {
            pem.append(new ServedFile("x", "CERTIFICATE", "", hierarchy.byName(n).orElseThrow().record().certificate(),
                    "\"x\"", Instant.now(), null).pem());
        }
        Files.writeString(ca, pem);
        Process p = new ProcessBuilder("openssl", "crl", "-in", crl.toString(), "-inform", "DER", "-CAfile",
                ca.toString(), "-noout", "-verify").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out + " (exit " + p.exitValue() + ")";
    }

    private static X509CRL jdkCrl(byte[] der) throws Exception {
        return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
    }

    private static X509Certificate jdkCert(byte[] der) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    }

    private static URI uri(CrlPublisherVerticle v, String path) {
        return URI.create("http://127.0.0.1:" + v.actualPort() + path);
    }

    private static HttpResponse<byte[]> get(CrlPublisherVerticle v, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(v, path)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String require(String name) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException(name + " is not set: run these tests through ops/test "
                    + "(e.g. ops/test -pl crl-publisher -am)");
        }
        return v;
    }

    private static Path policies() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("policies/profiles"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find policies/profiles");
        }
        return p.resolve("policies/profiles");
    }

    private static String host() {
        String rest = admin.substring(admin.lastIndexOf('@') + 1);
        return rest.substring(0, rest.indexOf(':'));
    }

    private static int port() {
        String rest = admin.substring(admin.lastIndexOf('@') + 1);
        return Integer.parseInt(rest.substring(rest.indexOf(':') + 1, rest.indexOf('/')));
    }

    private static Connection jdbc(String database) throws SQLException {
        String cred = admin.substring(admin.indexOf("://") + 3, admin.lastIndexOf('@'));
        return DriverManager.getConnection("jdbc:postgresql://" + host() + ":" + port() + "/" + database,
                java.net.URLDecoder.decode(cred.substring(0, cred.indexOf(':')), StandardCharsets.UTF_8),
                java.net.URLDecoder.decode(cred.substring(cred.indexOf(':') + 1), StandardCharsets.UTF_8));
    }
}
