package org.medpki.ops.cli;

import org.medpki.ops.install.SettingsFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.ops.install.DatabaseRole;
import org.medpki.ops.install.InstallationConfig;
import org.medpki.ops.install.PkiHome;
import org.medpki.ops.install.SoftHsmTokens;
import org.medpki.ops.install.TokenRole;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** 'pki service export NAME --out DIR': the PKI_HOME of a host that runs only one service. */
@Command(name = "service", description = "Files for the hosts of the split services.",
        subcommands = {ServiceCommand.Export.class})
public final class ServiceCommand implements Runnable {
    /** The services a host can run on its own. */
    public static final List<String> SERVICES = List.of("ca", "acme", "ocsp", "crl", "admin", "est", "cmp", "scep");

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "name a subcommand: export");
    }

    @Command(name = "export", description = "Write to DIR, as the PKI_HOME of a host that runs only service NAME "
            + "(ca, acme, ocsp, crl, admin, est, cmp or scep), exactly what it needs: medpki.yaml, profiles/, pki/*.pem, "
            + "services/NAME/, secrets/db-NAME.password (est, cmp and scep: db-enroll); for cmp and admin the device "
            + "code key; for ca and ocsp its token's lab PIN file and, with SoftHSM2, its token's directory (scep makes "
            + "its own enrollment token). DIR must not exist or be empty.")
    static final class Export implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME", description = "ca, acme, ocsp, crl, admin, est, cmp or scep")
        String name;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write (mode 700).")
        Path out;

        @Override
        public Integer call() {
            List<String> written = export(PkiHome.fromEnvironment(), name, out);
            System.out.println("exported service " + name + " to " + out.toAbsolutePath().normalize() + ": "
                    + String.join(", ", written));
            return 0;
        }
    }

    private static final String DIR_MODE = "rwx------";
    private static final String SECRET_MODE = "rw-------";
    private static final String FILE_MODE = "rw-r--r--";

    /** Writes the export; returns what it wrote (paths relative to DIR), never a secret's content. */
    static List<String> export(PkiHome home, String name, Path outDir) {
        if (name == null || !SERVICES.contains(name)) {
            throw new PkiException(ErrorKind.MALFORMED, "unknown service '" + name + "': name one of "
                    + String.join(", ", SERVICES));
        }
        refuseNonEmpty(outDir.toAbsolutePath().normalize());
        if (!SettingsFiles.exists(home)) {
            throw new PkiException(ErrorKind.CONFIGURATION, "no installation in " + home.dir()
                    + ": run 'pki init' on the CA host first, and export there");
        }
        // The export carries medpki.yaml: an installation from before it is migrated first.
        SettingsFiles.migrate(home).forEach(System.err::println);
        InstallationConfig config = SettingsFiles.load(home).installation();
        Path out = outDir.toAbsolutePath().normalize();
        if (out.startsWith(home.dir())) {
            throw new PkiException(ErrorKind.CONFIGURATION, "--out " + out + " is inside PKI_HOME " + home.dir()
                    + ": export to a directory outside it");
        }
        prepare(out);
        List<String> written = new ArrayList<>();
        try {
            copy(home.config(), out.resolve(SettingsFiles.FILE), FILE_MODE, written, out);
            copyTree(home.dir().resolve("profiles"), out.resolve("profiles"), FILE_MODE, written, out,
                    p -> true);
            copyTree(home.pemDir(), out.resolve("pki"), FILE_MODE, written, out,
                    p -> p.getFileName().toString().endsWith(".pem"));
            Path service = home.serviceDir(name);
            if (!Files.isRegularFile(service.resolve("key.pem")) || !Files.isRegularFile(service.resolve("chain.pem"))) {
                throw new PkiException(ErrorKind.CONFIGURATION, "no service certificate for '" + name + "' in "
                        + service + ": run 'pki init' (or 'pki up') on the CA host first");
            }
            mkdir(out.resolve("services"));
            mkdir(out.resolve("services").resolve(name));
            copy(service.resolve("chain.pem"), out.resolve("services").resolve(name).resolve("chain.pem"), FILE_MODE,
                    written, out);
            copy(service.resolve("key.pem"), out.resolve("services").resolve(name).resolve("key.pem"), SECRET_MODE,
                    written, out);
            // The enrollment front ends share the enroll login; CMP needs the code key (a MAC's secret),
            // the admin API seals the codes of the devices it registers with it. SCEP gets no token:
            // its enrollment token holds only the RA key, which 'pki serve scep' generates on its own
            // host (SoftHSM2: a token it makes there), so no key and no PIN of this host travels.
            DatabaseRole role = List.of("est", "cmp", "scep").contains(name) ? DatabaseRole.ENROLL
                    : DatabaseRole.valueOf(name.toUpperCase(Locale.ROOT));
            Path password = home.databasePassword(role);
            if (!Files.isRegularFile(password)) {
                throw new PkiException(ErrorKind.CONFIGURATION, password + " does not exist: run 'pki init' on the"
                        + " CA host first");
            }
            mkdir(out.resolve("secrets"));
            copy(password, out.resolve("secrets").resolve(password.getFileName()), SECRET_MODE, written, out);
            Path codeKey = home.secrets().resolve(DeviceCommand.CODE_KEY_FILE);
            if ("cmp".equals(name) || "admin".equals(name)) {
                DeviceCommand.codes(home, true); // made here when no device is registered yet
                copy(codeKey, out.resolve("secrets").resolve(codeKey.getFileName()), SECRET_MODE, written, out);
            }
            Optional<TokenRole> token = switch (name) {
                case "ca" -> Optional.of(TokenRole.CA);
                case "ocsp" -> Optional.of(TokenRole.OCSP);
                default -> Optional.empty();
            };
            if (token.isPresent()) {
                Path pin = token.get().labPin(home);
                if (Files.isRegularFile(pin)) {
                    copy(pin, out.resolve(pin.getFileName()), SECRET_MODE, written, out);
                }
                copySoftHsmToken(home, config.token(token.get()), out, written);
            }
        } catch (IOException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, "cannot export service " + name + " to " + out + ": "
                    + e.getClass().getSimpleName() + " " + e.getMessage());
        }
        return written;
    }

    private static void refuseNonEmpty(Path out) {
        if (!Files.exists(out)) {
            return;
        }
        if (!Files.isDirectory(out)) {
            throw new PkiException(ErrorKind.CONFLICT, "--out " + out + " exists and is not a directory");
        }
        try (Stream<Path> entries = Files.list(out)) {
            if (entries.findAny().isPresent()) {
                throw new PkiException(ErrorKind.CONFLICT, "--out " + out + " exists and is not empty");
            }
        } catch (IOException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, "cannot read --out " + out + ": "
                    + e.getClass().getSimpleName());
        }
    }

    /** DIR: created with mode 700, or an existing empty directory (set to 700); anything else is a conflict. */
    private static void prepare(Path out) {
        try {
            if (Files.exists(out)) {
                refuseNonEmpty(out);
                Files.setPosixFilePermissions(out, PosixFilePermissions.fromString(DIR_MODE));
            } else {
                Files.createDirectories(out.getParent());
                Files.createDirectory(out, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(DIR_MODE)));
                Files.setPosixFilePermissions(out, PosixFilePermissions.fromString(DIR_MODE));
            }
        } catch (IOException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, "cannot make --out " + out + ": "
                    + e.getClass().getSimpleName());
        }
    }

    /**
     * SoftHSM2's file store keeps one directory per token ({@code <tokendir>/<uuid>/token.object});
     * the token's label is in token.object, blank-padded to 32 bytes. Only the directory of this
     * role's token is copied, into DIR/tokens; softhsm2.conf is not (it names this host's token
     * directory): ops/pki and the image's entry point write one for PKI_HOME/tokens when it is
     * missing. A hardware HSM's partition is reached through its module: nothing to copy.
     */
    private static void copySoftHsmToken(PkiHome home, InstallationConfig.Token token, Path out, List<String> written)
            throws IOException {
        if (!SoftHsmTokens.isSoftHsm(token.module()) || token.softhsmConfig() == null) {
            return;
        }
        Path conf = Path.of(token.softhsmConfig());
        Optional<Path> store = SoftHsmTokens.tokenStore(conf);
        if (store.isEmpty()) {
            return;
        }
        Path found = SoftHsmTokens.tokenDirectory(store.get(), token.label())
                .orElseThrow(() -> new PkiException(ErrorKind.CONFIGURATION, "no SoftHSM2 token labelled '"
                        + token.label() + "' in " + conf));
        Path target = out.resolve("tokens");
        if (!Files.exists(target)) {
            mkdir(target);
        }
        copyTree(found, target.resolve(found.getFileName()), SECRET_MODE, written, out, p -> true);
    }

    private static void mkdir(Path dir) throws IOException {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(DIR_MODE)));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(DIR_MODE));
    }

    private static void copy(Path from, Path to, String mode, List<String> written, Path out) throws IOException {
        Files.createFile(to, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString(mode));
        written.add(out.relativize(to).toString());
    }

    /** Copies the regular files of {@code from} (recursively, when they pass {@code filter}); directories 700. */
    private static void copyTree(Path from, Path to, String mode, List<String> written, Path out,
                                 java.util.function.Predicate<Path> filter) throws IOException {
        if (!Files.isDirectory(from)) {
            return;
        }
        mkdir(to);
        try (Stream<Path> entries = Files.list(from)) {
            for (Path p : entries.sorted().toList()) {
                if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    copyTree(p, to.resolve(p.getFileName().toString()), mode, written, out, filter);
                } else if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) && filter.test(p)) {
                    copy(p, to.resolve(p.getFileName().toString()), mode, written, out);
                }
            }
        }
    }
}
