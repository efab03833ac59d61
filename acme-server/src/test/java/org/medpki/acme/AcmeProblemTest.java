package org.medpki.acme;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

class AcmeProblemTest {

    @Test
    void everyErrorKindHasAProblemTypeAndInternalDetailsStayInside() {
        for (ErrorKind kind : ErrorKind.values()) {
            AcmeException p = AcmeProblem.of(new PkiException(kind, "secret detail /var/lib/x"), 500);
            assertThat(p.type().urn()).startsWith("urn:ietf:params:acme:error:");
            if (p.type() == ProblemType.SERVER_INTERNAL) {
                assertThat(p.detail()).doesNotContain("/var/lib");
                if (kind != ErrorKind.CA_UNAVAILABLE && kind != ErrorKind.DATABASE_UNAVAILABLE) {
                    assertThat(p.detail()).isEqualTo("internal error");
                }
            }
        }
        // The CA out of reach: a fixed sentence and a Retry-After; the order stays retryable.
        AcmeException away = AcmeProblem.of(new PkiException(ErrorKind.CA_UNAVAILABLE, "https://10.1.2.3:8444 refused"),
                500);
        assertThat(away.detail()).isEqualTo("the CA is unavailable; try again shortly");
        assertThat(away.retryAfter()).isNotNull();
        // The database away (a restart, a failover): the same, without naming the database.
        AcmeException noDatabase = AcmeProblem.of(new PkiException(ErrorKind.DATABASE_UNAVAILABLE,
                "the inventory database at db:5432/medpki is unreachable: Connection refused"), 500);
        assertThat(noDatabase.type()).isEqualTo(ProblemType.SERVER_INTERNAL);
        assertThat(noDatabase.detail()).isEqualTo("the service is briefly unavailable; try again shortly");
        assertThat(noDatabase.retryAfter()).isNotNull();
        assertThat(AcmeProblem.of(new PkiException(ErrorKind.BAD_CSR, "x"), 0).type()).isEqualTo(ProblemType.BAD_CSR);
        assertThat(AcmeProblem.of(new PkiException(ErrorKind.BAD_PUBLIC_KEY, "x"), 0).type())
                .isEqualTo(ProblemType.BAD_PUBLIC_KEY);
        assertThat(AcmeProblem.of(new IllegalStateException("boom at line 3"), 500).detail()).isEqualTo("internal error");
        assertThat(AcmeProblem.of(null, 413).type()).isEqualTo(ProblemType.MALFORMED);
    }

    @Test
    void subproblemsCarryTheirIdentifier() {
        Identifier id = new Identifier("dns", "x.example.org");
        AcmeException p = new AcmeException(ProblemType.REJECTED_IDENTIFIER, "refused", null,
                List.of(new AcmeException(ProblemType.REJECTED_IDENTIFIER, "outside", id, List.of(), null)), null);
        JsonObject json = AcmeProblem.json(p);
        assertThat(json.getInteger("status")).isEqualTo(400);
        assertThat(json.getJsonArray("subproblems").getJsonObject(0).getJsonObject("identifier").getString("value"))
                .isEqualTo("x.example.org");
    }
}
