package org.medpki.acme.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** dns-account-01's label and the Issuer Domain Names of dns-persist-01. */
class DnsAccountLabelTest {

    @Test
    void theLabelIsLowerCaseBase32OfTheFirstTenBytesOfTheAccountUrlsSha256() {
        // the example of draft-ietf-acme-dns-account-label's client documentation
        assertThat(DnsAccountLabel.of("https://example.com/acme/acct/ExampleAccount")).isEqualTo("_ujmmovf2vn55tgye");
        assertThat(DnsAccountLabel.validationName("https://example.com/acme/acct/ExampleAccount", "www.example.org"))
                .isEqualTo("_ujmmovf2vn55tgye._acme-challenge.www.example.org");
        assertThat(DnsAccountLabel.of("https://example.com/acme/acct/OtherAccount")).hasSize(17)
                .matches("_[a-z2-7]{16}").isNotEqualTo("_ujmmovf2vn55tgye");
    }

    @Test
    void issuerDomainNamesAreNormalizedCaaIdentitiesWithoutRepeatsAtMostTen() {
        assertThat(IssuerDomainNames.of(List.of("ACME.Hospital.test.", "acme.hospital.test", "bücher.example",
                "bad..name"))).containsExactly("acme.hospital.test", "xn--bcher-kva.example");
        assertThat(IssuerDomainNames.of(List.of())).isEmpty();
        List<String> many = java.util.stream.IntStream.range(0, 12).mapToObj(i -> "ca" + i + ".example").toList();
        assertThat(IssuerDomainNames.of(many)).hasSize(10).startsWith("ca0.example");
    }
}
