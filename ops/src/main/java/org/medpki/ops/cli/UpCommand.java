package org.medpki.ops.cli;

import io.vertx.core.Vertx;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.crl.RepositoryVerticle;
import org.medpki.ops.install.InstallationConfig;
import org.medpki.ops.install.Installer;
import org.medpki.ops.install.PkiContext;
import org.medpki.ops.install.PkiHome;
import org.medpki.ops.services.RunningServices;
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
        Vertx vertx = Vertx.vertx();
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
        Map<String, byte[]> published = new LinkedHashMap<>();
        for (CaCertificate ca : hierarchy.all()) {
            published.put(ca.name(), ca.record().certificate());
        }
        vertx.deployVerticle(new RepositoryVerticle(http.host(), http.port(), published)).await();
        String base = "http://" + ("0.0.0.0".equals(http.host()) ? "127.0.0.1" : http.host()) + ":" + http.port();
        List<RunningServices.Service> services = List.of(new RunningServices.Service("repository", base + "/ca/"));
        RunningServices.write(home, services);

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
