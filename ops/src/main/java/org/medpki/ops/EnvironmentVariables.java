package org.medpki.ops;

import java.util.Set;

/**
 * Every environment variable the product reads, in one place: the contract deployment files
 * (docker/compose.yaml, docker/kubernetes/) are checked against. DeploymentFilesTest also checks
 * that this list is exactly the set of PKI_* names in the main sources, so it cannot fall behind.
 */
public final class EnvironmentVariables {
    private EnvironmentVariables() {
    }

    /** The PKI_* variables read by the 'pki' command line, its services and its logging. */
    public static final Set<String> PKI = Set.of(
            "PKI_HOME",
            "PKI_DATABASE_URL",
            "PKI_DATABASE_PASSWORD_FILE",
            "PKI_TOKEN_PIN",
            "PKI_TOKEN_PIN_FILE",
            "PKI_OCSP_TOKEN_PIN",
            "PKI_OCSP_TOKEN_PIN_FILE",
            "PKI_LOG_LEVEL",
            "PKI_ACME_PORT",
            "PKI_ACME_HTTP01_PORT",
            "PKI_ACME_TLSALPN01_PORT",
            "PKI_ACME_DNS_SERVER",
            "PKI_ACME_HOSTS_FILE",
            "PKI_ACME_EAB_REQUIRED",
            "PKI_OCSP_VALIDITY",
            "PKI_OCSP_NONCE",
            "PKI_OCSP_INSTANCES",
            "PKI_OCSP_REFRESH_INTERVAL",
            "PKI_OCSP_SIGNER_MARGIN",
            // set by 'pki up' for its children
            "PKI_SUPERVISOR_PID",
            // read by the token benchmark (hsm-adapter's SignBenchmark), not by a service
            "PKI_TEST_SOFTHSM_MODULE",
            "PKI_TEST_TOKEN_PIN");

    /** Other variables the product reads: SoftHSM2's configuration (the module), the JVM's options. */
    public static final Set<String> OTHER = Set.of("SOFTHSM2_CONF", "JAVA_TOOL_OPTIONS");

    /** Variables whose value is a secret: never set in a deployment file; give the *_FILE variable. */
    public static final Set<String> SECRET_VALUES = Set.of("PKI_TOKEN_PIN", "PKI_OCSP_TOKEN_PIN",
            "PKI_TEST_TOKEN_PIN");

    /** Variables naming a file that holds a secret, and the only services that may be given each. */
    public static final java.util.Map<String, Set<String>> SECRET_FILES = java.util.Map.of(
            "PKI_TOKEN_PIN_FILE", Set.of("init", "ca"),
            "PKI_OCSP_TOKEN_PIN_FILE", Set.of("init", "ocsp"),
            "PKI_DATABASE_PASSWORD_FILE", Set.of("init"));

    /** Whether the product reads {@code name}. */
    public static boolean known(String name) {
        return PKI.contains(name) || OTHER.contains(name);
    }
}
