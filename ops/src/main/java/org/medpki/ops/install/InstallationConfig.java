package org.medpki.ops.install;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * The installation's sections of medpki.yaml (see SettingsDocument): written by 'pki init', read
 * by every command. Secrets are never in the file: the PIN comes from PKI_TOKEN_PIN or PKI_TOKEN_PIN_FILE
 * (the OCSP token's from PKI_OCSP_TOKEN_PIN or PKI_OCSP_TOKEN_PIN_FILE), the database passwords
 * from PKI_HOME/secrets (the superuser's, used by 'pki init' only, from PKI_DATABASE_URL or the url
 * here). {@code ocspToken} is the token of the OCSP signers' keys; absent (installations made
 * before it existed) it is the CA token's module with the label {@code <token label>-ocsp}.
 */
public record InstallationConfig(
        @JsonProperty(value = "domain", required = true) String domain,
        @JsonProperty(value = "organisation", required = true) String organisation,
        @JsonProperty(value = "token", required = true) Token token,
        @JsonProperty("ocspToken") Token ocspToken,
        @JsonProperty(value = "database", required = true) Database database,
        @JsonProperty(value = "urls", required = true) Urls urls,
        @JsonProperty(value = "repository", required = true) Listen repository,
        @JsonProperty("profilesDirectory") String profilesDirectory,
        @JsonProperty("caApi") CaApi caApi) {

    public InstallationConfig {
        require(domain, "domain");
        require(organisation, "organisation");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(urls, "urls");
        Objects.requireNonNull(repository, "repository");
        if (ocspToken != null && ocspToken.label().equals(token.label()) && ocspToken.module().equals(token.module())) {
            throw new IllegalArgumentException("ocspToken.label must name a token other than token.label: the OCSP "
                    + "signers' keys and PIN are kept apart from the CA keys");
        }
    }

    /** The suffix of the OCSP token's default label. */
    public static final String OCSP_LABEL_SUFFIX = "-ocsp";

    /** The OCSP signers' token: ocspToken, or by default the CA token's module with label {@code <label>-ocsp}. */
    public Token ocspTokenOrDefault() {
        return ocspToken != null ? ocspToken
                : new Token(token.module(), token.label() + OCSP_LABEL_SUFFIX, token.softhsmConfig(), token.sessions());
    }

    /** The token of that role. */
    public Token token(TokenRole role) {
        return switch (role) {
            case OCSP -> ocspTokenOrDefault();
            // No setting of its own: the CA token's module (a partition beside the CA's on an HSM).
            case ENROLL -> new Token(token.module(), token.label() + ENROLL_LABEL_SUFFIX, token.softhsmConfig(),
                    token.sessions());
            case CA -> token;
        };
    }

    /** The suffix of the enrollment token's label. */
    public static final String ENROLL_LABEL_SUFFIX = "-enroll";

    /** The PKCS#11 token: module path, token label, and SoftHSM2's configuration when it is SoftHSM2. */
    public record Token(@JsonProperty(value = "module", required = true) String module,
                        @JsonProperty(value = "label", required = true) String label,
                        @JsonProperty("softhsmConfig") String softhsmConfig,
                        @JsonProperty("sessions") Integer sessions) {
        public Token {
            require(module, "token.module");
            require(label, "token.label");
            if (sessions != null && (sessions < 1 || sessions > 256)) {
                throw new IllegalArgumentException("token.sessions must be between 1 and 256");
            }
        }
    }

    /**
     * {@code url} null means the embedded PostgreSQL under PKI_HOME/db on {@code embeddedPort}.
     * {@code rolePrefix} names this installation's login roles ({@code <prefix>_ca}, ...; see
     * {@link DatabaseLogins}); null only in installations made before there were logins, which
     * get one at their next start.
     */
    public record Database(@JsonProperty("url") String url,
                           @JsonProperty("embeddedPort") Integer embeddedPort,
                           @JsonProperty("poolSize") Integer poolSize,
                           @JsonProperty("rolePrefix") String rolePrefix) {
        public Database {
            if (url == null && embeddedPort == null) {
                throw new IllegalArgumentException("database.embeddedPort is required when database.url is not set");
            }
            if (rolePrefix != null && DatabaseLogins.invalidPrefix(rolePrefix) != null) {
                throw new IllegalArgumentException(DatabaseLogins.invalidPrefix(rolePrefix) + ", not '" + rolePrefix + "'");
            }
        }

        public Database withRolePrefix(String prefix) {
            return new Database(url, embeddedPort, poolSize, prefix);
        }
    }

    public InstallationConfig withDatabase(Database newDatabase) {
        return new InstallationConfig(domain, organisation, token, ocspToken, newDatabase, urls, repository, profilesDirectory, caApi);
    }

    /**
     * The CA service's internal API: where it listens and the authorisation table, a row per
     * calling service (keyed on the CN of the caller's service certificate). Optional in files
     * written before the services were split: {@link #caApiOrDefault()} fills it in. {@code host}
     * is the name or address the services connect to (a container's or Kubernetes service's name
     * will do: callers authenticate the endpoint by its certificate, not by this name);
     * {@code listenHost}, optional, is the address the CA binds (see {@link #bindHost()}).
     */
    public record CaApi(@JsonProperty(value = "host", required = true) String host,
                        @JsonProperty(value = "port", required = true) int port,
                        @JsonProperty(value = "callers", required = true)
                        java.util.Map<String, org.medpki.caapi.CallerPermissions> callers,
                        @JsonProperty("listenHost")
                        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
                        String listenHost) {
        public CaApi {
            require(host, "caApi.host");
            if (listenHost != null && !isIpAddress(listenHost)) {
                throw new IllegalArgumentException("caApi.listenHost must be an IP address (such as 0.0.0.0), not '"
                        + listenHost + "'");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("caApi.port must be between 1 and 65535");
            }
            callers = callers == null ? java.util.Map.of() : java.util.Map.copyOf(callers);
        }

        /**
         * ACME issues under its profiles and revokes what it issued; the CRL publisher has CRLs
         * signed; OCSP has its signers certified; the admin API revokes what its administrators
         * approved, has the certificates of administrators it enrolls issued, has retired CA keys
         * destroyed and has issuing CAs rolled over, once its administrators approved; the device
         * enrollment front ends (est, cmp, scep) issue under the device profiles (devices.profiles)
         * and revoke what they had issued (superseded certificates, a device's own revocation);
         * SCEP also has its RA certificate issued.
         */
        public static CaApi defaults(String host, int port, java.util.List<String> acmeProfiles,
                                     java.util.List<String> deviceProfiles) {
            // Each device enrollment front end: device certificates, and revoking those it had issued.
            org.medpki.caapi.CallerPermissions deviceEnrollment =
                    new org.medpki.caapi.CallerPermissions(deviceProfiles, true, false, false, false);
            java.util.List<String> scep = new java.util.ArrayList<>(deviceProfiles);
            if (!scep.contains("scep-ra")) {
                scep.add("scep-ra");
            }
            return new CaApi(host, port, java.util.Map.of(
                    "acme", new org.medpki.caapi.CallerPermissions(acmeProfiles, true, false, false,
                            false),
                    "crl", new org.medpki.caapi.CallerPermissions(java.util.List.of(), false, true, false, false),
                    "ocsp", new org.medpki.caapi.CallerPermissions(java.util.List.of(), false, false, true, false),
                    "admin", new org.medpki.caapi.CallerPermissions(java.util.List.of("admin"), false, false, false,
                            true, true, true, true),
                    "est", deviceEnrollment, "cmp", deviceEnrollment,
                    // and its RA certificate (the key in the enrollment token), which it renews itself
                    "scep", new org.medpki.caapi.CallerPermissions(scep, true, false, false, false)), null);
        }

        /** Where the CA binds: listenHost; else host when it is an IP address; else every address (0.0.0.0). */
        public String bindHost() {
            if (listenHost != null) {
                return listenHost;
            }
            return isIpAddress(host) ? host : "0.0.0.0";
        }

        /** An IPv4 or IPv6 literal (no name look-up). */
        public static boolean isIpAddress(String value) {
            if (value == null || value.isEmpty()) {
                return false;
            }
            if (value.contains(":")) {
                return value.matches("[0-9A-Fa-f:.]+");
            }
            String[] parts = value.split("\\.", -1);
            if (parts.length != 4) {
                return false;
            }
            for (String part : parts) {
                if (!part.matches("[0-9]{1,3}") || Integer.parseInt(part) > 255) {
                    return false;
                }
            }
            return true;
        }

        public String url() {
            return "https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /** The CA API settings; for installations made before it existed, loopback on the repository port + 364. */
    public CaApi caApiOrDefault() {
        return caApi != null ? caApi : CaApi.defaults("127.0.0.1", repository.port() + 364, java.util.List.of("tls-server"),
                DeviceSettings.DEFAULT_PROFILES);
    }

    /** URLs that go into certificates (AIA and CDP): where relying parties will find OCSP and CRLs. */
    public record Urls(@JsonProperty(value = "ocsp", required = true) String ocsp,
                       @JsonProperty(value = "crlBase", required = true) String crlBase,
                       @JsonProperty(value = "caIssuersBase", required = true) String caIssuersBase) {
        public Urls {
            require(ocsp, "urls.ocsp");
            require(crlBase, "urls.crlBase");
            require(caIssuersBase, "urls.caIssuersBase");
        }
    }

    public record Listen(@JsonProperty(value = "host", required = true) String host,
                         @JsonProperty(value = "port", required = true) int port) {
        public Listen {
            require(host, "host");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be between 1 and 65535");
            }
        }
    }

    private static void require(String value, String key) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(key + " is required");
        }
    }
}
