package org.medpki.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.ops.PkiMain;
import org.medpki.ops.install.SettingsFiles;
import org.medpki.ops.install.InstallationConfig;
import org.medpki.ops.install.PkiHome;

/**
 * 'pki service export': each service's PKI_HOME holds its own files and nothing of another
 * service's; secrets mode 600, directories 700; refusals for an unknown service and a used DIR.
 * The installation is laid out by hand as 'pki init' leaves it (SoftHSM2's store: one directory
 * per token with its label in token.object).
 */
class ServiceExportTest {
    private static final String MODULE = "/usr/lib/softhsm/libsofthsm2.so";

    @TempDir
    Path tmp;
    PkiHome home;

    @BeforeEach
    void installation() throws Exception {
        home = new PkiHome(Files.createDirectories(tmp.resolve("home")));
        String conf = home.softhsmConfig().toString();
        SettingsFiles.writeInstallation(home, new InstallationConfig("hospital.test", "hospital.test PKI",
                new InstallationConfig.Token(MODULE, "medpki", conf, null),
                new InstallationConfig.Token(MODULE, "medpki-ocsp", conf, null),
                new InstallationConfig.Database(null, 5999, 16, "medpki"),
                new InstallationConfig.Urls("http://127.0.0.1:8081/ocsp", "http://127.0.0.1:8080/crl",
                        "http://127.0.0.1:8080/ca"),
                new InstallationConfig.Listen("0.0.0.0", 8080), null,
                InstallationConfig.CaApi.defaults("ca", 8444, java.util.List.of("tls-server"), org.medpki.ops.install.DeviceSettings.DEFAULT_PROFILES)));
        Files.writeString(home.softhsmConfig(), "directories.tokendir = " + home.tokens() + "\nobjectstore.backend = file\n");
        token("aaaa-ca", "medpki");
        token("bbbb-ocsp", "medpki-ocsp");
        token("cccc-enroll", "medpki-enroll");
        write("profiles/service.yaml", "name: service\n", "rw-r--r--");
        write("pki/root-ca.pem", "ROOT\n", "rw-r--r--");
        write("pki/identity-ca.pem", "IDENTITY\n", "rw-r--r--");
        for (String s : ServiceCommand.SERVICES) {
            write("services/" + s + "/key.pem", "KEY-OF-" + s + "\n", "rw-------");
            write("services/" + s + "/chain.pem", "CHAIN-OF-" + s + "\n", "rw-r--r--");
            write("secrets/db-" + login(s) + ".password", "PASSWORD-OF-" + login(s) + "\n", "rw-------");
        }
        write("secrets/db-owner.password", "PASSWORD-OF-owner\n", "rw-------");
        write("secrets/db-auditor.password", "PASSWORD-OF-auditor\n", "rw-------");
        write("secrets/db-superuser.password", "PASSWORD-OF-superuser\n", "rw-------");
        write("token.pin", "CA-PIN\n", "rw-------");
        write("token.so-pin", "CA-SO-PIN\n", "rw-------");
        write("ocsp-token.pin", "OCSP-PIN\n", "rw-------");
        write("ocsp-token.so-pin", "OCSP-SO-PIN\n", "rw-------");
        write("enroll-token.pin", "ENROLL-PIN\n", "rw-------");
        write("crl.yaml", "fullInterval: PT6H\n", "rw-r--r--");
        write("db/PG_VERSION", "17\n", "rw-------");
    }

    /** The database login of a service: the enrollment front ends share one. */
    private static String login(String service) {
        return List.of("est", "cmp", "scep").contains(service) ? "enroll" : service;
    }

    private void token(String dir, String label) throws Exception {
        byte[] padded = String.format("%-32s", label).getBytes(StandardCharsets.US_ASCII);
        byte[] object = new byte[64 + padded.length];
        System.arraycopy(padded, 0, object, 40, padded.length);
        Path d = Files.createDirectories(home.tokens().resolve(dir));
        Files.write(d.resolve("token.object"), object);
        Files.writeString(d.resolve("generation"), "1");
    }

    private void write(String relative, String content, String mode) throws Exception {
        Path f = home.dir().resolve(relative);
        Files.createDirectories(f.getParent());
        Files.writeString(f, content);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
    }

    private static Set<String> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return new TreeSet<>(s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).toList());
        }
    }

    private static String allContent(Path dir) throws Exception {
        StringBuilder b = new StringBuilder();
        for (String f : files(dir)) {
            b.append(new String(Files.readAllBytes(dir.resolve(f)), StandardCharsets.ISO_8859_1));
        }
        return b.toString();
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void eachServiceGetsExactlyItsOwnFiles() throws Exception {
        for (String service : ServiceCommand.SERVICES) {
            Path out = tmp.resolve("export-" + service);
            ServiceCommand.export(home, service, out);
            Set<String> expected = new TreeSet<>(List.of("medpki.yaml", "profiles/service.yaml", "pki/root-ca.pem",
                    "pki/identity-ca.pem", "services/" + service + "/key.pem", "services/" + service + "/chain.pem",
                    "secrets/db-" + login(service) + ".password"));
            // The code key seals enrollment codes (the admin API registers devices) and opens them (CMP's MAC).
            if (service.equals("admin") || service.equals("cmp")) {
                expected.add("secrets/device-code.key");
            }
            switch (service) {
                case "ca" -> expected.addAll(List.of("token.pin", "tokens/aaaa-ca/token.object",
                        "tokens/aaaa-ca/generation"));
                case "ocsp" -> expected.addAll(List.of("ocsp-token.pin",
                        "tokens/bbbb-ocsp/token.object", "tokens/bbbb-ocsp/generation"));
                default -> { }
            }
            assertThat(files(out)).as(service).isEqualTo(expected);
            // crl.yaml, written beside medpki.yaml, was merged into it before the export.
            assertThat(Files.readString(out.resolve("medpki.yaml"))).contains("crl:", "fullInterval: PT6H");
            assertThat(mode(out)).isEqualTo("rwx------");
            try (Stream<Path> s = Files.walk(out)) {
                for (Path p : s.filter(Files::isDirectory).toList()) {
                    assertThat(mode(p)).as(p.toString()).isEqualTo("rwx------");
                }
            }
            assertThat(mode(out.resolve("services/" + service + "/key.pem"))).isEqualTo("rw-------");
            assertThat(mode(out.resolve("secrets/db-" + login(service) + ".password"))).isEqualTo("rw-------");
            String content = allContent(out);
            assertThat(content).contains("KEY-OF-" + service, "PASSWORD-OF-" + login(service))
                    .doesNotContain("SO-PIN", "PASSWORD-OF-owner", "PASSWORD-OF-auditor", "PASSWORD-OF-superuser");
            for (String other : ServiceCommand.SERVICES) {
                if (!other.equals(service)) {
                    assertThat(content).as(service + " export holds nothing of " + other)
                            .doesNotContain("KEY-OF-" + other);
                }
                if (!login(other).equals(login(service))) {
                    assertThat(content).doesNotContain("PASSWORD-OF-" + login(other));
                }
            }
            if (!service.equals("ca")) {
                assertThat(content).as("no CA PIN outside the CA's export").doesNotContain("CA-PIN");
                assertThat(files(out)).noneMatch(f -> f.startsWith("tokens/aaaa-ca"));
            }
            if (!service.equals("ocsp")) {
                assertThat(content).doesNotContain("OCSP-PIN");
                assertThat(files(out)).noneMatch(f -> f.startsWith("tokens/bbbb-ocsp"));
            }
            // SCEP makes its own enrollment token where it runs: this host's token and PIN stay here.
            assertThat(content).doesNotContain("ENROLL-PIN");
            assertThat(files(out)).noneMatch(f -> f.startsWith("tokens/cccc-enroll"));
            if (service.equals("ca") || service.equals("ocsp")) {
                assertThat(mode(out.resolve(service.equals("ca") ? "token.pin" : "ocsp-token.pin"))).isEqualTo("rw-------");
            }
        }
    }

    @Test
    void anEmptyExistingDirectoryIsUsed() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("empty"));
        ServiceCommand.export(home, "acme", out);
        assertThat(mode(out)).isEqualTo("rwx------");
        assertThat(out.resolve("medpki.yaml")).exists();
    }

    @Test
    void refusesAnUnknownServiceAndAUsedDirectory() throws Exception {
        assertThatThrownBy(() -> ServiceCommand.export(home, "ldap", tmp.resolve("x")))
                .isInstanceOfSatisfying(PkiException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.MALFORMED);
                    assertThat(e.publicDetail()).contains("unknown service 'ldap'");
                });
        assertThat(tmp.resolve("x")).doesNotExist();
        Path used = Files.createDirectories(tmp.resolve("used"));
        Files.writeString(used.resolve("something"), "x");
        assertThatThrownBy(() -> ServiceCommand.export(home, "acme", used))
                .isInstanceOfSatisfying(PkiException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.CONFLICT);
                    assertThat(PkiMain.exitCode(e.kind())).isEqualTo(5);
                });
        assertThat(files(used)).containsExactly("something");
        assertThat(PkiMain.execute("service", "export", "ldap", "--out", tmp.resolve("y").toString())).isEqualTo(3);
        assertThat(PkiMain.execute("service", "export", "acme", "--out", used.toString())).isEqualTo(5);
        assertThat(PkiMain.execute("service", "export", "--out", tmp.resolve("z").toString())).isEqualTo(2);
    }
}
