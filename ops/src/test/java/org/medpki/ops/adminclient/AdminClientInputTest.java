package org.medpki.ops.adminclient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.X509KeyManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import picocli.CommandLine;

/**
 * The client side of 'pki admin' without a server: option checks, how calls are encoded, exit
 * statuses, and PEM identities (plain and encrypted keys made by openssl, a key that is not the
 * certificate's).
 */
class AdminClientInputTest {
    @TempDir
    Path tmp;

    @Test
    void callsArePercentEncodedAndUnsetParametersLeftOut() {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("san", "a b&c=d");
        q.put("status", null);
        q.put("limit", "5");
        assertThat(ApiCall.get("certificates", q).target()).isEqualTo("/api/v1/certificates?san=a%20b%26c%3Dd&limit=5");
        assertThat(ApiCall.post("requests/" + ApiCall.segment("../me") + "/approve", null).target())
                .isEqualTo("/api/v1/requests/..%2Fme/approve");
        assertThat(ApiCall.get("me", Map.of()).target()).isEqualTo("/api/v1/me");
    }

    @Test
    void eachClassOfAnswerHasItsExitStatus() {
        assertThat(List.of(401, 403, 404, 409, 422, 503, 500)).extracting(AdminApiFailure::exitCodeOf)
                .containsExactly(9, 9, 4, 5, 3, 7, 1);
    }

    @Test
    void missingOrContradictoryOptionsAreNamed() throws Exception {
        Path root = selfSigned("Root").get(1);
        assertThat(refusal(Map.of())).contains("--url (or PKI_ADMIN_URL) is required");
        assertThat(refusal(Map.of(), "--url", "https://h:1/elsewhere")).contains("must be https://HOST:PORT");
        assertThat(refusal(Map.of(), "--url", "https://h:1")).contains("--cacert FILE (or PKI_ADMIN_CACERT)");
        assertThat(refusal(Map.of("PKI_ADMIN_URL", "https://h:1", "PKI_ADMIN_CACERT", root.toString())))
                .contains("no client identity");
        assertThat(refusal(Map.of(), "--url", "https://h:1", "--cacert", root.toString(), "--cert", "c.pem",
                "--token-label", "t")).contains("not both");
        assertThat(refusal(Map.of(), "--url", "https://h:1", "--cacert", root.toString(), "--token-label", "t"))
                .contains("both --pkcs11-module and --token-label");
        assertThat(refusal(Map.of(), "--url", "https://h:1", "--cacert", root.toString(), "--cert", "c.pem"))
                .contains("--cert and --key go together");
        assertThat(refusal(Map.of(), "--url", "https://h:1", "--cacert", root.toString(), "--cert", "c.pem", "--key",
                "k.pem", "--key-label", "x")).contains("--key-label");
    }

    @Test
    void aPemIdentityOpensPlainAndEncryptedKeysAndRefusesAnotherKey() throws Exception {
        List<Path> alice = selfSigned("Alice");
        X509KeyManager plain = new PemIdentity(alice.get(1), alice.get(0), Map.of()).open();
        String alias = plain.chooseClientAlias(new String[] {"EC"}, null, null);
        assertThat(plain.getPrivateKey(alias)).isNotNull();
        assertThat(plain.getCertificateChain(alias)[0].getSubjectX500Principal().getName()).isEqualTo("CN=Alice");
        assertThat(plain.chooseClientAlias(new String[] {"RSA"}, null, null)).isNull();

        Path encrypted = tmp.resolve("alice-enc.key");
        exec("openssl", "pkcs8", "-topk8", "-in", alice.get(0).toString(), "-out", encrypted.toString(), "-passout",
                "pass:correct horse");
        assertThat(new PemIdentity(alice.get(1), encrypted, Map.of(PemIdentity.PASSPHRASE_VARIABLE, "correct horse"))
                .open().getPrivateKey(alias)).isNotNull();
        assertThatThrownBy(() -> new PemIdentity(alice.get(1), encrypted,
                Map.of(PemIdentity.PASSPHRASE_VARIABLE, "battery staple")).open())
                .isInstanceOf(PkiException.class).hasMessageContaining("could not be decrypted")
                .hasMessageNotContaining("battery staple");

        List<Path> bob = selfSigned("Bob");
        assertThatThrownBy(() -> new PemIdentity(alice.get(1), bob.get(0), Map.of()).open())
                .isInstanceOf(PkiException.class).hasMessageContaining("is not the key of the certificate")
                .extracting(e -> ((PkiException) e).kind()).isEqualTo(ErrorKind.MALFORMED);
        assertThatThrownBy(() -> new PemIdentity(alice.get(0), alice.get(0), Map.of()).open())
                .hasMessageContaining("--cert " + alice.get(0));
        assertThatThrownBy(() -> new PemIdentity(alice.get(1), alice.get(1), Map.of()).open())
                .hasMessageContaining("holds no private key");
    }

    /** The one-line message of the failure 'connect' gives for these options and this environment. */
    private String refusal(Map<String, String> env, String... args) {
        Holder holder = new Holder();
        new CommandLine(holder).parseArgs(args);
        try {
            holder.options.connect(env).close();
        } catch (IllegalArgumentException | PkiException e) {
            return e.getMessage();
        }
        throw new AssertionError("no refusal for " + String.join(" ", args));
    }

    @CommandLine.Command(name = "holder")
    static final class Holder {
        @CommandLine.Mixin
        AdminApiOptions options = new AdminApiOptions();
    }

    /** [key, certificate] of a self-signed EC P-256 certificate with CN={@code name}. */
    private List<Path> selfSigned(String name) throws Exception {
        Path key = tmp.resolve(name + ".key");
        Path cert = tmp.resolve(name + ".pem");
        exec("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                key.toString(), "-subj", "/CN=" + name, "-days", "1", "-out", cert.toString());
        return List.of(key, cert);
    }

    private static void exec(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
    }
}
