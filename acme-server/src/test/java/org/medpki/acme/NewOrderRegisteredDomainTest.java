package org.medpki.acme;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The per-domain rate limit's bucket: the Public Suffix List where it applies, else two labels. */
class NewOrderRegisteredDomainTest {

    @Test
    void namesUnderAPublicSuffixCountUnderTheLabelBelowIt() {
        assertThat(NewOrderHandler.registeredDomain("www.example.co.uk")).isEqualTo("example.co.uk");
        assertThat(NewOrderHandler.registeredDomain("a.b.example.com")).isEqualTo("example.com");
        assertThat(NewOrderHandler.registeredDomain("example.com")).isEqualTo("example.com");
        // two unrelated registrants under one multi-label suffix get separate budgets
        assertThat(NewOrderHandler.registeredDomain("fhir.trust-a.nhs.uk"))
                .isNotEqualTo(NewOrderHandler.registeredDomain("fhir.trust-b.nhs.uk"));
    }

    @Test
    void privateNamesFallBackToTheirLastTwoLabels() {
        assertThat(NewOrderHandler.registeredDomain("fhir.hospital.test")).isEqualTo("hospital.test");
        assertThat(NewOrderHandler.registeredDomain("fhir.hospital.internal")).isEqualTo("hospital.internal");
        assertThat(NewOrderHandler.registeredDomain("hospital.test")).isEqualTo("hospital.test");
    }

    @Test
    void aWildcardCountsUnderItsBaseDomain() {
        Identifier wildcard = Identifier.parse(new JsonObject().put("type", "dns").put("value", "*.lab.hospital.test"));
        assertThat(NewOrderHandler.registeredDomain(wildcard.base())).isEqualTo("hospital.test");
        assertThat(NewOrderHandler.registeredDomain("*.lab.hospital.test")).isEqualTo("hospital.test");
        assertThat(NewOrderHandler.registeredDomain("*.www.example.co.uk")).isEqualTo("example.co.uk");
    }

    @Test
    void singleLabelsAndPublicSuffixesCountAsThemselves() {
        assertThat(NewOrderHandler.registeredDomain("localhost")).isEqualTo("localhost");
        // a public suffix has no registrant below it: it is its own bucket
        assertThat(NewOrderHandler.registeredDomain("co.uk")).isEqualTo("co.uk");
        assertThat(NewOrderHandler.registeredDomain("nhs.uk")).isEqualTo("nhs.uk");
    }
}
