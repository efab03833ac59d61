package org.medpki.ops.install;

import java.nio.file.Path;
import java.util.Map;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.crl.CrlSettings;

/**
 * The effective settings of an installation: medpki.yaml (or, in an installation not yet
 * migrated, config.yaml with acme.yaml and crl.yaml) with the environment's overrides applied.
 * {@code fromEnvironment} maps each overridden key ({@code acme.eabRequired}) to the variable that
 * set it, so that an error names where the bad value came from.
 */
public record Settings(SettingsDocument document, Path file, Map<String, String> fromEnvironment) {

    public Settings {
        fromEnvironment = Map.copyOf(fromEnvironment);
    }

    public InstallationConfig installation() {
        return document.installationConfig();
    }

    public AcmeSettings.File acme() {
        return document.acmeOrEmpty();
    }

    public OcspSettings.File ocsp() {
        return document.ocspOrEmpty();
    }

    public CrlSettings.Document crl() {
        return document.crlOrEmpty();
    }

    public AdminSettings.File admin() {
        return document.adminOrEmpty();
    }

    public DeviceSettings.File devices() {
        return document.devicesOrEmpty();
    }

    public NoticesSettings.File notices() {
        return document.noticesOrEmpty();
    }

    /**
     * A CONFIGURATION error for a value that the section's reader refused; the message starts with
     * the key ({@code acme.orderLifetime ...}), to which this adds where the value came from.
     */
    public PkiException invalid(IllegalArgumentException e) {
        String message = e.getMessage() == null ? "invalid setting" : e.getMessage();
        String key = message.split("[ ':]", 2)[0];
        String variable = fromEnvironment.get(key);
        return new PkiException(ErrorKind.CONFIGURATION, (variable != null ? variable : file.toString()) + ": " + message);
    }
}
