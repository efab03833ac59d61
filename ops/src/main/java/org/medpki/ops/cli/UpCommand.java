package org.medpki.ops.cli;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import org.medpki.acme.AcmeConfig;
import org.medpki.acme.AcmeServer;
import org.medpki.acme.InProcessAuthority;
import org.medpki.core.hierarchy.CaOcspSignerCertifier;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.core.hierarchy.HsmAuditSigner;
import org.medpki.core.hierarchy.OcspSignerRotation;
import org.medpki.crl.CrlPublisherConfig;
import org.medpki.crl.CrlPublisherVerticle;
import org.medpki.crl.CrlSettings;
import org.medpki.ocsp.OcspServer;
import org.medpki.ops.install.InstallationConfig;
import org.medpki.ops.install.Installer;
import org.medpki.ops.install.PkiContext;
import org.medpki.ops.install.PkiHome;
import org.medpki.ops.install.TokenRole;
import org.medpki.ops.services.RunningServices;
import org.medpki.ops.services.ServiceVertx;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "up", description = "Start the PKI: on first run do 'init'; then start every service in this process "
        + "(embedded PostgreSQL unless PKI_DATABASE_URL is set) and print the endpoints. Stops on Ctrl-C or SIGTERM.")
public final class UpCommand implements Callable<Integer> {

    @Mixin
    InitMixin init;

    @Override
    public Integer call() throws Exception {
        PkiHome home = PkiHome.fromEnvironment();
        Installer installer = new Installer(home, InitCommand.policiesDir());
        if (!installer.isInitialised()) {
            System.out.println("first run: initialising the PKI in " + home.dir());
            installer.initialise(init.options(), Actors.cli());
        }
        PkiContext context = PkiContext.open(home);
        // An installation made before the OCSP signers had a token of their own gets it now
        // (SoftHSM2 only; before any token is opened); the rotation below moves the signers there.
        context.ensureSoftHsmToken(TokenRole.OCSP);
        Vertx vertx = ServiceVertx.create();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            RunningServices.clear(home);
            vertx.close().await();
            context.close();
            stopped.countDown();
        }, "pki-shutdown"));

        Hierarchy hierarchy = context.hierarchy();
        context.profiles();
        InstallationConfig.Listen http = context.config().repository();
        // The repository (CA certificates) and the CRL publisher share the repository port: the
        // CDP URLs in certificates are {urls.crlBase}/{name}.crl.
        vertx.deployVerticle(new CrlPublisherVerticle(new CrlPublisherConfig(http.host(), http.port(),
                context.config().urls().crlBase(), CrlSettings.load(home.dir())), context.database(), context.keys(),
                hierarchy, context.clock())).await();
        // OCSP: first rotate the signers that are due or whose key is not in the OCSP token (checked
        // again twice a day): the new key in the OCSP token, certified in process by the CA side;
        // then the responder on the port of urls.ocsp, the URL in the certificates. The responder
        // uses the OCSP token only.
        OcspSignerRotation rotation = new OcspSignerRotation(context.ocspKeys(), context.inventory(),
                new CaOcspSignerCertifier(context.keys(), context.inventory(), context.audit(), context.clock()),
                context.clock());
        rotation.rotateDue(OcspSettings.signerMargin(), false, Actors.cli()).forEach(r ->
                System.out.println("rotated the OCSP signer of " + r.issuingCa() + ": " + r.newSigner()));
        vertx.setPeriodic(Duration.ofHours(12).toMillis(), t -> vertx.executeBlocking(() ->
                rotation.rotateDue(OcspSettings.signerMargin(), false, Actors.cli())));
        OcspServer.start(vertx, context.database(), context.ocspKeys(), OcspSettings.config(context.config()),
                context.clock());
        String base = "http://" + ("0.0.0.0".equals(http.host()) ? "127.0.0.1" : http.host()) + ":" + http.port();
        List<RunningServices.Service> services = new ArrayList<>(List.of(
                new RunningServices.Service("repository", base + "/ca/"),
                new RunningServices.Service("crl", base + "/crl/")));
        services.add(new RunningServices.Service("ocsp", context.config().urls().ocsp()));
        // ACME (RFC 8555) over HTTPS with a certificate from our server CA; settings in AcmeSettings.
        AcmeConfig acme = AcmeSettings.config(home, context.config());
        AcmeServer.start(vertx, acme, context.database().pool(), new InProcessAuthority(context.issuance(),
                context.revocation(), context.inventory(), context.profiles()), context.audit(), context.clock(),
                home.dir().resolve("acme"));
        services.add(new RunningServices.Service("acme", acme.directoryUrl()));
        RunningServices.write(home, services);
        // Sign the head of the audit chain hourly, so that an edit or a cut-off tail shows up
        // against a signature even when nobody runs 'pki audit checkpoint'.
        hierarchy.auditSigner().ifPresent(signer -> vertx.setPeriodic(Duration.ofHours(1).toMillis(),
                t -> vertx.executeBlocking(() -> context.audit().checkpoint(HsmAuditSigner.of(context.keys(), signer)))));

        System.out.println("medpki is up (home " + home.dir() + ", database " + context.databaseDescription() + ")");
        for (RunningServices.Service s : services) {
            System.out.printf("  %-12s %s%n", s.name(), s.url());
        }
        System.out.println("  root CA      " + home.pemDir().resolve(hierarchy.root().name() + ".pem"));
        System.out.println("stop with Ctrl-C");
        System.out.flush();
        stopped.await();
        return 0;
    }
}
