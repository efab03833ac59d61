package org.medpki.acme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class AddressRangeTest {

    @Test
    void matchesOnThePrefixOnly() throws Exception {
        AddressRange linkLocal = AddressRange.parse("169.254.0.0/16");
        assertThat(linkLocal.contains(InetAddress.getByName("169.254.169.254"))).isTrue();
        assertThat(linkLocal.contains(InetAddress.getByName("169.255.0.1"))).isFalse();
        assertThat(linkLocal.contains(InetAddress.getByName("fe80::1"))).isFalse();
        AddressRange v6 = AddressRange.parse("fe80::/10");
        assertThat(v6.contains(InetAddress.getByName("febf::1"))).isTrue();
        assertThat(v6.contains(InetAddress.getByName("fec0::1"))).isFalse();
        assertThat(AddressRange.parse("10.1.2.3").contains(InetAddress.getByName("10.1.2.3"))).isTrue();
    }

    @Test
    void refusesWhatIsNotARange() {
        assertThatThrownBy(() -> AddressRange.parse("example.org/8")).hasMessageContaining("not an address range");
        assertThatThrownBy(() -> AddressRange.parse("10.0.0.0/33")).hasMessageContaining("/33");
    }
}
