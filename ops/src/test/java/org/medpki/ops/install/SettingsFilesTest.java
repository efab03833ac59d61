package org.medpki.ops.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

/** medpki.yaml: strict reading, the environment's one rule, the files from before it. */
class SettingsFilesTest {
    @TempDir
    Path tmp;
    PkiHome home;

    @BeforeEach
    void installation() {
        home = new PkiHome(tmp);
        SettingsFiles.writeInstallation(home, new InstallationConfig("hospital.test", "Hospital PKI",
                new InstallationConfig.Token("/usr/lib/softhsm/libsofthsm2.so", "medpki", null, null), null,
                new InstallationConfig.Database(null, 5999, 16, "medpki"),
                new InstallationConfig.Urls("http://127.0.0.1:8081/ocsp", "http://127.0.0.1:8080/crl",
                        "http://127.0.0.1:8080/ca"),
                new InstallationConfig.Listen("127.0.0.1", 8080), null, null));
    }

    @Test
    void theVariableOfASettingIsItsSectionAndKeyInUpperSnakeCase() {
        Map<String, String> variables = SettingsFiles.variables();
        assertThat(variables).containsEntry("acme.eabRequired", "PKI_ACME_EAB_REQUIRED")
                .containsEntry("acme.http01Port", "PKI_ACME_HTTP01_PORT")
                .containsEntry("database.url", "PKI_DATABASE_URL")
                .containsEntry("ocsp.signerMargin", "PKI_OCSP_SIGNER_MARGIN")
                .containsEntry("ocsp.requestHeadTimeout", "PKI_OCSP_REQUEST_HEAD_TIMEOUT")
                .containsEntry("acme.maxConnections", "PKI_ACME_MAX_CONNECTIONS")
                .containsEntry("crl.fullInterval", "PKI_CRL_FULL_INTERVAL")
                .containsEntry("caApi.listenHost", "PKI_CA_API_LISTEN_HOST")
                .containsEntry("installation.domain", "PKI_INSTALLATION_DOMAIN")
                .doesNotContainKey("crl.shards").doesNotContainKey("acme.deniedRanges");
        assertThat(variables.values()).doesNotHaveDuplicates();
    }

    @Test
    void listenerBoundsHaveDefaultsAndComeFromTheEnvironmentAndABadOneNamesItsKey() {
        Settings defaults = SettingsFiles.load(home, Map.of());
        assertThat(AcmeSettings.config(defaults).listener()).isEqualTo(org.medpki.listener.ListenerLimits.DEFAULTS);
        assertThat(OcspSettings.config(defaults).listener()).isEqualTo(org.medpki.listener.ListenerLimits.DEFAULTS);
        Settings s = SettingsFiles.load(home, Map.of("PKI_OCSP_REQUEST_HEAD_TIMEOUT", "5s",
                "PKI_ACME_MAX_CONNECTIONS", "64", "PKI_ACME_REQUEST_BODY_TIMEOUT", "PT20S"));
        assertThat(OcspSettings.config(s).listener().headTimeout()).isEqualTo(java.time.Duration.ofSeconds(5));
        assertThat(AcmeSettings.config(s).listener().maxConnections()).isEqualTo(64);
        assertThat(AcmeSettings.config(s).listener().bodyTimeout()).isEqualTo(java.time.Duration.ofSeconds(20));
        Settings bad = SettingsFiles.load(home, Map.of("PKI_ACME_REQUEST_HEAD_TIMEOUT", "0s"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AcmeSettings.config(bad))
                .hasMessageContaining("requestHeadTimeout");
    }

    @Test
    void theRepositoryListenersBoundsAreKeysOfTheCrlSection() throws Exception {
        assertThat(ServiceListeners.repository(SettingsFiles.load(home, Map.of())))
                .isEqualTo(org.medpki.listener.ListenerLimits.DEFAULTS);
        assertThat(SettingsFiles.variables()).containsEntry("crl.maxConnections", "PKI_CRL_MAX_CONNECTIONS")
                .containsEntry("crl.requestHeadTimeout", "PKI_CRL_REQUEST_HEAD_TIMEOUT");
        Path file = home.dir().resolve(SettingsFiles.FILE);
        Files.writeString(file, Files.readString(file) + "crl:\n  maxConnections: 8\n  idleTimeout: 45s\n");
        Settings s = SettingsFiles.load(home, Map.of("PKI_CRL_REQUEST_HEAD_TIMEOUT", "3s",
                "PKI_CRL_REQUEST_BODY_TIMEOUT", "PT12S"));
        org.medpki.listener.ListenerLimits limits = ServiceListeners.repository(s);
        assertThat(limits.maxConnections()).isEqualTo(8);
        assertThat(limits.idleTimeout()).isEqualTo(java.time.Duration.ofSeconds(45));
        assertThat(limits.headTimeout()).isEqualTo(java.time.Duration.ofSeconds(3));
        assertThat(limits.bodyTimeout()).isEqualTo(java.time.Duration.ofSeconds(12));
        Settings tooLong = SettingsFiles.load(home, Map.of("PKI_CRL_IDLE_TIMEOUT", "2h"));
        assertThatThrownBy(() -> ServiceListeners.repository(tooLong)).isInstanceOf(PkiException.class)
                .hasMessageStartingWith("PKI_CRL_IDLE_TIMEOUT: crl.idleTimeout must be between 1 second and 1 hour")
                .satisfies(e -> assertThat(((PkiException) e).kind()).isEqualTo(ErrorKind.CONFIGURATION));
        Settings noConnections = SettingsFiles.load(home, Map.of("PKI_CRL_MAX_CONNECTIONS", "0"));
        assertThatThrownBy(() -> ServiceListeners.repository(noConnections))
                .hasMessageContaining("crl.maxConnections must be between 1 and 1000000");
    }

    @Test
    void theEnvironmentOverridesTheFileAndSaysSo() {
        Settings s = SettingsFiles.load(home, Map.of("PKI_ACME_EAB_REQUIRED", "true", "PKI_OCSP_VALIDITY", "12h",
                "PKI_ACME_TLSALPN01_PORT", "5443", "PKI_REPOSITORY_PORT", "9090"));
        assertThat(s.acme().eabRequired()).isTrue();
        assertThat(s.acme().tlsAlpn01Port()).isEqualTo(5443);
        assertThat(OcspSettings.config(s).validity()).hasHours(12);
        assertThat(s.installation().repository().port()).isEqualTo(9090);
        assertThat(s.fromEnvironment()).containsEntry("acme.eabRequired", "PKI_ACME_EAB_REQUIRED")
                .containsEntry("acme.tlsAlpn01Port", "PKI_ACME_TLSALPN01_PORT");
        assertThat(SettingsFiles.readWritten(home).acme()).isNull();
    }

    @Test
    void theValidatorIsStrictByDefaultAndTheEnvironmentLoosensItForLabs() {
        var strict = AcmeSettings.config(SettingsFiles.load(home, Map.of()));
        assertThat(strict.allowLoopback()).isFalse();
        assertThat(strict.validationTimeout()).hasSeconds(30);
        assertThat(strict.deniedPorts()).contains(8080, 8081, strict.port(), 8080 + 364);
        var lab = AcmeSettings.config(SettingsFiles.load(home, Map.of("PKI_ACME_ALLOW_LOOPBACK", "true",
                "PKI_ACME_MAX_CONCURRENT_VALIDATIONS", "4", "PKI_ACME_VALIDATIONS_PER_ACCOUNT_PER_HOUR", "20")));
        assertThat(lab.allowLoopback()).isTrue();
        assertThat(lab.maxConcurrentValidations()).isEqualTo(4);
        assertThat(lab.validationsPerAccountPerHour()).isEqualTo(20);
    }

    @Test
    void aBadValueIsNamedWithWhereItCameFrom() {
        assertThatThrownBy(() -> SettingsFiles.load(home, Map.of("PKI_ACME_PORT", "eighty")))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION))
                .hasMessageContaining("PKI_ACME_PORT (acme.port)");
        Settings s = SettingsFiles.load(home, Map.of("PKI_ACME_ORDER_LIFETIME", "a week"));
        assertThatThrownBy(() -> AcmeSettings.config(s)).hasMessageStartingWith("PKI_ACME_ORDER_LIFETIME: acme.orderLifetime");
    }

    @Test
    void anUnknownKeyIsRefusedNamingFileAndKey() throws Exception {
        Files.writeString(SettingsFiles.file(home), Files.readString(SettingsFiles.file(home))
                + "ocsp:\n  validty: 12h\n");
        assertThatThrownBy(() -> SettingsFiles.load(home, Map.of()))
                .hasMessageContaining("medpki.yaml: key 'ocsp.validty'").hasMessageContaining("validity");
    }

    @Test
    void rewritingTheInstallationKeepsTheServiceSections() throws Exception {
        Files.writeString(SettingsFiles.file(home), Files.readString(SettingsFiles.file(home))
                + "acme:\n  profile: tls-lab\ncrl:\n  shards: {server-ca: 4}\n");
        InstallationConfig c = SettingsFiles.readInstallation(home);
        SettingsFiles.writeInstallation(home, c.withDatabase(c.database().withRolePrefix("other")));
        SettingsDocument d = SettingsFiles.readWritten(home);
        assertThat(d.database().rolePrefix()).isEqualTo("other");
        assertThat(d.acme().profile()).isEqualTo("tls-lab");
        assertThat(d.crl().shards()).containsEntry("server-ca", 4);
    }

    @Test
    void filesFromBeforeMedpkiYamlAreReadAndMerged() throws Exception {
        String yaml = Files.readString(SettingsFiles.file(home));
        Files.delete(SettingsFiles.file(home));
        Files.writeString(tmp.resolve("config.yaml"), yaml.replace("installation:\n", "").replace("  domain:", "domain:")
                .replace("  organisation:", "organisation:"));
        Files.writeString(tmp.resolve("acme.yaml"), "profile: tls-lab\n");
        Settings legacy = SettingsFiles.load(home, Map.of());
        assertThat(legacy.installation().domain()).isEqualTo("hospital.test");
        assertThat(legacy.acme().profile()).isEqualTo("tls-lab");

        assertThat(SettingsFiles.migrate(home)).hasSize(2);
        assertThat(tmp.resolve("config.yaml.migrated")).exists();
        assertThat(tmp.resolve("acme.yaml")).doesNotExist();
        Settings migrated = SettingsFiles.load(home, Map.of());
        assertThat(migrated.document()).isEqualTo(legacy.document());
        assertThat(SettingsFiles.migrate(home)).isEmpty();
    }

    @Test
    void aFileFromBeforeBesideMedpkiYamlIsRefused() throws Exception {
        Files.writeString(tmp.resolve("crl.yaml"), "deltaInterval: 2m\n");
        assertThatThrownBy(() -> SettingsFiles.load(home, Map.of())).hasMessageContaining("crl.yaml")
                .hasMessageContaining("pki config migrate");
        assertThat(SettingsFiles.migrate(home)).hasSize(1);
        assertThat(SettingsFiles.load(home, Map.of()).crl().deltaInterval()).isEqualTo("2m");
    }

    @Test
    void theCaaRecheckAgeIsADurationOfAtMostEightHours() {
        assertThat(AcmeSettings.config(SettingsFiles.load(home, Map.of())).caaRecheckAfter()).hasHours(8);
        assertThat(AcmeSettings.config(SettingsFiles.load(home, Map.of("PKI_ACME_CAA_RECHECK_AFTER", "0s")))
                .caaRecheckAfter()).isZero();
        assertThat(AcmeSettings.config(SettingsFiles.load(home, Map.of("PKI_ACME_CAA_RECHECK_AFTER", "90m")))
                .caaRecheckAfter()).hasMinutes(90);
        Settings tooLong = SettingsFiles.load(home, Map.of("PKI_ACME_CAA_RECHECK_AFTER", "1d"));
        assertThatThrownBy(() -> AcmeSettings.config(tooLong)).hasMessageContaining("acme.caaRecheckAfter");
    }

    @Test
    void theRenewalExplanationIsAnOptionalUrlFromTheFileOrTheEnvironment() {
        assertThat(AcmeSettings.config(SettingsFiles.load(home, Map.of())).renewalExplanation()).isNull();
        assertThat(AcmeSettings.config(SettingsFiles.load(home, Map.of("PKI_ACME_RENEWAL_EXPLANATION",
                "https://pki.hospital.test/notices/2026-12"))).renewalExplanation())
                .isEqualTo("https://pki.hospital.test/notices/2026-12");
        Settings notAUrl = SettingsFiles.load(home, Map.of("PKI_ACME_RENEWAL_EXPLANATION", "see the intranet"));
        assertThatThrownBy(() -> AcmeSettings.config(notAUrl)).hasMessageContaining("acme.renewalExplanation");
    }

    @Test
    void acmeOffersTheDefaultProfilesThatTheCaGrantsItAndRefusesNamingOneItDoesNot() throws Exception {
        assertThat(AcmeSettings.config(SettingsFiles.load(home, Map.of())).profiles())
                .as("an installation from before the CA API grants tls-server only").containsExactly("tls-server");
        InstallationConfig granted = SettingsFiles.readInstallation(home);
        SettingsFiles.writeInstallation(home, new InstallationConfig(granted.domain(), granted.organisation(),
                granted.token(), granted.ocspToken(), granted.database(), granted.urls(), granted.repository(),
                granted.profilesDirectory(), InstallationConfig.CaApi.defaults("127.0.0.1", 8444,
                        java.util.List.of("tls-server", "shortlived", "tls-client"), DeviceSettings.DEFAULT_PROFILES)));
        var config = AcmeSettings.config(SettingsFiles.load(home, Map.of()));
        assertThat(config.profiles()).containsExactly("tls-server", "tls-client", "shortlived");
        assertThat(config.profile()).isEqualTo("tls-server");

        Files.writeString(SettingsFiles.file(home), Files.readString(SettingsFiles.file(home))
                + "acme:\n  profile: shortlived\n  profiles: [tls-server, atna-node]\n");
        assertThatThrownBy(() -> AcmeSettings.config(SettingsFiles.load(home, Map.of())))
                .hasMessageContaining("acme.profiles names [atna-node]").hasMessageContaining("caApi.callers.acme.issue");
    }

    @Test
    void devicesMayBeRegisteredUnderTheProfilesTheCaGrantsTheEnrollmentServicesAndTheDefaultMustBeOne() throws Exception {
        assertThat(DeviceSettings.profiles(SettingsFiles.load(home, Map.of())))
                .as("an installation from before the CA API: the CA grants what the settings ask")
                .containsExactly("device", "sdc-participant");
        InstallationConfig before = SettingsFiles.readInstallation(home);
        SettingsFiles.writeInstallation(home, new InstallationConfig(before.domain(), before.organisation(),
                before.token(), before.ocspToken(), before.database(), before.urls(), before.repository(),
                before.profilesDirectory(), InstallationConfig.CaApi.defaults("127.0.0.1", 8444,
                        java.util.List.of("tls-server"), java.util.List.of("device"))));
        var granted = SettingsFiles.readInstallation(home).caApi().callers();
        assertThat(granted.get("est").issue()).containsExactly("device");
        assertThat(granted.get("scep").issue()).containsExactly("device", "scep-ra");
        assertThat(DeviceSettings.profiles(SettingsFiles.load(home, Map.of())))
                .as("the defaults the CA does not grant are left out").containsExactly("device");

        String installation = Files.readString(SettingsFiles.file(home));
        Files.writeString(SettingsFiles.file(home), installation + "devices:\n  profiles: [device, sdc-participant]\n");
        assertThatThrownBy(() -> DeviceSettings.profiles(SettingsFiles.load(home, Map.of())))
                .hasMessageContaining("devices.profiles names [sdc-participant]").hasMessageContaining("caApi.callers");
        Files.writeString(SettingsFiles.file(home), installation + "devices:\n  profile: device\n  profiles: [other]\n");
        assertThatThrownBy(() -> DeviceSettings.profiles(SettingsFiles.load(home, Map.of())))
                .hasMessageContaining("devices.profile device must be one of devices.profiles");
        assertThat(InstallationConfig.CaApi.defaults("127.0.0.1", 8444, java.util.List.of("tls-server"),
                DeviceSettings.DEFAULT_PROFILES).callers().get("cmp").issue()).containsExactly("device", "sdc-participant");
    }
}
