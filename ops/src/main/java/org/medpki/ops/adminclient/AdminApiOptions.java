package org.medpki.ops.adminclient;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Where the admin API is and who calls it: the options every client command of 'pki admin' shares.
 * Secrets (the token PIN, a key's passphrase) are never options; they come from the environment
 * or the terminal.
 */
public final class AdminApiOptions {
    public static final String URL_VARIABLE = "PKI_ADMIN_URL";
    public static final String CACERT_VARIABLE = "PKI_ADMIN_CACERT";

    @Option(names = "--url", paramLabel = "URL", description = "The admin API, https://HOST:PORT (default: $"
            + URL_VARIABLE + ").")
    String url;

    @Option(names = "--cacert", paramLabel = "FILE", description = "The PKI's root certificate (PEM), which the admin "
            + "API's TLS certificate must chain to (default: $" + CACERT_VARIABLE + ").")
    Path cacert;

    @Option(names = "--cert", paramLabel = "FILE", description = "Your client certificate chain (PEM, leaf first), as "
            + "'pki admin enroll' wrote it.")
    Path cert;

    @Option(names = "--key", paramLabel = "FILE", description = "The private key of --cert (PEM; if encrypted, the "
            + "passphrase comes from $" + PemIdentity.PASSPHRASE_VARIABLE + " or the terminal).")
    Path key;

    @Option(names = "--pkcs11-module", paramLabel = "LIB", description = "Instead of --cert/--key: the PKCS#11 library "
            + "of the token that holds your key and certificate (the PIN comes from $" + TokenIdentity.PIN_VARIABLE
            + " or the terminal).")
    Path pkcs11Module;

    @Option(names = "--token-label", paramLabel = "LABEL", description = "The token's label (with --pkcs11-module).")
    String tokenLabel;

    @Option(names = "--key-label", paramLabel = "LABEL", description = "The key's label on the token, when it holds "
            + "more than one key with a certificate.")
    String keyLabel;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "Give up after this many seconds without an answer (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    /** A client for these options; every missing or contradictory option is named in one line. */
    public AdminApiClient connect(Map<String, String> env) {
        URI base = base(url != null ? url : env.get(URL_VARIABLE));
        Path anchor = cacert != null ? cacert : pathOf(env.get(CACERT_VARIABLE));
        if (anchor == null) {
            throw new IllegalArgumentException("--cacert FILE (or " + CACERT_VARIABLE + ") is required: the PKI's root "
                    + "certificate, to check the admin API's TLS certificate");
        }
        if (timeoutSeconds < 1 || timeoutSeconds > 3600) {
            throw new IllegalArgumentException("--timeout must be 1 to 3600 seconds");
        }
        return new AdminApiClient(base, anchor, identity(env), Duration.ofSeconds(timeoutSeconds));
    }

    private ClientIdentity identity(Map<String, String> env) {
        boolean files = cert != null || key != null;
        boolean token = pkcs11Module != null || tokenLabel != null;
        if (files && token) {
            throw new IllegalArgumentException("give either --cert/--key or --pkcs11-module/--token-label, not both");
        }
        if (token) {
            if (pkcs11Module == null || tokenLabel == null) {
                throw new IllegalArgumentException("a token identity needs both --pkcs11-module and --token-label");
            }
            return new TokenIdentity(pkcs11Module, tokenLabel, keyLabel, env);
        }
        if (keyLabel != null) {
            throw new IllegalArgumentException("--key-label names a key on a token: it goes with --pkcs11-module");
        }
        if (cert == null || key == null) {
            throw new IllegalArgumentException(files ? "--cert and --key go together"
                    : "no client identity: give --cert FILE --key FILE, or --pkcs11-module LIB --token-label LABEL");
        }
        return new PemIdentity(cert, key, env);
    }

    private static URI base(String given) {
        if (given == null || given.isBlank()) {
            throw new IllegalArgumentException("--url (or " + URL_VARIABLE + ") is required: the admin API, "
                    + "https://HOST:PORT");
        }
        URI uri;
        try {
            uri = new URI(given.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--url '" + given + "' is not a URL");
        }
        String path = uri.getPath() == null ? "" : uri.getPath().replaceAll("/+$", "");
        if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null || uri.getQuery() != null
                || uri.getUserInfo() != null || !(path.isEmpty() || path.equals("/api/v1"))) {
            throw new IllegalArgumentException("--url '" + given + "' must be https://HOST:PORT (the admin API "
                    + "speaks only HTTPS, under /api/v1)");
        }
        return URI.create("https://" + uri.getRawAuthority());
    }

    private static Path pathOf(String value) {
        return value == null || value.isBlank() ? null : Path.of(value);
    }
}
