package org.medpki.acme;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.medpki.core.audit.AuditLog;
import org.medpki.listener.ListenerLimits;

/**
 * The ACME server as the services compose it ({@link AcmeServer#start}: the verticles on virtual
 * threads, TLS, every handler), over in-memory fakes of its ports, on 127.0.0.1. Names in
 * {@code hostsFile} resolve for validation; http-01 is fetched from {@code http01Port}. The
 * validator may reach loopback (acme.allowLoopback): the tests' validation targets run here.
 */
final class AcmeTestServer implements AutoCloseable {
    /**
     * The deadline of one validation in these tests: generous, since a cold JVM on a busy machine
     * can take seconds for a loopback http-01 answer (the production default is 30 s too).
     */
    static final Duration VALIDATION_TIMEOUT = Duration.ofSeconds(30);
    /** The settings' explanationURL that renewal information names for revoked certificates. */
    static final String RENEWAL_EXPLANATION = "https://pki.hospital.test/notices/revocation";
    final InMemoryAcmeRepository repository;
    final InMemoryCertificateAuthority ca = new InMemoryCertificateAuthority();
    final RecordingAuditStore auditStore = new RecordingAuditStore();
    final AcmeConfig config;
    final X509Certificate tlsCertificate;
    private final Vertx vertx;
    private final AuditLog audit;
    private final String deployment;

    AcmeTestServer(Vertx vertx, boolean eabRequired, int http01Port, Path hostsFile, int ordersPerAccountPerHour) {
        this(vertx, eabRequired, http01Port, hostsFile, ordersPerAccountPerHour,
                new InMemoryAcmeRepository(Clock.systemUTC()));
    }

    /** A server over {@code repository}: two of them over one repository are two instances of one installation. */
    AcmeTestServer(Vertx vertx, boolean eabRequired, int http01Port, Path hostsFile, int ordersPerAccountPerHour,
                   InMemoryAcmeRepository repository) {
        this(vertx, eabRequired, http01Port, hostsFile, ordersPerAccountPerHour, repository, ListenerLimits.DEFAULTS);
    }

    /** A server whose accounts may start only this many validations an hour. */
    AcmeTestServer(Vertx vertx, boolean eabRequired, int http01Port, Path hostsFile, int ordersPerAccountPerHour,
                   int validationsPerAccountPerHour) {
        this(vertx, eabRequired, http01Port, hostsFile, ordersPerAccountPerHour,
                new InMemoryAcmeRepository(Clock.systemUTC()), ListenerLimits.DEFAULTS, validationsPerAccountPerHour);
    }

    /** A server over {@code repository} whose listener has these bounds. */
    AcmeTestServer(Vertx vertx, boolean eabRequired, int http01Port, Path hostsFile, int ordersPerAccountPerHour,
                   InMemoryAcmeRepository repository, ListenerLimits listener) {
        this(vertx, eabRequired, http01Port, hostsFile, ordersPerAccountPerHour, repository, listener,
                AcmeConfig.defaults("127.0.0.1", 1, "127.0.0.1").validationsPerAccountPerHour());
    }

    AcmeTestServer(Vertx vertx, boolean eabRequired, int http01Port, Path hostsFile, int ordersPerAccountPerHour,
                   InMemoryAcmeRepository repository, ListenerLimits listener, int validationsPerAccountPerHour) {
        this(vertx, Clock.systemUTC(), repository, config(eabRequired, http01Port, null, hostsFile, List.of(),
                ordersPerAccountPerHour, listener, validationsPerAccountPerHour, VALIDATION_TIMEOUT));
    }

    /** A server whose validations end at {@code validationTimeout}: for tests of the deadline itself. */
    AcmeTestServer(Vertx vertx, int http01Port, Path hostsFile, Duration validationTimeout) {
        this(vertx, Clock.systemUTC(), new InMemoryAcmeRepository(Clock.systemUTC()), config(false, http01Port, null,
                hostsFile, List.of(), 100, ListenerLimits.DEFAULTS, 300, validationTimeout));
    }

    /**
     * A server on {@code clock} whose validator asks {@code dnsServer} and has no hosts file (CAA
     * is looked up for every name), naming itself {@code caaIdentity} in CAA and re-checking CAA at
     * finalize for authorizations validated {@code caaRecheckAfter} ago.
     */
    AcmeTestServer(Vertx vertx, Clock clock, InetSocketAddress dnsServer, String caaIdentity,
                   Duration caaRecheckAfter) {
        this(vertx, clock, new InMemoryAcmeRepository(clock), config(false, 80, dnsServer, null, List.of(caaIdentity),
                100, ListenerLimits.DEFAULTS, 300, VALIDATION_TIMEOUT).withCaaRecheckAfter(caaRecheckAfter));
    }

    private static AcmeConfig config(boolean eabRequired, int http01Port, InetSocketAddress dnsServer, Path hostsFile,
                                     List<String> caaIdentities, int ordersPerAccountPerHour, ListenerLimits listener,
                                     int validationsPerAccountPerHour, Duration validationTimeout) {
        AcmeConfig d = AcmeConfig.defaults("127.0.0.1", freePort(), "127.0.0.1");
        return new AcmeConfig(d.listenHost(), d.port(), d.publicHost(), d.profile(), http01Port, d.tlsAlpn01Port(),
                dnsServer, hostsFile, eabRequired, d.deniedRanges(), caaIdentities, null, null,
                d.orderLifetime(), d.authorizationLifetime(), d.authorizationReuse(), validationTimeout,
                d.maxPayloadBytes(), ordersPerAccountPerHour, d.ordersPerNamePerHour(), ordersPerAccountPerHour,
                d.eabOrdersPerNamePerHour(), d.maxConcurrentValidations(), validationsPerAccountPerHour, true,
                d.purgeAfter(), d.ownPorts(), listener).withRenewalExplanation(RENEWAL_EXPLANATION);
    }

    private AcmeTestServer(Vertx vertx, Clock clock, InMemoryAcmeRepository repository, AcmeConfig config) {
        this.vertx = vertx;
        this.repository = repository;
        this.config = config;
        audit = new AuditLog(auditStore, clock);
        try {
            KeyPair key = InMemoryCertificateAuthority.ecKey();
            X500Name name = new X500Name("CN=127.0.0.1");
            Instant now = Instant.now();   // the TLS client checks the certificate on the real clock
            X509CertificateHolder holder = new JcaX509v3CertificateBuilder(name, BigInteger.TWO,
                    Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(1))), name,
                    key.getPublic())
                    .addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")))
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()));
            tlsCertificate = new JcaX509CertificateConverter().getCertificate(holder);
            ServerCertificate certificate = new ServerCertificate(pem("PRIVATE KEY", key.getPrivate().getEncoded()),
                    pem("CERTIFICATE", holder.getEncoded()));
            deployment = AcmeServer.start(vertx, config, repository, ca, audit, clock, certificate);
        } catch (Exception e) {
            audit.close();
            throw new IllegalStateException("cannot start the ACME test server", e);
        }
    }

    AcmeTestClient client() {
        return new AcmeTestClient(config.baseUrl(), tlsCertificate);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** A port free now (the config needs it before the server listens: the URLs carry it). */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            vertx.undeploy(deployment).await();
        } finally {
            audit.close();
        }
    }
}
