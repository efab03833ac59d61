package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator or a script feeds the 'pki' command line, broken on purpose: CSR files that are
 * missing, garbage or PEM of another type, an unknown profile, serials that are not hex, unknown
 * revocation reasons, bad option values, and a medpki.yaml with a wrong type, an unknown key or
 * broken YAML. Each is refused with the documented exit status and one line on stderr naming what
 * is wrong, never a stack trace. Against a real installation (its own JVM, PostgreSQL, SoftHSM2).
 */
class CliBadInputTest {
    @TempDir
    static Path tmp;
    static PkiProcess pki;
    static Path goodCsr;

    @BeforeAll
    static void init() throws Exception {
        pki = new PkiProcess(tmp.resolve("home"), TestEnvironment.newDatabase());
        PkiProcess.Result init = pki.run("init", "--http-port", Integer.toString(AcmeLab.freePort(2)));
        assertThat(init.exit()).as(init.toString()).isZero();
        goodCsr = Csrs.openssl(tmp, "good", "ec:prime256v1", "/CN=cli.hospital.test",
                "DNS:cli.hospital.test");
    }

    @Test
    void csrFilesThatAreMissingGarbageOrAnotherPemAreBadRequests() throws Exception {
        Path missing = tmp.resolve("no-such.csr");
        List<Refusal> refusals = new ArrayList<>();
        refusals.add(new Refusal(3, "cannot read the CSR file " + missing, "issue", "--profile", "tls-server", "--csr",
                missing.toString()));
        refusals.add(new Refusal(3, "cannot read the CSR file " + tmp, "issue", "--profile", "tls-server", "--csr",
                tmp.toString()));

        byte[] noise = new byte[2048];
        new Random(7).nextBytes(noise);
        Path garbage = Files.write(tmp.resolve("garbage.csr"), noise);
        refusals.add(new Refusal(3, "the CSR is not valid DER/PEM", "issue", "--profile", "tls-server", "--csr",
                garbage.toString()));
        Path empty = Files.write(tmp.resolve("empty.csr"), new byte[0]);
        refusals.add(new Refusal(3, "the CSR is not valid DER/PEM: it is empty", "issue", "--profile", "tls-server",
                "--csr", empty.toString()));
        Path text = Files.writeString(tmp.resolve("text.csr"), "-----BEGIN CERTIFICATE REQUEST-----\nnot base64 at all"
                + " !!!\n-----END CERTIFICATE REQUEST-----\n");
        refusals.add(new Refusal(3, "the CSR is not valid DER/PEM", "issue", "--profile", "tls-server", "--csr",
                text.toString()));
        // PEM, but a certificate and a private key: not a request.
        refusals.add(new Refusal(3, "the PEM block is a 'CERTIFICATE', not a 'CERTIFICATE REQUEST'", "issue",
                "--profile", "tls-server", "--csr", pki.home().resolve("pki/root-ca.pem").toString()));
        refusals.add(new Refusal(3, "the PEM block is a 'PRIVATE KEY', not a 'CERTIFICATE REQUEST'", "issue",
                "--profile", "tls-server", "--csr", tmp.resolve("good.key").toString()));
        refused(refusals);
    }

    @Test
    void anUnknownProfileIsABadRequestNamingIt() throws Exception {
        refused(List.of(
                new Refusal(3, "no-such-profile", "issue", "--profile", "no-such-profile", "--csr", goodCsr.toString()),
                new Refusal(3, "../../etc/passwd", "issue", "--profile", "../../etc/passwd", "--csr",
                        goodCsr.toString()),
                new Refusal(2, "--days", "issue", "--profile", "tls-server", "--csr", goodCsr.toString(), "--days",
                        "ten")));
    }

    @Test
    void usageErrorsAreOneLineNamingWhatIsWrong() throws Exception {
        refused(List.of(new Refusal(2, "name a command (see 'pki --help')"), new Refusal(2, "frobnicate", "frobnicate"),
                new Refusal(2, "--csr", "issue", "--profile", "tls-server"),
                new Refusal(2, "--colour", "list", "--colour", "blue")));
    }

    @Test
    void serialsThatAreNotHexAreUsageErrors() throws Exception {
        List<Refusal> refusals = new ArrayList<>();
        for (String serial : new String[] {"zz", "12g4", "0x", "1f;DROP TABLE certificate", "0",
                "1".repeat(41)}) {
            refusals.add(new Refusal(2, "serial", "revoke", serial, "--reason", "superseded"));
            refusals.add(new Refusal(2, "serial", "show", serial));
        }
        refused(refusals);
    }

    @Test
    void unknownRevocationReasonsAreBadRequests() throws Exception {
        List<Refusal> refusals = new ArrayList<>();
        for (String reason : new String[] {"sometimes", "", "7", "99", "99999999999999999999", "keyCompromise!"}) {
            refusals.add(new Refusal(3, "--reason", "revoke", "1f", "--reason", reason));
        }
        refused(refusals);
        // The reason is checked before anything is looked up: a bad one never reaches the inventory.
        PkiProcess.Result missing = pki.run("revoke", "1f", "--reason", "superseded");
        assertThat(missing.exit()).as(missing.toString()).isEqualTo(4);
        oneLine(missing);
    }

    @Test
    void aBrokenSettingsFileStopsEveryCommandWithExit8NamingTheKey() throws Exception {
        Path settings = pki.home().resolve("medpki.yaml");
        String written = Files.readString(settings);
        try {
            Files.writeString(settings, written + "ocsp:\n  nonce: sometimes\n");
            refused(8, "ocsp.nonce", "list");
            Files.writeString(settings, written + "crl:\n  maxConnections: many\n");
            refused(8, "crl.maxConnections", "list");
            Files.writeString(settings, written + "crl:\n  maxConnections: 0\n");
            refused(8, "crl.maxConnections", "config", "check");
            Files.writeString(settings, written + "crl:\n  shards: [1, 2]\n");
            refused(8, "crl.shards", "list");
            Files.writeString(settings, written + "acme:\n  colour: blue\n");
            refused(8, "acme.colour", "issue", "--profile", "tls-server", "--csr", goodCsr.toString());
            Files.writeString(settings, written + "ocsp: [\n");
            refused(8, "medpki.yaml", "list");
            Files.writeString(settings, "");
            refused(8, "medpki.yaml", "list");
        } finally {
            Files.writeString(settings, written);
        }
        PkiProcess.Result ok = pki.run("config", "check");
        assertThat(ok.exit()).as(ok.toString()).isZero();
    }

    /** A command line and how it is refused: exit {@code status}, one line containing {@code names} (if given). */
    private record Refusal(int status, String names, String... args) {
    }

    /**
     * Runs each command line (processes side by side: they change nothing) and checks each is refused as
     * {@link #refused(int, String, String...)} checks it.
     */
    private static void refused(List<Refusal> refusals) throws Exception {
        List<PkiProcess.Result> results = pki.runAll(refusals.stream().map(Refusal::args).toArray(String[][]::new));
        for (int i = 0; i < refusals.size(); i++) {
            checkRefused(results.get(i), refusals.get(i).status(), refusals.get(i).names(), refusals.get(i).args());
        }
    }

    /** Runs {@code args}: exit {@code status}, one line on stderr containing {@code names} (if given). */
    private static void refused(int status, String names, String... args) throws Exception {
        checkRefused(pki.run(Map.of(), args), status, names, args);
    }

    private static void checkRefused(PkiProcess.Result r, int status, String names, String... args) {
        assertThat(r.exit()).as(String.join(" ", args) + "\n" + r).isEqualTo(status);
        String line = oneLine(r);
        assertThat(line).as(String.join(" ", args)).startsWith("pki: ");
        if (names != null) {
            assertThat(line).as(String.join(" ", args)).contains(names);
        }
        assertThat(r.out()).as("nothing on stdout").isEmpty();
    }

    private static String oneLine(PkiProcess.Result r) {
        String err = r.err().strip();
        assertThat(err).as(r.toString()).doesNotContain("\n").doesNotContain("Exception").doesNotContain("\tat ")
                .isNotEmpty();
        return err;
    }
}
