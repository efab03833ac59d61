package org.medpki.ops.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.Test;

/** caApi.host is the name clients use; where the CA binds and which SANs its certificate carries follow from it. */
class CaApiEndpointSettingsTest {

    @Test
    void bindsTheHostWhenItIsAnAddressElseEveryAddressUnlessListenHostSaysOtherwise() {
        assertThat(InstallationConfig.CaApi.defaults("127.0.0.1", 8444, java.util.List.of("tls-server"), DeviceSettings.DEFAULT_PROFILES).bindHost()).isEqualTo("127.0.0.1");
        assertThat(InstallationConfig.CaApi.defaults("::1", 8444, java.util.List.of("tls-server"), DeviceSettings.DEFAULT_PROFILES).bindHost()).isEqualTo("::1");
        assertThat(InstallationConfig.CaApi.defaults("ca", 8444, java.util.List.of("tls-server"), DeviceSettings.DEFAULT_PROFILES).bindHost()).isEqualTo("0.0.0.0");
        assertThat(InstallationConfig.CaApi.defaults("ca.medpki.svc", 8444, java.util.List.of("tls-server"), DeviceSettings.DEFAULT_PROFILES).bindHost()).isEqualTo("0.0.0.0");
        assertThat(new InstallationConfig.CaApi("ca", 8444, Map.of(), "10.0.0.5").bindHost()).isEqualTo("10.0.0.5");
        assertThatThrownBy(() -> new InstallationConfig.CaApi("ca", 8444, Map.of(), "ca"))
                .hasMessageContaining("caApi.listenHost must be an IP address");
        assertThat(InstallationConfig.CaApi.defaults("::1", 8444, java.util.List.of("tls-server"), DeviceSettings.DEFAULT_PROFILES).url()).isEqualTo("https://[::1]:8444");
    }

    @Test
    void theEndpointCertificateNamesOnlyAnAddressOrANameUnderTheDomain() {
        assertThat(ServiceCredentials.endpointNames("127.0.0.1", "hospital.test"))
                .singleElement().satisfies(n -> assertThat(n.getTagNo()).isEqualTo(GeneralName.iPAddress));
        assertThat(ServiceCredentials.endpointNames("ca.pki.hospital.test", "hospital.test"))
                .singleElement().satisfies(n -> {
                    assertThat(n.getTagNo()).isEqualTo(GeneralName.dNSName);
                    assertThat(n.getName().toString()).isEqualTo("ca.pki.hospital.test");
                });
        assertThat(ServiceCredentials.endpointNames("ca", "hospital.test")).isEmpty();
        assertThat(ServiceCredentials.endpointNames("ca.medpki.svc", "hospital.test")).isEmpty();
        assertThat(ServiceCredentials.endpointNames("evilhospital.test", "hospital.test")).isEmpty();
    }

    @Test
    void initOptionsRefuseABadCaApiHostOrPort() {
        assertThatThrownBy(() -> options("ca api", 8444)).hasMessageContaining("--ca-api-host");
        assertThatThrownBy(() -> options("ca", 0)).hasMessageContaining("--ca-api-port");
        assertThat(options("ca", 8444).caApiHost()).isEqualTo("ca");
    }

    private static InitOptions options(String host, int port) {
        return new InitOptions("hospital.test", "org", InitOptions.DEFAULT_MODULE, "medpki", null,
                org.medpki.core.keys.KeyAlgorithm.parse("ec-p384"), org.medpki.core.keys.KeyAlgorithm.parse("ec-p256"),
                org.medpki.core.keys.KeyAlgorithm.parse("ec-p256"), "127.0.0.1", 8080, host, port);
    }
}
