package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A real 'pki up' with its admin API on a port of its own, for the admin API's end-to-end tests. */
final class AdminLab {
    private AdminLab() {
    }

    /** Starts 'pki up' for {@code pki} with the admin API on {@code adminPort}, and waits until it is up. */
    static PkiProcess.Started up(PkiProcess pki, int adminPort) throws Exception {
        PkiProcess.Started up = pki.start(Map.of("PKI_ADMIN_PORT", Integer.toString(adminPort)), "up", "--http-port",
                Integer.toString(AcmeLab.freePort(2)));
        long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
        while (!Files.readString(up.out()).contains("medpki is up")) {
            assertThat(up.process().isAlive()).as("pki up keeps running: " + Files.readString(up.err())).isTrue();
            assertThat(System.nanoTime()).as("pki up within 150 s").isLessThan(deadline);
            Thread.sleep(200);
        }
        return up;
    }

    static void down(PkiProcess.Started up) throws InterruptedException {
        if (up != null) {
            up.process().destroy();
            up.process().waitFor(30, TimeUnit.SECONDS);
        }
    }

    static Path rootPem(PkiProcess pki) {
        return pki.home().resolve("pki/root-ca.pem");
    }
}
