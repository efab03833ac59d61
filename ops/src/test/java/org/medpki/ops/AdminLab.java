package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

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

    /**
     * One 'pki up' with the admin API, shared by the admin API's end-to-end classes that take it as a
     * {@code @BeforeAll} parameter (with {@code @ExtendWith(AdminLab.Shared.Resolver.class)}): started
     * by the first of them, stopped when the test run ends, when JUnit closes its root store. Each of
     * these classes makes its own administrators, certificates and requests, and asserts on those (the
     * audit entries of its own requests, its own serials, counts taken before and after), never on
     * totals the others change.
     */
    record Shared(PkiProcess pki, PkiProcess.Started up, int port) implements AutoCloseable {
        private static Shared start() throws Exception {
            Path dir = Files.createTempDirectory("medpki-admin-lab-");
            PkiProcess pki = new PkiProcess(dir.resolve("home"), TestEnvironment.newDatabase());
            int port = AcmeLab.freePort(1);
            return new Shared(pki, AdminLab.up(pki, port), port);
        }

        @Override
        public void close() throws Exception {
            AdminLab.down(up);
            try (Stream<Path> all = Files.walk(pki.home().getParent())) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // A temporary directory left behind: nothing to fail a test for.
            }
        }

        /** Gives a class's {@code @BeforeAll} the shared installation, starting it the first time. */
        static final class Resolver implements ParameterResolver {
            private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(Shared.class);

            @Override
            public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
                return parameter.getParameter().getType() == Shared.class;
            }

            @Override
            public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
                return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Shared.class, k -> {
                    try {
                        return start();
                    } catch (Exception e) {
                        throw new IllegalStateException("the shared 'pki up' did not start", e);
                    }
                }, Shared.class);
            }
        }
    }
}
