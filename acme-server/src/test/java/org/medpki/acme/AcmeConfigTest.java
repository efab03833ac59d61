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
                d.ordersPerAccountPerHour(), d.ordersPerDomainPerHour());
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
}
