package org.medpki.ops.install;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The state directory of one installation ({@code PKI_HOME}): configuration, the SoftHSM2 token
 * store, the PEMs of the hierarchy, and the embedded database. Two installations with different
 * homes live side by side.
 */
public record PkiHome(Path dir) {

    public static PkiHome fromEnvironment() {
        String env = System.getenv("PKI_HOME");
        if (env != null && !env.isBlank()) {
            return new PkiHome(Path.of(env).toAbsolutePath().normalize());
        }
        return new PkiHome(Path.of(System.getProperty("user.home"), ".medpki").toAbsolutePath());
    }

    /** The settings file, medpki.yaml (see SettingsFiles). */
    public Path config() {
        return dir.resolve(SettingsFiles.FILE);
    }

    public Path softhsmConfig() {
        return dir.resolve("softhsm2.conf");
    }

    public Path tokens() {
        return dir.resolve("tokens");
    }

    public Path pemDir() {
        return dir.resolve("pki");
    }

    public Path database() {
        return dir.resolve("db");
    }

    /** Where a generated lab PIN lives when neither PKI_TOKEN_PIN nor PKI_TOKEN_PIN_FILE is set. */
    public Path generatedPin() {
        return dir.resolve("token.pin");
    }

    /** Database passwords, one file each (directory 700, files 600); see {@link SecretFiles}. */
    public Path secrets() {
        return dir.resolve("secrets");
    }

    /** The password of {@code role}'s database login: secrets/db-&lt;role&gt;.password. */
    public Path databasePassword(DatabaseRole role) {
        return secrets().resolve("db-" + role.name().toLowerCase(Locale.ROOT) + ".password");
    }

    /** The embedded PostgreSQL's superuser password: secrets/db-superuser.password. */
    public Path databaseSuperuserPassword() {
        return secrets().resolve("db-superuser.password");
    }

    /** One file per running service process ({@code <name>-<instance>.json}), for 'pki status'. */
    public Path runningServices() {
        return dir.resolve("run").resolve("services");
    }

    /** A service's credentials for the CA API: {@code services/<name>/key.pem} (600) and {@code chain.pem}. */
    public Path serviceDir(String service) {
        return dir.resolve("services").resolve(service);
    }
}
