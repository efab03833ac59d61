package org.medpki.ops.cli;

import org.medpki.ops.install.AcmeSettings;
import org.medpki.ops.install.DeviceSettings;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.ops.install.Installer;
import org.medpki.ops.install.PkiHome;
import org.medpki.ops.install.ServiceSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "init", description = "Key ceremony: CA keys generated in the token, root, issuing CA, "
        + "OCSP-signer and audit certificates; PEMs written to PKI_HOME/pki.")
public final class InitCommand implements Callable<Integer> {

    @Mixin
    InitMixin init;

    @Override
    public Integer call() {
        PkiHome home = PkiHome.fromEnvironment();
        Hierarchy hierarchy = new Installer(home, policiesDir()).initialise(init.options(), Actors.cli(),
                new ServiceSettings(AcmeSettings.profiles(home),
                        DeviceSettings.profilesBeforeInstallation(home), ServiceNames::of));
        System.out.println("PKI initialised in " + home.dir());
        for (CaCertificate ca : hierarchy.all()) {
            System.out.printf("  %-12s %-28s key %s  %s%n", ca.record().role().wireName(), ca.name(), ca.keyLabel(),
                    home.pemDir().resolve(ca.name() + ".pem"));
        }
        return 0;
    }

    /** policies/ of this distribution: set by ops/pki, else looked up from the working directory. */
    static Path policiesDir() {
        String prop = System.getProperty("medpki.policies");
        if (prop != null) {
            return Path.of(prop);
        }
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            if (java.nio.file.Files.isDirectory(p.resolve("policies/profiles"))) {
                return p.resolve("policies");
            }
            p = p.getParent();
        }
        return null;
    }
}
