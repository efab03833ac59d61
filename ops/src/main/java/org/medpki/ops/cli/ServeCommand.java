package org.medpki.ops.cli;

import org.medpki.admin.AdminApiConfig;
import org.medpki.admin.AdminApiServer;
import org.medpki.admin.InventoryQueries;
import org.medpki.admin.AdminDesk;
import org.medpki.admin.AdminMetrics;
import org.medpki.admin.AdminRegistry;
import org.medpki.admin.AdminRequests;
import org.medpki.admin.Approvals;
import org.medpki.core.keys.SigningKeys;
import org.medpki.core.retirement.KeyRetirementService;
import org.medpki.inventory.pg.PgKeyDestructions;
import org.medpki.admin.CaRevocationDesk;
import org.medpki.admin.CaRolloverDesk;
import org.medpki.inventory.pg.PgCaRollovers;
import org.medpki.admin.DeviceDesk;
import org.medpki.admin.OwnerDesk;
import org.medpki.admin.Owners;
import org.medpki.admin.RevocationDesk;
import org.medpki.admin.notice.ExpiryNoticeConfig;
import org.medpki.admin.notice.ExpiryNoticeSchedule;
import org.medpki.admin.notice.ExpiryNotices;
import org.medpki.inventory.pg.PgExpiryNotices;
import org.medpki.inventory.pg.PgAdminRegistry;
import org.medpki.inventory.pg.PgAdminRequests;
import org.medpki.inventory.pg.PgOwners;
import org.medpki.inventory.pg.PgOcspRepository;
import org.medpki.ops.install.AdminSettings;
import org.medpki.ops.install.NoticesSettings;
import org.medpki.inventory.pg.PgAcmeRepository;
import org.medpki.ops.install.SettingsFiles;
import org.medpki.ops.install.OcspSettings;
import org.medpki.ops.install.AcmeSettings;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.medpki.acme.AcmeConfig;
import org.medpki.acme.AcmeServer;
import org.medpki.acme.RemoteAuthority;
import org.medpki.caapi.CaApiClient;
import org.medpki.caapi.CaApiOperations;
import org.medpki.caapi.CaApiServer;
import org.medpki.caapi.CallerAuthenticator;
import org.medpki.caapi.RemoteCrlSigning;
import org.medpki.caapi.RemoteOcspSignerCertifier;
import org.medpki.core.crl.CrlIssuer;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.hierarchy.CaOcspSignerCertifier;
import org.medpki.core.hierarchy.OcspSignerRotation;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.core.hierarchy.HsmAuditSigner;
import org.medpki.core.store.ExclusiveLock;
import org.medpki.crl.CrlPublisherConfig;
import org.medpki.crl.CrlPublisherVerticle;
import org.medpki.crl.CrlSettings;
import org.medpki.inventory.pg.InventoryDatabase;
import org.medpki.ocsp.OcspConfig;
import org.medpki.ocsp.OcspResponder;
import org.medpki.ocsp.OcspServer;
import org.medpki.ops.install.DatabaseRole;
import org.medpki.ops.install.DeviceSettings;
import org.medpki.device.DeviceEnrollmentService;
import org.medpki.device.EnrollmentMetrics;
import org.medpki.device.RemoteDeviceCa;
import org.medpki.inventory.pg.PgDeviceRegistry;
import org.medpki.ops.install.InstallationConfig;
import org.medpki.ops.install.PkiContext;
import org.medpki.ops.install.PkiHome;
import org.medpki.ops.install.ServiceCredentials;
import org.medpki.ops.install.ServiceListeners;
import org.medpki.ops.services.RunningServices;
import org.medpki.ops.services.ServiceVertx;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * 'pki serve ca|acme|ocsp|crl|admin|est|cmp|scep': exactly one service in this process, with its own database login
 * and, for the CA only, the token PIN. Each registers its endpoints for 'pki status' while it
 * runs and stops cleanly on SIGTERM.
 */
@Command(name = "serve", description = "Run one service in this process: ca, acme, ocsp, crl, admin, est, cmp or scep.",
        subcommands = {ServeCommand.Ca.class, ServeCommand.Acme.class, ServeCommand.Ocsp.class, ServeCommand.Crl.class,
                ServeCommand.Admin.class, ServeCommand.Est.class, ServeCommand.Cmp.class, ServeCommand.Scep.class})
public final class ServeCommand implements Runnable {

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                "name a service: ca, acme, ocsp, crl, admin, est, cmp or scep");
    }

    /** Options every service takes. */
    static final class Instance {
        @Option(names = "--port", description = "listen on this port instead of the configured one (a second instance)")
        Integer port;

        @Option(names = "--instance", description = "this instance's name in 'pki status' (default: its port)")
        String instance;
    }

    /** What a started service serves, for 'pki status': its port (the default instance name) and endpoints. */
    record Started(int port, List<RunningServices.Service> endpoints) {
        Started(int port, RunningServices.Service... endpoints) {
            this(port, List.of(endpoints));
        }
    }

    /** Starts one service in {@code vertx}; blocking. */
    interface Starter {
        Started start(PkiContext context, Vertx vertx, Integer port) throws Exception;
    }

    /** The one shape of a service process: context, Vert.x, start, register, wait for SIGTERM, close. */
    static int serve(String name, DatabaseRole role, Instance instance, Starter starter) throws Exception {
        PkiHome home = PkiHome.fromEnvironment();
        if (!SettingsFiles.exists(home)) {
            throw new PkiException(ErrorKind.CONFIGURATION, "no installation in " + home.dir()
                    + ": run 'pki init' on the CA host first");
        }
        PkiContext context = PkiContext.open(home, role);
        Vertx vertx = ServiceVertx.create();
        CountDownLatch stopped = new CountDownLatch(1);
        Path[] registration = new Path[1];
        Thread hook = new Thread(() -> {
            if (registration[0] != null) {
                RunningServices.clear(registration[0]);
            }
            try {
                vertx.close().await();
            } finally {
                context.close();
                stopped.countDown();
            }
        }, "pki-" + name + "-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        Started started;
        try {
            started = starter.start(context, vertx, instance.port);
        } catch (Exception | Error e) {
            Runtime.getRuntime().removeShutdownHook(hook);
            vertx.close().await();
            context.close();
            throw e;
        }
        watchSupervisor();
        String id = instance.instance != null ? instance.instance : Integer.toString(started.port());
        registration[0] = RunningServices.register(home, name, id, started.endpoints());
        for (RunningServices.Service s : started.endpoints()) {
            System.out.printf("medpki %s (%s) serving %s%n", s.name(), id, s.url());
        }
        System.out.flush();
        stopped.await();
        return 0;
    }

    /** Started by 'pki up': stop (cleanly, through the shutdown hook) when 'pki up' is gone. */
    private static void watchSupervisor() {
        String pid = System.getenv(UpCommand.SUPERVISOR_PID);
        if (pid == null || !pid.matches("[0-9]+")) {
            return;
        }
        Thread.ofPlatform().daemon().name("pki-supervisor-watch").start(() -> {
            while (ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false)) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
            System.exit(0);
        });
    }

    /** This service's client for the CA API; warns, in one line, when the CA does not answer yet. */
    static CaApiClient caClient(PkiContext context, Vertx vertx, String service) {
        ServiceCredentials credentials = new ServiceCredentials(context.home());
        ServiceCredentials.Credential own = credentials.read(service);
        InstallationConfig.CaApi api = context.config().caApiOrDefault();
        String rootPem;
        try {
            rootPem = Files.readString(context.home().pemDir().resolve("root-ca.pem"));
        } catch (java.io.IOException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, "cannot read the root CA certificate in "
                    + context.home().pemDir() + ": " + e.getMessage());
        }
        // The CA endpoint is recognised as the holder of the service certificate CN "ca" issued by
        // a generation of the CA that issues the service profile (see CaApiClient), whatever name reaches it.
        CaApiClient client = new CaApiClient(vertx, api.url(), own.keyPem(), own.chainPem(), rootPem,
                context.callerIssuers(ServiceCredentials.PROFILE), Duration.ofSeconds(30));
        client.unavailable().ifPresentOrElse(
                why -> System.err.println("pki serve " + service + ": " + why + "; serving anyway, calls to the CA"
                        + " fail until it answers"),
                () -> {
                    if (credentials.renewIfDue(service, context.clock(), client::renewServiceCertificate,
                            context.config().organisation())) {
                        System.err.println("pki serve " + service + ": renewed its service certificate (used from"
                                + " the next start)");
                    }
                });
        return client;
    }


    @Command(name = "ca", description = "The CA service: the only process that logs in to the CA token; serves the "
            + "internal CA API over mutual TLS.")
    static final class Ca implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Instance instance = new Instance();

        @Override
        public Integer call() throws Exception {
            return serve("ca", DatabaseRole.CA, instance, ServeCommand::startCa);
        }
    }

    static Started startCa(PkiContext context, Vertx vertx, Integer port) {
        Hierarchy hierarchy = context.hierarchy();
        context.keys(); // log in now: a refused PIN stops the service at start, not at the first call
        InstallationConfig.CaApi api = context.config().caApi() != null ? context.config().caApi()
                // made before the CA API: ACME may issue under the profiles of the acme section on this host
                : InstallationConfig.CaApi.defaults("127.0.0.1", context.config().repository().port() + 364,
                        AcmeSettings.config(context.settings()).profiles(), DeviceSettings.profiles(context.settings()));
        ServiceCredentials credentials = new ServiceCredentials(context.home());
        // Only its own endpoint's: the callers' certificates live on their hosts and renew through the API.
        credentials.issueMissing(context, "service:ca", ServiceNames.of(context), List.of(ServiceCredentials.CA));
        CrlSettings crl = context.crlSettings();
        CrlIssuer crls = new CrlIssuer(context.database().crlStore(), context.keys(), crl.policy(),
                context.config().urls().crlBase(), context.clock());
        CaApiOperations operations = new CaApiOperations(api.callers(), new CaApiOperations.Services(
                context.issuance(), context.revocation(), crls, crl.distributions(),
                new CaOcspSignerCertifier(context.keys(), context.inventory(), context.audit(), context.clock()),
                new org.medpki.core.revocation.CaRevocationService(context.inventory(), context.audit(), context.clock(),
                        crls), context.caRollover()), context.activeIssuers(),
                context.inventory(), ServiceCredentials.PROFILE, retirement(context, context.keys(), null, crls, crl));
        ServiceCredentials.Credential own = credentials.read(ServiceCredentials.CA);
        CaApiServer server = new CaApiServer(operations, new CallerAuthenticator(
                context.callerIssuers(ServiceCredentials.PROFILE), ServiceCredentials.PROFILE, context.inventory(),
                context.clock()), context.audit(), context.clock(),
                new CaApiServer.TlsIdentity(own.keyPem(), own.chainPem()), api.bindHost(),
                port != null ? port : api.port(), () -> context.database().reachable());
        vertx.deployVerticle(server).await();
        // Sign the head of the audit chain hourly (the audit key is in the CA token), so that an
        // edit or a cut-off tail shows up against a signature even when nobody runs 'pki audit checkpoint'.
        hierarchy.auditSigner().ifPresent(signer -> vertx.setPeriodic(Duration.ofHours(1).toMillis(),
                t -> vertx.executeBlocking(() -> context.audit().checkpoint(HsmAuditSigner.of(context.keys(), signer)))));
        return new Started(server.actualPort(), new RunningServices.Service("ca",
                "https://" + api.host() + ":" + server.actualPort() + "/ca-api/v1/"));
    }

    /**
     * Key retirement where the keys are: the CA token's (and on the CA host the OCSP token's), the
     * final CRLs signed by {@code crls} for every scope of the CA's distribution.
     */
    static KeyRetirementService retirement(PkiContext context, SigningKeys caKeys, SigningKeys ocspKeys, CrlIssuer crls,
                                           CrlSettings settings) {
        return new KeyRetirementService(context.inventory(), PgKeyDestructions.over(context.database()), context.audit(),
                context.clock(), caKeys, ocspKeys,
                crls == null ? null
                        : (ca, nextUpdate) -> crls.publishFinal(ca, settings.distributions().of(ca.name()), nextUpdate));
    }

    @Command(name = "acme", description = "The ACME server (RFC 8555); issues and revokes through the CA API. "
            + "Holds no PKCS#11 module and no PIN.")
    static final class Acme implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Instance instance = new Instance();

        @Override
        public Integer call() throws Exception {
            return serve("acme", DatabaseRole.ACME, instance, ServeCommand::startAcme);
        }
    }

    static Started startAcme(PkiContext context, Vertx vertx, Integer port) {
        CaApiClient ca = caClient(context, vertx, "acme");
        AcmeConfig config = AcmeSettings.config(context.settings());
        if (port != null) {
            config = config.withPort(port);
        }
        // TLS with the ACME service's own certificate, which must name the public host.
        ServiceCredentials.Credential own = endpointCredential(context, "acme", config.publicHost());
        AcmeServer.start(vertx, config, PgAcmeRepository.over(context.database()), new RemoteAuthority(ca, context.inventory(),
                context.profiles(), PgCaRollovers.over(context.database())), context.audit(), context.clock(),
                new org.medpki.acme.ServerCertificate(own.keyPem(), own.chainPem()));
        return new Started(config.port(), new RunningServices.Service("acme", config.directoryUrl()));
    }

    @Command(name = "ocsp", description = "The OCSP responder (RFC 6960/5019); signs with its delegated signers' keys.")
    static final class Ocsp implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Instance instance = new Instance();

        @Override
        public Integer call() throws Exception {
            return serve("ocsp", DatabaseRole.OCSP, instance, ServeCommand::startOcsp);
        }
    }

    static Started startOcsp(PkiContext context, Vertx vertx, Integer port) {
        OcspConfig config = OcspSettings.config(context.settings());
        if (port != null) {
            config = config.withPort(port);
        }
        // Signers due (or whose key is not in this token): a new key here, certified by the CA over
        // its API; at start, then twice a day. One instance at a time (advisory lock).
        OcspSignerRotation rotation = new OcspSignerRotation(context.ocspKeys(), context.inventory(),
                new RemoteOcspSignerCertifier(caClient(context, vertx, "ocsp")), context.clock());
        Runnable rotate = () -> {
            try (ExclusiveLock lock = context.database().advisoryLock("medpki-ocsp-rotation")) {
                if (lock.tryAcquire()) {
                    rotation.rotateDue(OcspSettings.signerMargin(context.settings()), false, "service:ocsp").forEach(r ->
                            System.out.println("rotated the OCSP signer of " + r.issuingCa() + ": " + r.newSigner()));
                }
            } catch (PkiException e) {
                System.err.println("pki serve ocsp: cannot rotate the OCSP signers now: " + e.publicDetail());
            }
        };
        rotate.run();
        vertx.setPeriodic(Duration.ofHours(12).toMillis(), t -> Thread.ofVirtual().name("ocsp-rotation").start(rotate));
        InventoryDatabase database = context.database();
        OcspResponder responder = OcspServer.responder(database.inventory(), PgOcspRepository.over(database),
                context.ocspKeys(), config, context.clock());
        OcspServer.start(vertx, responder, database.notifications());
        // A revoked signer (or issuing CA) is replaced at once, and responses are signed by the new one.
        database.notifications().subscribe(org.medpki.core.inventory.Inventory.CA_REVOCATION_CHANNEL, payload -> {
            rotate.run();
            responder.reloadSigners();
        }, () -> {
            rotate.run();
            responder.reloadSigners();
        });
        // An issuing CA rolled over: its new generation gets its signer now, and responses for it follow.
        database.notifications().subscribe(org.medpki.core.hierarchy.CaRollovers.CHANNEL, payload -> {
            rotate.run();
            responder.reloadSigners();
        }, () -> {
            rotate.run();
            responder.reloadSigners();
        });
        String url = port == null ? context.config().urls().ocsp()
                : "http://" + hostForUrl(config.host()) + ":" + port + "/ocsp";
        return new Started(config.port(), new RunningServices.Service("ocsp", url));
    }

    @Command(name = "crl", description = "The CRL publisher and repository: CRLs made and signed by the CA service, "
            + "served with the CA certificates.")
    static final class Crl implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Instance instance = new Instance();

        @Override
        public Integer call() throws Exception {
            return serve("crl", DatabaseRole.CRL, instance, ServeCommand::startCrl);
        }
    }

    static Started startCrl(PkiContext context, Vertx vertx, Integer port) {
        CaApiClient ca = caClient(context, vertx, "crl");
        InstallationConfig.Listen http = context.config().repository();
        int p = port != null ? port : http.port();
        CrlPublisherVerticle publisher = new CrlPublisherVerticle(new CrlPublisherConfig(http.host(), p,
                context.config().urls().crlBase(), context.crlSettings(),
                ServiceListeners.repository(context.settings())), context.database(),
                new RemoteCrlSigning(ca), context.hierarchy(), context.clock());
        vertx.deployVerticle(publisher).await();
        String base = "http://" + hostForUrl(http.host()) + ":" + publisher.actualPort();
        return new Started(publisher.actualPort(), new RunningServices.Service("repository", base + "/ca/"),
                new RunningServices.Service("crl", base + "/crl/"));
    }

    @Command(name = "admin", description = "The admin API for PKI administrators (HTTPS, client certificates of the "
            + "admin profile, roles checked per request).")
    static final class Admin implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Instance instance = new Instance();

        @Override
        public Integer call() throws Exception {
            return serve("admin", DatabaseRole.ADMIN, instance, ServeCommand::startAdmin);
        }
    }

    static Started startAdmin(PkiContext context, Vertx vertx, Integer port) {
        AdminApiConfig config = AdminSettings.config(context.settings());
        // Checked before anything starts: a bad notices setting stops the service, naming the key.
        Optional<ExpiryNoticeConfig> notices = NoticesSettings.config(context.settings(), System.getenv());
        if (port != null) {
            config = new AdminApiConfig(config.host(), port, config.publicHost(), config.listener());
        }
        ServiceCredentials.Credential own = endpointCredential(context, ServiceCredentials.ADMIN, config.publicHost());
        // The CA of administrators' certificates; an installation older than the admin profile has
        // none enrolled, and the API then refuses everyone (401) under the service CA.
        String adminProfile = context.profiles().names().contains(org.medpki.admin.Admin.PROFILE)
                ? org.medpki.admin.Admin.PROFILE : ServiceCredentials.PROFILE;
        org.medpki.caapi.CallerIssuers adminCas = context.callerIssuers(adminProfile);
        InventoryDatabase database = context.database();
        // Revocations go through the CA (its row in caApi.callers: revokeAny), the one writer of
        // certificate status; the admin API decides only who may ask and when it is approved.
        CaApiClient ca = caClient(context, vertx, ServiceCredentials.ADMIN);
        Owners owners = PgOwners.over(database);
        AdminRequests requests = PgAdminRequests.over(database);
        AdminRegistry registry = PgAdminRegistry.over(database);
        Approvals approvals = AdminSettings.approvals(context.settings());
        RevocationDesk desk = new RevocationDesk(database.inventory(), owners, requests, ca::revoke, context.audit(),
                context.clock(), approvals);
        // Administrators enrolled through the API get their certificates from the CA as well
        // (caApi.callers: admin may have certificates of the admin profile issued).
        AdminDesk admins = new AdminDesk(registry, requests, desk,
                (csr, requester) -> ca.issue(org.medpki.admin.Admin.PROFILE, csr, requester, null, Set.of()),
                issuer -> database.inventory().ca(issuer).orElseThrow().id(), context.audit(), context.clock(),
                approvals);
        AdminApiServer server = new AdminApiServer(config, new AdminApiServer.TlsIdentity(own.keyPem(), own.chainPem()),
                new CallerAuthenticator(adminCas, org.medpki.admin.Admin.PROFILE, database.inventory(), context.clock()),
                registry, new InventoryQueries(database.inventory(), owners, database.auditStore(),
                context.clock()).crls(database.crlStore()), desk, new OwnerDesk(owners, database.inventory(), context.audit(), context.clock()),
                admins, new CaRevocationDesk(database.inventory(), requests,
                (name, reason, actor) -> ca.revokeCa(name, reason, actor), context.audit(), context.clock(), approvals,
                desk), new CaRolloverDesk(database.inventory(), PgCaRollovers.over(database), requests,
                ca::rolloverCa, context.audit(), context.clock(), approvals, desk),
                context.audit(), context.clock(), database::reachable,
                new AdminMetrics(() -> requests.countByState(AdminMetrics.GAUGE_STATES), context.clock()));
        // Key retirement: checked here with the CA's own rules (no token), run by the CA (caApi.callers: destroyKeys).
        server.keyDestructions(new org.medpki.admin.KeyDestructionDesk(new KeyRetirementService(database.inventory(),
                PgKeyDestructions.over(database), context.audit(), context.clock(), null, null, null), requests,
                ca::destroyKey, context.audit(), context.clock(), approvals, desk));
        // The device registry: codes sealed with the enrollment services' code key (read when a device
        // is registered), certificates of decommissioned devices revoked through the CA.
        server.devices(new DeviceDesk(PgDeviceRegistry.over(database), () -> DeviceCommand.codes(context.home(), false),
                ca::revoke, context.audit(), context.clock(), DeviceSettings.codeLifetime(context.settings()),
                DeviceSettings.profile(context.settings()), DeviceCommand.profiles(context)));
        // KPIs and the expiry timeline: read-only, from the inventory and the audit log (V59's grants).
        server.kpis(new org.medpki.admin.KpiDesk(org.medpki.inventory.pg.PgKpis.over(database), context.clock()));
        // The newest compliance report 'pki report compliance' filed (V62), for auditors.
        org.medpki.inventory.pg.PgComplianceReports reports = org.medpki.inventory.pg.PgComplianceReports.over(database);
        server.complianceReports(() -> reports.newest().map(r -> new io.vertx.core.json.JsonObject().put("id", r.id())
                .put("generatedAt", r.generatedAt().toString()).put("filedAt", r.filedAt().toString())
                .put("ok", r.ok()).put("failed", r.failed()).put("report", r.report())));
        // The audit log verified for auditors as 'pki audit verify' does (V61: the checkpoints).
        java.security.PublicKey auditKey = context.hierarchy().auditSigner().map(CaCertificate::publicKey).orElse(null);
        server.auditVerification(new org.medpki.admin.AuditVerification(
                () -> new org.medpki.core.audit.AuditVerifier(database.auditStore()).verify(auditKey), context.clock()));
        vertx.deployVerticle(server).await();
        if (notices.isPresent()) {
            ExpiryNotices job = new ExpiryNotices(notices.get(), PgExpiryNotices.over(database), context.audit(),
                    context.clock(), vertx);
            vertx.deployVerticle(new ExpiryNoticeSchedule(job, context.audit(), context.clock())).await();
        }
        return new Started(server.actualPort(), new RunningServices.Service("admin", config.baseUrl(server.actualPort())));
    }

    @Command(name = "est", description = "The EST server for devices (RFC 7030, HTTPS): enrollment with a one-time "
            + "code, a manufacturer certificate or the current certificate, through the CA API.")
    static final class Est implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Instance instance = new Instance();

        @Override
        public Integer call() throws Exception {
            return serve("est", DatabaseRole.ENROLL, instance, ServeCommand::startEst);
        }
    }

    static Started startEst(PkiContext context, Vertx vertx, Integer port) {
        DeviceSettings.Endpoint at = DeviceSettings.endpoint(context.settings(), "est");
        EnrollmentMetrics metrics = new EnrollmentMetrics();
        DeviceEnrollmentService enrollment = deviceEnrollment(context, vertx, "est", metrics);
        ServiceCredentials.Credential own = endpointCredential(context, "est", at.publicHost());
        org.medpki.device.est.EstServer server = new org.medpki.device.est.EstServer(vertx,
                new org.medpki.device.OnVirtualThreads(enrollment),
                org.medpki.device.est.EstConfig.of(at.host(), port != null ? port : at.port(), own.keyPem(),
                        own.chainPem(), DeviceSettings.manufacturerCas(context.settings(), context.home()).stream()
                        .map(org.medpki.device.DeviceEnrollmentService.ManufacturerCa::certificate).distinct().toList())
                        .withListener(at.limits()));
        server.probes(new org.medpki.device.ServiceProbes(() -> context.database().reachable(), metrics::prometheus));
        int bound = server.start().await();
        return new Started(bound, new RunningServices.Service("est",
                "https://" + hostForUrl(at.publicHost()) + ":" + bound + "/.well-known/est"));
    }

    @Command(name = "cmp", description = "The lightweight CMP server for devices (RFC 9483 over HTTP, RFC 9811): ir/cr "
            + "with the one-time code as MAC secret or a manufacturer certificate, kur, rr, certConf, genm.")
    static final class Cmp implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Instance instance = new Instance();

        @Override
        public Integer call() throws Exception {
            return serve("cmp", DatabaseRole.ENROLL, instance, ServeCommand::startCmp);
        }
    }

    static Started startCmp(PkiContext context, Vertx vertx, Integer port) {
        DeviceSettings.Endpoint at = DeviceSettings.endpoint(context.settings(), "cmp");
        EnrollmentMetrics metrics = new EnrollmentMetrics();
        DeviceEnrollmentService enrollment = deviceEnrollment(context, vertx, "cmp", metrics);
        // Answers to signature-protected requests are signed with the service's own key (its
        // certificate chains to the root the devices hold).
        ServiceCredentials.Credential own = new ServiceCredentials(context.home()).read("cmp");
        org.medpki.device.cmp.CmpServer server = new org.medpki.device.cmp.CmpServer(vertx,
                new org.medpki.device.OnVirtualThreads(enrollment),
                new org.medpki.device.cmp.CmpConfig(at.host(), port != null ? port : at.port(),
                        new org.medpki.device.cmp.CmpSigner(own.certificates(), own.privateKey(), null), at.limits()));
        server.probes(new org.medpki.device.ServiceProbes(() -> context.database().reachable(), metrics::prometheus));
        int bound = server.start().await();
        return new Started(bound, new RunningServices.Service("cmp",
                "http://" + hostForUrl(at.publicHost()) + ":" + bound + "/.well-known/cmp"));
    }

    @Command(name = "scep", description = "The SCEP server for devices (RFC 8894, HTTP): PKCSReq with the one-time code "
            + "as challenge password, RenewalReq, CertPoll; the RA key is in the enrollment token.")
    static final class Scep implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Instance instance = new Instance();

        @Override
        public Integer call() throws Exception {
            return serve("scep", DatabaseRole.ENROLL, instance, ServeCommand::startScep);
        }
    }

    static Started startScep(PkiContext context, Vertx vertx, Integer port) {
        DeviceSettings.Endpoint at = DeviceSettings.endpoint(context.settings(), "scep");
        EnrollmentMetrics metrics = new EnrollmentMetrics();
        CaApiClient ca = caClient(context, vertx, "scep");
        DeviceEnrollmentService enrollment = deviceEnrollment(context, vertx, "scep", metrics, ca);
        // The RA key is generated in the enrollment token and certified by the CA (profile scep-ra).
        // With SoftHSM2 the token is made here when this host has none (a host of its own, see
        // 'pki service export scep'); a hardware HSM's enrollment partition is the operator's.
        context.ensureSoftHsmToken(org.medpki.ops.install.TokenRole.ENROLL);
        org.medpki.ops.install.ScepRaIdentity.Identity ra = org.medpki.ops.install.ScepRaIdentity.open(context,
                csr -> ca.issue(org.medpki.ops.install.ScepRaIdentity.PROFILE, csr, "ra", null, Set.of()));
        org.medpki.device.scep.ScepConfig config = new org.medpki.device.scep.ScepConfig(at.host(),
                port != null ? port : at.port(), at.limits(), ra.certificate(), ra.key(), ra.provider(),
                org.medpki.device.scep.ScepConfig.DEFAULT_MAX_BODY_BYTES,
                org.medpki.device.scep.ScepConfig.DEFAULT_TRANSACTION_TTL,
                org.medpki.device.scep.ScepConfig.DEFAULT_MAX_TRANSACTIONS,
                DeviceSettings.scepLegacyAlgorithms(context.settings()));
        org.medpki.device.scep.ScepServer server = new org.medpki.device.scep.ScepServer(vertx,
                new org.medpki.device.OnVirtualThreads(enrollment), config);
        server.probes(new org.medpki.device.ServiceProbes(() -> context.database().reachable(), metrics::prometheus));
        int bound = server.start().await();
        return new Started(bound, new RunningServices.Service("scep",
                "http://" + hostForUrl(at.publicHost()) + ":" + bound + "/scep"));
    }

    /**
     * The enrollment rules of one front end ({@code caller}: est, cmp or scep) over the device
     * registry and the CA API; superseded certificates it had issued are revoked once a minute.
     */
    static DeviceEnrollmentService deviceEnrollment(PkiContext context, Vertx vertx, String caller,
                                                    EnrollmentMetrics metrics) {
        return deviceEnrollment(context, vertx, caller, metrics, caClient(context, vertx, caller));
    }

    static DeviceEnrollmentService deviceEnrollment(PkiContext context, Vertx vertx, String caller,
                                                    EnrollmentMetrics metrics, CaApiClient ca) {
        String profile = DeviceSettings.profile(context.settings());
        String issuer = context.profiles().get(profile).issuer();
        java.util.function.Supplier<List<java.security.cert.X509Certificate>> chain = () -> List.of(
                context.activeIssuers().active(issuer, context.clock().instant()).x509(),
                context.hierarchy().root().x509());
        DeviceEnrollmentService enrollment = new DeviceEnrollmentService(PgDeviceRegistry.over(context.database()),
                new RemoteDeviceCa(ca, chain),
                "cmp".equals(caller) ? DeviceCommand.codes(context.home(), false) : null, context.audit(),
                context.clock(), new DeviceEnrollmentService.Settings(profile,
                DeviceSettings.supersedeGrace(context.settings()),
                DeviceSettings.manufacturerCas(context.settings(), context.home()), caller), metrics);
        // One indexed query a minute (device_certificate_due): a replaced certificate is revoked
        // within a minute of its grace period's end.
        vertx.setPeriodic(Duration.ofSeconds(10).toMillis(), Duration.ofMinutes(1).toMillis(),
                t -> Thread.ofVirtual().name(caller + "-supersede").start(() -> {
                    try {
                        int n = enrollment.supersedeDue(500);
                        if (n > 0) {
                            System.out.println("pki serve " + caller + ": revoked " + n + " superseded device certificate(s)");
                        }
                    } catch (PkiException e) {
                        System.err.println("pki serve " + caller + ": cannot revoke superseded device certificates now: "
                                + e.publicDetail());
                    }
                }));
        return enrollment;
    }

    /**
     * The service's own TLS credential, which must name {@code publicHost} (its setting
     * {@code service.publicHost}): a name under the domain or an IP address, as 'pki up' issued it.
     */
    private static ServiceCredentials.Credential endpointCredential(PkiContext context, String service,
                                                                    String publicHost) {
        ServiceCredentials.Credential own = new ServiceCredentials(context.home()).read(service);
        List<org.bouncycastle.asn1.x509.GeneralName> wanted = ServiceCredentials.endpointNames(publicHost,
                context.config().domain());
        if (wanted.isEmpty()) {
            throw new PkiException(ErrorKind.CONFIGURATION, service + ".publicHost " + publicHost
                    + " is neither an IP address nor a name under " + context.config().domain()
                    + ": the " + service + " service's certificate cannot name it");
        }
        if (!ServiceCredentials.sans(own.leaf()).containsAll(wanted)) {
            throw new PkiException(ErrorKind.CONFIGURATION, "the " + service + " service certificate in "
                    + context.home().serviceDir(service) + " does not name " + publicHost + " (" + service
                    + ".publicHost): run 'pki up' on the CA host to issue it again");
        }
        return own;
    }

    static String hostForUrl(String host) {
        return "0.0.0.0".equals(host) ? "127.0.0.1" : host;
    }
}
