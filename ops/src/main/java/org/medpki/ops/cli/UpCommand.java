package org.medpki.ops.cli;

import org.medpki.ops.install.SettingsFiles;
import org.medpki.ops.install.AcmeSettings;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.ops.install.DatabaseRole;
import org.medpki.ops.install.DeviceSettings;
import org.medpki.ops.install.Installer;
import org.medpki.ops.install.PkiContext;
import org.medpki.ops.install.PkiHome;
import org.medpki.ops.install.ServiceSettings;
import org.medpki.ops.install.ServiceCredentials;
import org.medpki.ops.install.TokenRole;
import org.medpki.ops.services.RunningServices;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * 'pki up': the laptop PKI. The same services as a deployment, with the same boundaries: each
 * one is a 'pki serve' child process with its own database login, and only the CA child gets the
 * CA token's PIN. This process keeps the embedded PostgreSQL (when used), starts the CA first and
 * then the others, prints the endpoints, and stops them all on SIGTERM or when one of them exits.
 */
@Command(name = "up", description = "Start the PKI: on first run do 'init'; then start every service as a 'pki serve' "
        + "child process (embedded PostgreSQL unless PKI_DATABASE_URL is set) and print the endpoints. Stops on Ctrl-C "
        + "or SIGTERM.")
public final class UpCommand implements Callable<Integer> {
    /** Set in each child: the child stops when this process is gone. */
    public static final String SUPERVISOR_PID = "PKI_SUPERVISOR_PID";
    private static final List<String> CA_PIN = List.of("PKI_TOKEN_PIN", "PKI_TOKEN_PIN_FILE");
    private static final List<String> OCSP_PIN = List.of("PKI_OCSP_TOKEN_PIN", "PKI_OCSP_TOKEN_PIN_FILE");
    private static final List<String> ENROLL_PIN = List.of("PKI_ENROLL_TOKEN_PIN", "PKI_ENROLL_TOKEN_PIN_FILE");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    @Mixin
    InitMixin init;

    @Override
    public Integer call() throws Exception {
        PkiHome home = PkiHome.fromEnvironment();
        Installer installer = new Installer(home, InitCommand.policiesDir());
        if (!installer.isInitialised()) {
            System.out.println("first run: initialising the PKI in " + home.dir());
            installer.initialise(init.options(), Actors.cli(),
                    new ServiceSettings(AcmeSettings.profiles(home),
                        DeviceSettings.profilesBeforeInstallation(home), ServiceNames::of));
        }
        // An installation from before medpki.yaml: its config.yaml, acme.yaml and crl.yaml merged into it.
        SettingsFiles.migrate(home).forEach(System.err::println);
        // This context holds the embedded database (if any) for the children, and applies pending
        // migrations as the owner's login (this is the lab's CA host); nothing else.
        PkiContext database = PkiContext.open(home, DatabaseRole.CA);
        database.migrate();
        Hierarchy hierarchy;
        List<String> services = new ArrayList<>(List.of("ocsp", "crl", "acme", "admin"));
        try (PkiContext ca = PkiContext.open(home, DatabaseRole.CA)) {
            hierarchy = ca.hierarchy();
            prepare(ca);
            List<String> devices = DeviceSettings.protocols(ca.settings());
            if (devices.contains("scep")) {
                ca.ensureSoftHsmToken(TokenRole.ENROLL);
            }
            // The code key: the admin API seals the codes of the devices it registers with it, the
            // front ends unseal CMP secrets with it; made here when no device is registered yet.
            DeviceCommand.codes(home, true);
            services.addAll(devices);
        }
        Map<String, Process> children = new LinkedHashMap<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopAll(children);
            database.close();
            stopped.countDown();
        }, "pki-shutdown"));
        try {
            children.put("ca", start(home, "ca"));
            awaitRegistered(home, children, "ca");
            for (String s : services) {
                children.put(s, start(home, s));
            }
            for (String s : services) {
                awaitRegistered(home, children, s);
            }
        } catch (RuntimeException e) {
            stopAll(children);
            throw e;
        }
        System.out.println("medpki is up (home " + home.dir() + ", database " + database.databaseDescription() + ")");
        for (Map<String, Object> s : RunningServices.read(home)) {
            System.out.printf("  %-12s %s  (pid %s)%n", s.get("name"), s.get("url"), s.get("pid"));
        }
        System.out.println("  root CA      " + home.pemDir().resolve(hierarchy.root().name() + ".pem"));
        System.out.println("stop with Ctrl-C");
        System.out.flush();
        // One child gone means the PKI is not what it says: report which, and stop the rest.
        while (!stopped.await(1, TimeUnit.SECONDS)) {
            for (Map.Entry<String, Process> c : children.entrySet()) {
                if (!c.getValue().isAlive()) {
                    System.err.println("pki up: the " + c.getKey() + " service exited with status "
                            + c.getValue().exitValue() + "; stopping the others");
                    System.exit(1);
                }
            }
        }
        return 0;
    }

    /**
     * On the CA host, before the services start: what older installations lack (the OCSP token,
     * the service profile and certificates). OCSP signers are rotated by the OCSP service itself.
     */
    private static void prepare(PkiContext ca) throws Exception {
        // Before any token is opened: SoftHSM2 reads its token list once per process.
        ca.ensureSoftHsmToken(TokenRole.OCSP);
        java.nio.file.Path profile = ca.profilesDirectory().resolve(ServiceCredentials.PROFILE + ".yaml");
        java.nio.file.Path shipped = InitCommand.policiesDir() == null ? null
                : InitCommand.policiesDir().resolve("profiles").resolve(ServiceCredentials.PROFILE + ".yaml");
        if (!Files.exists(profile) && shipped != null && Files.exists(shipped)) {
            Files.copy(shipped, profile, StandardCopyOption.COPY_ATTRIBUTES);
            System.out.println("added the " + ServiceCredentials.PROFILE + " profile (service certificates for the CA"
                    + " API) to " + ca.profilesDirectory());
        }
        // The admin profile is not added the same way: its policy OID must be asserted by the
        // issuing CA's certificate, which an identity CA certified before the profile existed does
        // not do (see 'pki admin enroll').
        // A login added after the installation was made (the admin API's, the enrollment front ends'):
        // created with the others.
        if (!java.nio.file.Files.exists(ca.home().databasePassword(DatabaseRole.ADMIN))
                || !java.nio.file.Files.exists(ca.home().databasePassword(DatabaseRole.ENROLL))) {
            ca.createLogins();
        }
        List<String> issued = new ServiceCredentials(ca.home()).issueMissing(ca, Actors.cli(),
                ServiceNames.of(ca));
        if (!issued.isEmpty()) {
            System.out.println("issued service certificates for " + String.join(", ", issued));
        }
    }

    private static Process start(PkiHome home, String service) throws java.io.IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(org.medpki.ops.PkiMain.class.getName());
        command.add("serve");
        command.add(service);
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        Map<String, String> env = pb.environment();
        env.put("PKI_HOME", home.dir().toString());
        env.put(SUPERVISOR_PID, Long.toString(ProcessHandle.current().pid()));
        // Each PIN only to the service whose token it opens: the CA token's to the CA, the OCSP
        // token's to the OCSP responder, none to the front ends.
        if (!"ca".equals(service)) {
            CA_PIN.forEach(env::remove);
        }
        if (!"ocsp".equals(service)) {
            OCSP_PIN.forEach(env::remove);
        }
        if (!"scep".equals(service)) {
            ENROLL_PIN.forEach(env::remove);
        }
        // The notices' SMTP password and webhook secret only to the admin service, which sends them.
        if (!"admin".equals(service)) {
            org.medpki.ops.install.NoticesSettings.SECRET_VARIABLES.forEach(env::remove);
        }
        return pb.start();
    }

    private static void awaitRegistered(PkiHome home, Map<String, Process> children, String service)
            throws InterruptedException {
        Process p = children.get(service);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (RunningServices.read(home).stream().noneMatch(s -> ((Number) s.get("pid")).longValue() == p.pid())) {
            if (!p.isAlive()) {
                throw new PkiException(ErrorKind.CONFIGURATION, "the " + service + " service did not start (exit status "
                        + p.exitValue() + "; see its message above)");
            }
            if (System.nanoTime() > deadline) {
                throw new PkiException(ErrorKind.CONFIGURATION, "the " + service + " service did not start within "
                        + START_TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(100);
        }
    }

    private static void stopAll(Map<String, Process> children) {
        List<Process> running = new ArrayList<>(children.values());
        java.util.Collections.reverse(running); // front ends first, the CA last
        running.forEach(Process::destroy);
        for (Process p : running) {
            try {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        }
    }
}
