package org.medpki.ops.cli;

import org.medpki.core.keys.KeyAlgorithm;
import org.medpki.ops.install.InitOptions;
import picocli.CommandLine.Option;

/** The choices of a key ceremony, shared by 'pki init' and the first 'pki up'. */
public final class InitMixin {

    @Option(names = "--domain", defaultValue = InitOptions.DEFAULT_DOMAIN,
            description = "The organisation's internal DNS domain (default ${DEFAULT-VALUE}).")
    String domain;

    @Option(names = "--organisation", description = "Organisation name in CA subjects (default: derived from the domain).")
    String organisation;

    @Option(names = "--module", defaultValue = InitOptions.DEFAULT_MODULE, description = "PKCS#11 module (default ${DEFAULT-VALUE}).")
    String module;

    @Option(names = "--token-label", defaultValue = "medpki", description = "Token label (default ${DEFAULT-VALUE}).")
    String tokenLabel;

    @Option(names = "--ocsp-token-label",
            description = "Label of the OCSP signers' token, which has a PIN of its own (default: the token label + '-ocsp').")
    String ocspTokenLabel;

    @Option(names = "--root-key", defaultValue = "ec-p384", description = "Root key type (default ${DEFAULT-VALUE}).")
    String rootKey;

    @Option(names = "--issuing-key", defaultValue = "ec-p256", description = "Issuing CA key type (default ${DEFAULT-VALUE}).")
    String issuingKey;

    @Option(names = "--delegate-key", defaultValue = "ec-p256",
            description = "OCSP-signer and audit key type (default ${DEFAULT-VALUE}).")
    String delegateKey;

    @Option(names = "--http-host", defaultValue = "127.0.0.1", description = "Address the HTTP services bind (default ${DEFAULT-VALUE}).")
    String httpHost;

    @Option(names = "--http-port", defaultValue = "8080",
            description = "Port of the repository (CA certificates, CRLs); OCSP uses the next one (default ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--ca-api-host", defaultValue = "127.0.0.1",
            description = "Name or address the services use to reach the CA API, e.g. a container's service name "
                    + "(default ${DEFAULT-VALUE}); the CA binds it when it is an address, else every address.")
    String caApiHost;

    @Option(names = "--ca-api-port", description = "Port of the CA API (default: the --http-port + 364).")
    Integer caApiPort;

    public InitOptions options() {
        String org = organisation != null ? organisation : domain + " PKI";
        return new InitOptions(domain, org, module, tokenLabel, ocspTokenLabel, KeyAlgorithm.parse(rootKey),
                KeyAlgorithm.parse(issuingKey), KeyAlgorithm.parse(delegateKey), httpHost, httpPort, caApiHost,
                caApiPort != null ? caApiPort : httpPort + 364);
    }

}
