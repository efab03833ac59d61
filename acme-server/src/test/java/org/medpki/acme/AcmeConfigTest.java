package org.medpki.acme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AcmeConfigTest {

    private static AcmeConfig withLifetimes(Duration order, Duration authz, Duration reuse) {
        AcmeConfig d = AcmeConfig.defaults("127.0.0.1", 8443, "acme.hospital.test");
        return new AcmeConfig(d.listenHost(), d.port(), d.publicHost(), d.profile(), d.http01Port(), d.tlsAlpn01Port(),
                d.dnsServer(), d.hostsFile(), d.eabRequired(), d.deniedRanges(), d.caaIdentities(), d.termsOfService(),
                d.website(), order, authz, reuse, d.validationTimeout(), d.maxPayloadBytes(),
                d.ordersPerAccountPerHour(), d.ordersPerNamePerHour(), d.maxConcurrentValidations(),
                d.validationsPerAccountPerHour(), d.allowLoopback(), d.ownPorts());
    }

    @Test
    void byDefaultTheValidatorIsFencedIn() throws Exception {
        AcmeConfig d = AcmeConfig.defaults("0.0.0.0", 8443, "acme.hospital.test");
        assertThat(d.allowLoopback()).isFalse();
        assertThat(d.validationTimeout()).isEqualTo(Duration.ofSeconds(30));
        for (String denied : java.util.List.of("127.0.0.1", "127.1.2.3", "::1", "0.0.0.0", "::", "169.254.169.254",
                "fe80::1", "224.0.0.1", "100.100.100.200")) {
            java.net.InetAddress a = java.net.InetAddress.getByName(denied);
            assertThat(d.deniedRanges()).as(denied).anyMatch(r -> r.contains(a));
        }
        assertThat(d.deniedRanges()).noneMatch(r -> {
            try {
                return r.contains(java.net.InetAddress.getByName("10.1.2.3"));
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(d.deniedPorts()).contains(8443);
    }

    @Test
    void lifetimesOfSecondsAreAllowedForLabs() {
        AcmeConfig c = withLifetimes(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ZERO);
        assertThat(c.orderLifetime()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.authorizationReuse()).as("PT0S turns reuse off").isZero();
    }

    @Test
    void zeroOrNegativeLifetimesAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> withLifetimes(Duration.ZERO, Duration.ofDays(7), Duration.ofDays(7)))
                .hasMessageContaining("acme.orderLifetime");
        assertThatThrownBy(() -> withLifetimes(Duration.ofDays(7), Duration.ofSeconds(-1), Duration.ofDays(7)))
                .hasMessageContaining("acme.authorizationLifetime");
        assertThatThrownBy(() -> withLifetimes(Duration.ofDays(7), Duration.ofDays(7), Duration.ofSeconds(-1)))
                .hasMessageContaining("acme.authorizationReuse");
    }

    @Test
    void theRenewalExplanationIsNoneByDefaultAndOnlyAnHttpUrl() {
        AcmeConfig d = AcmeConfig.defaults("127.0.0.1", 8443, "acme.hospital.test");
        assertThat(d.renewalExplanation()).isNull();
        assertThat(d.withRenewalExplanation("https://pki.hospital.test/notice").renewalExplanation())
                .isEqualTo("https://pki.hospital.test/notice");
        assertThat(d.withRenewalExplanation("https://pki.hospital.test/notice").withPort(9443).renewalExplanation())
                .isEqualTo("https://pki.hospital.test/notice");
        assertThatThrownBy(() -> d.withRenewalExplanation("pki.hospital.test/notice"))
                .hasMessageContaining("acme.renewalExplanation");
    }

    @Test
    void caaIsRecheckedAfterEightHoursByDefaultAndNeverLaterThanThat() {
        AcmeConfig d = AcmeConfig.defaults("127.0.0.1", 8443, "acme.hospital.test");
        assertThat(d.caaRecheckAfter()).isEqualTo(Duration.ofHours(8));
        assertThat(d.withCaaRecheckAfter(Duration.ZERO).caaRecheckAfter()).as("every finalize").isZero();
        assertThat(d.withCaaRecheckAfter(Duration.ofHours(1)).withPort(9443).caaRecheckAfter())
                .isEqualTo(Duration.ofHours(1));
        assertThatThrownBy(() -> d.withCaaRecheckAfter(Duration.ofHours(8).plusSeconds(1)))
                .hasMessageContaining("acme.caaRecheckAfter").hasMessageContaining("8h");
        assertThatThrownBy(() -> d.withCaaRecheckAfter(Duration.ofSeconds(-1)))
                .hasMessageContaining("acme.caaRecheckAfter");
    }
}
