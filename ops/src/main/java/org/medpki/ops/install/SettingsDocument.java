package org.medpki.ops.install;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;
import org.medpki.crl.CrlSettings;

/**
 * {@code PKI_HOME/medpki.yaml} as written: one section per concern, every key known (the reader
 * refuses any other, naming the file and the key). Secrets are never in it: PINs and database
 * passwords come from files under PKI_HOME/secrets or the *_FILE variables. The sections
 * {@code acme}, {@code ocsp}, {@code crl}, {@code admin}, {@code notices} and {@code devices} are optional, and so is every key in them.
 */
public record SettingsDocument(
        @JsonProperty(value = "installation", required = true) Installation installation,
        @JsonProperty(value = "token", required = true) InstallationConfig.Token token,
        @JsonProperty("ocspToken") InstallationConfig.Token ocspToken,
        @JsonProperty(value = "database", required = true) InstallationConfig.Database database,
        @JsonProperty(value = "urls", required = true) InstallationConfig.Urls urls,
        @JsonProperty(value = "repository", required = true) InstallationConfig.Listen repository,
        @JsonProperty("caApi") InstallationConfig.CaApi caApi,
        @JsonProperty("acme") AcmeSettings.File acme,
        @JsonProperty("ocsp") OcspSettings.File ocsp,
        @JsonProperty("crl") CrlSettings.Document crl,
        @JsonProperty("admin") AdminSettings.File admin,
        @JsonProperty("notices") NoticesSettings.File notices,
        @JsonProperty("devices") DeviceSettings.File devices) {

    public SettingsDocument {
        Objects.requireNonNull(installation, "installation");
    }

    /** Who the PKI is for and where its pinned profiles are. */
    public record Installation(@JsonProperty(value = "domain", required = true) String domain,
                               @JsonProperty(value = "organisation", required = true) String organisation,
                               @JsonProperty("profilesDirectory") String profilesDirectory) {
    }

    /** The sections every command reads: the installation, tokens, database, URLs and the CA API. */
    public InstallationConfig installationConfig() {
        return new InstallationConfig(installation.domain(), installation.organisation(), token, ocspToken, database,
                urls, repository, installation.profilesDirectory(), caApi);
    }

    /** This document with the installation's sections replaced by {@code config}'s; the service sections kept. */
    public static SettingsDocument of(InstallationConfig config, AcmeSettings.File acme, OcspSettings.File ocsp,
                                      CrlSettings.Document crl, AdminSettings.File admin,
                                      NoticesSettings.File notices) {
        return new SettingsDocument(new Installation(config.domain(), config.organisation(), config.profilesDirectory()),
                config.token(), config.ocspToken(), config.database(), config.urls(), config.repository(),
                config.caApi(), acme, ocsp, crl, admin, notices, null);
    }

    public AcmeSettings.File acmeOrEmpty() {
        return acme != null ? acme : AcmeSettings.File.EMPTY;
    }

    public OcspSettings.File ocspOrEmpty() {
        return ocsp != null ? ocsp : OcspSettings.File.EMPTY;
    }

    public CrlSettings.Document crlOrEmpty() {
        return crl != null ? crl : CrlSettings.Document.EMPTY;
    }

    public AdminSettings.File adminOrEmpty() {
        return admin != null ? admin : AdminSettings.File.EMPTY;
    }

    public DeviceSettings.File devicesOrEmpty() {
        return devices != null ? devices : DeviceSettings.File.EMPTY;
    }

    public NoticesSettings.File noticesOrEmpty() {
        return notices != null ? notices : NoticesSettings.File.EMPTY;
    }
}
