package org.medpki.ops.install;

import org.medpki.core.keys.KeyAlgorithm;

/**
 * Choices made at 'pki init' (and at the first 'pki up'). {@code ocspTokenLabel} null: the token
 * label with "-ocsp" appended. {@code caApiHost} is the name or address services reach the CA API
 * by ({@code caApi.host}).
 */
public record InitOptions(String domain, String organisation, String module, String tokenLabel,
                          String ocspTokenLabel, KeyAlgorithm rootKey, KeyAlgorithm issuingKey, KeyAlgorithm delegateKey,
                          String httpHost, int httpPort, String caApiHost, int caApiPort) {

    public static final String DEFAULT_DOMAIN = "hospital.test";
    public static final String DEFAULT_MODULE = "/usr/lib/softhsm/libsofthsm2.so";

    public InitOptions {
        if (!domain.matches("(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+")) {
            throw new IllegalArgumentException("--domain '" + domain + "' is not a DNS domain name such as hospital.test");
        }
        if (ocspTokenLabel == null || ocspTokenLabel.isBlank()) {
            ocspTokenLabel = tokenLabel + InstallationConfig.OCSP_LABEL_SUFFIX;
        }
        if (ocspTokenLabel.length() > 32) {
            throw new IllegalArgumentException("--ocsp-token-label '" + ocspTokenLabel + "' is longer than the 32 "
                    + "characters PKCS#11 allows (give a shorter --token-label or an --ocsp-token-label)");
        }
        if (ocspTokenLabel.equals(tokenLabel)) {
            throw new IllegalArgumentException("--ocsp-token-label must differ from --token-label: the OCSP signers' "
                    + "keys live in a token of their own");
        }
        if (httpPort < 1 || httpPort > 65534) {
            throw new IllegalArgumentException("--http-port must be between 1 and 65534");
        }
        if (caApiHost == null || !caApiHost.matches("(?i)[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?|[0-9a-f:.]+")) {
            throw new IllegalArgumentException("--ca-api-host '" + caApiHost + "' is not a host name or an IP address");
        }
        if (caApiPort < 1 || caApiPort > 65535) {
            throw new IllegalArgumentException("--ca-api-port must be between 1 and 65535");
        }
    }
}
