package org.medpki.ops;

import java.util.Set;
import org.medpki.ops.install.SettingsFiles;

/**
 * Every environment variable the product reads, in one place: the contract deployment files
 * (docker/compose.yaml, docker/kubernetes/) are checked against. DeploymentFilesTest also checks
 * that every PKI_* name in the main sources is here and every fixed one is read, so it cannot fall behind.
 */
public final class EnvironmentVariables {
    private EnvironmentVariables() {
    }

    /** The PKI_* variables that are not settings: home, secrets, logging, and what 'pki up' tells its children. */
    public static final Set<String> FIXED = Set.of(
            "PKI_HOME",
            "PKI_DATABASE_PASSWORD_FILE",
            "PKI_TOKEN_PIN",
            "PKI_TOKEN_PIN_FILE",
            "PKI_OCSP_TOKEN_PIN",
            "PKI_OCSP_TOKEN_PIN_FILE",
            "PKI_ENROLL_TOKEN_PIN",
            "PKI_ENROLL_TOKEN_PIN_FILE",
            // the expiry notices' secrets (admin service)
            "PKI_NOTICES_SMTP_PASSWORD",
            "PKI_NOTICES_SMTP_PASSWORD_FILE",
            "PKI_NOTICES_WEBHOOK_SECRET",
            "PKI_NOTICES_WEBHOOK_SECRET_FILE",
            "PKI_LOG_LEVEL",
            // read by the admin API's client commands ('pki admin me', ...) on an administrator's host
            "PKI_ADMIN_URL",
            "PKI_ADMIN_CACERT",
            "PKI_ADMIN_PIN",
            "PKI_ADMIN_KEY_PASSPHRASE",
            // set by 'pki up' for its children
            "PKI_SUPERVISOR_PID",
            // read by the token benchmark (hsm-adapter's SignBenchmark), not by a service
            "PKI_TEST_SOFTHSM_MODULE",
            "PKI_TEST_TOKEN_PIN");

    /**
     * The variables that override a setting, by SettingsFiles' one rule ({@code acme.eabRequired}:
     * PKI_ACME_EAB_REQUIRED), and the older names it still reads.
     */
    public static final Set<String> SETTINGS = settings();

    /** Every PKI_* variable the 'pki' command line, its services and its logging read. */
    public static final Set<String> PKI = union(FIXED, SETTINGS);

    /** Other variables the product reads: SoftHSM2's configuration (the module), the JVM's options. */
    public static final Set<String> OTHER = Set.of("SOFTHSM2_CONF", "JAVA_TOOL_OPTIONS");

    /** Variables whose value is a secret: never set in a deployment file; give the *_FILE variable. */
    public static final Set<String> SECRET_VALUES = Set.of("PKI_TOKEN_PIN", "PKI_OCSP_TOKEN_PIN", "PKI_ENROLL_TOKEN_PIN",
            "PKI_TEST_TOKEN_PIN", "PKI_NOTICES_SMTP_PASSWORD", "PKI_NOTICES_WEBHOOK_SECRET", "PKI_ADMIN_PIN",
            "PKI_ADMIN_KEY_PASSPHRASE");

    /** Variables naming a file that holds a secret, and the only services that may be given each. */
    public static final java.util.Map<String, Set<String>> SECRET_FILES = java.util.Map.of(
            "PKI_TOKEN_PIN_FILE", Set.of("init", "ca"),
            "PKI_OCSP_TOKEN_PIN_FILE", Set.of("init", "ocsp"),
            "PKI_ENROLL_TOKEN_PIN_FILE", Set.of("scep"),
            "PKI_DATABASE_PASSWORD_FILE", Set.of("init"),
            "PKI_NOTICES_SMTP_PASSWORD_FILE", Set.of("admin"),
            "PKI_NOTICES_WEBHOOK_SECRET_FILE", Set.of("admin"));

    private static Set<String> settings() {
        Set<String> names = new java.util.TreeSet<>(SettingsFiles.variables().values());
        names.addAll(SettingsFiles.aliases().keySet());
        return Set.copyOf(names);
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

    /** Whether the product reads {@code name}. */
    public static boolean known(String name) {
        return PKI.contains(name) || OTHER.contains(name);
    }
}
