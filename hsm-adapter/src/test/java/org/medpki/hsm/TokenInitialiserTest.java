package org.medpki.hsm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TokenInitialiser in a process of its own, as 'pki init' runs it: the PINs come on standard
 * input, the token exists afterwards and its user PIN opens it.
 */
class TokenInitialiserTest {
    @TempDir
    Path tmp;

    private Process start(Path conf, String label, String stdin) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), TokenInitialiser.class.getName(), TestToken.module(), label)
                .redirectErrorStream(true);
        pb.environment().put("SOFTHSM2_CONF", conf.toString());
        Process p = pb.start();
        try (var in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        return p;
    }

    private Path conf() throws Exception {
        Path tokens = Files.createDirectories(tmp.resolve("tokens"));
        Path conf = tmp.resolve("softhsm2.conf");
        Files.writeString(conf, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n");
        return conf;
    }

    private static String run(Path conf, List<String> command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("SOFTHSM2_CONF", conf.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    @Test
    void theTokenIsMadeWithThePinsFromStandardInput() throws Exception {
        Path conf = conf();
        Process p = start(conf, "stdin-token", "so-secret-4711\nuser-secret-4711\n");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();

        String slots = run(conf, List.of("softhsm2-util", "--show-slots"));
        assertThat(slots).contains("stdin-token").contains("User PIN init.:   yes");
        // The user PIN logs in; a wrong one does not.
        String good = run(conf, List.of("pkcs11-tool", "--module", TestToken.module(), "--token-label", "stdin-token",
                "--login", "--pin", "user-secret-4711", "--list-objects"));
        assertThat(good).doesNotContain("CKR_PIN_INCORRECT");
        String bad = run(conf, List.of("pkcs11-tool", "--module", TestToken.module(), "--token-label", "stdin-token",
                "--login", "--pin", "wrong-4711", "--list-objects"));
        assertThat(bad).contains("CKR_PIN_INCORRECT");
    }

    @Test
    void withoutBothPinsNothingIsMadeAndNoPinIsPrinted() throws Exception {
        Path conf = conf();
        Process p = start(conf, "half-token", "so-secret-4711\n");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(1);
        assertThat(out.strip().lines()).hasSize(1);
        assertThat(out).contains("half-token").doesNotContain("so-secret-4711");
        assertThat(run(conf, List.of("softhsm2-util", "--show-slots"))).doesNotContain("half-token");
    }
}
