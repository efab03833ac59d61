package org.medpki.acme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdentifierAndEabKeyTest {

    private static Identifier parse(String type, String value) {
        return Identifier.parse(new JsonObject().put("type", type).put("value", value));
    }

    @Test
    void dnsNamesAreLowerCasedAndWildcardsKeepTheirBase() {
        Identifier w = parse("dns", "*.Lab.Hospital.Test");
        assertThat(w.value()).isEqualTo("*.lab.hospital.test");
        assertThat(w.wildcard()).isTrue();
        assertThat(w.base()).isEqualTo("lab.hospital.test");
        assertThat(parse("ip", "10.0.0.1").generalName().getTagNo()).isEqualTo(7);
        assertThat(parse("ip", "fd00:0::2").value()).isEqualTo("fd00:0:0:0:0:0:0:2");
    }

    @Test
    void malformedOrUnsupportedIdentifiersAreRefused() {
        assertThatThrownBy(() -> parse("email", "a@b.c")).isInstanceOf(AcmeException.class)
                .extracting(e -> ((AcmeException) e).type()).isEqualTo(ProblemType.UNSUPPORTED_IDENTIFIER);
        assertThatThrownBy(() -> parse("ip", "example.org")).extracting(e -> ((AcmeException) e).type())
                .isEqualTo(ProblemType.MALFORMED);
        assertThatThrownBy(() -> parse("dns", "a..b")).extracting(e -> ((AcmeException) e).type())
                .isEqualTo(ProblemType.REJECTED_IDENTIFIER);
    }

    @Test
    void eabPatternsAreExactNamesOrEverythingBelowADomain() {
        EabKey key = new EabKey("k", new byte[32], List.of("tls-server"), List.of("www.hospital.test", "*.lab.hospital.test"), null);
        assertThat(key.permits(parse("dns", "www.hospital.test"))).isTrue();
        assertThat(key.permits(parse("dns", "a.lab.hospital.test"))).isTrue();
        assertThat(key.permits(parse("dns", "*.x.lab.hospital.test"))).isTrue();
        assertThat(key.permits(parse("dns", "lab.hospital.test"))).isFalse();
        assertThat(key.permits(parse("dns", "evil-lab.hospital.test"))).isFalse();
        assertThat(key.permits(parse("dns", "*.www.hospital.test"))).isFalse();
        assertThat(key.toString()).doesNotContain("hmac");
    }
}
