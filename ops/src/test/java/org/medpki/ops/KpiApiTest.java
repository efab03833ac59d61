package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.medpki.ops.AdminCurl.Identity;
import org.medpki.ops.AdminCurl.Reply;

/**
 * The KPIs and the expiry timeline through a real 'pki up' (the admin service's own database
 * login, so V59's grants are what lets the statements run): every role reads them, bad input is
 * a 422 naming the parameter, no certificate is a 401, and a revocation shows in the numbers and
 * on /metrics.
 */
@ExtendWith(AdminLab.Shared.Resolver.class)
class KpiApiTest {
    @TempDir
    static Path tmp;
    static PkiProcess pki;
    static PkiProcess.Started up;
    static int port;
    static AdminCurl admin;

    @BeforeAll
    static void up(AdminLab.Shared lab) {
        pki = lab.pki();
        up = lab.up();
        port = lab.port();
        admin = new AdminCurl(pki, tmp, port);
    }

    @Test
    void everyRoleReadsTheKpisAndARevocationIsCounted() throws Exception {
        List<Identity> admins = admin.enrollAll(new String[] {"Kim Auditor", "auditor"},
                new String[] {"Kai Requester", "requester"}, new String[] {"Kit Approver", "approver"},
                new String[] {"Kurt Operator", "operator"}, new String[] {"Kaya Officer", "security-officer"},
                new String[] {"Kip Revoked", "auditor"});
        PkiProcess.Result revoke = pki.run("revoke", admins.get(5).serial(), "--reason", "superseded");
        assertThat(revoke.exit()).as(revoke.toString()).isZero();
        for (Identity who : admins.subList(0, 5)) {
            Reply k = admin.get(who, "/api/v1/kpis");
            assertThat(k.status()).as(k.body()).isEqualTo(200);
            JsonNode latency = k.json().get("revocationPublicationLatency");
            assertThat(latency.get("revoked").asLong()).isGreaterThanOrEqualTo(1);
            assertThat(latency.get("crl").get("count").asLong() + latency.get("crl").get("notPublished").asLong())
                    .isEqualTo(latency.get("revoked").asLong());
            assertThat(k.json().get("timeToRenew").has("p95Seconds")).isTrue();
            assertThat(k.json().get("failedValidations").get("days").isArray()).isTrue();
            Reply t = admin.get(who, "/api/v1/expiry-timeline?days=366");
            assertThat(t.status()).as(t.body()).isEqualTo(200);
            assertThat(t.json().get("days").asInt()).isEqualTo(366);
        }
        Reply metrics = admin.get(null, "/metrics");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body()).contains("medpki_kpi_time_to_renew_seconds{quantile=\"0.5\"}",
                "medpki_kpi_revocation_latency_seconds{channel=\"crl\",quantile=\"0.99\"}",
                "medpki_kpi_revocations_last_30d ").doesNotContain("medpki_kpi_read_failures_total 1");
    }

    @Test
    void badKpiParametersAre422NamingThemAndNoCertificateIs401() throws Exception {
        Identity auditor = admin.enroll("Kern Auditor", "auditor");
        for (String[] c : new String[][] {{"/api/v1/kpis?from=yesterday", "from"},
                {"/api/v1/kpis?to=2026-02-30T00:00:00Z", "to"},
                {"/api/v1/kpis?from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from"},
                {"/api/v1/kpis?colour=red", "colour"}, {"/api/v1/expiry-timeline?days=0", "days"},
                {"/api/v1/expiry-timeline?days=367", "days"}, {"/api/v1/expiry-timeline?days=%3Cscript%3E", "days"}}) {
            Reply r = admin.get(auditor, c[0]);
            assertProblem(r, 422, "bad-input");
            assertThat(r.json().get("field").asText()).as(c[0]).isEqualTo(c[1]);
        }
        assertProblem(admin.get(null, "/api/v1/kpis"), 401, "unauthenticated");
        assertProblem(admin.get(null, "/api/v1/expiry-timeline"), 401, "unauthenticated");
        assertProblem(admin.request(auditor, "POST", "/api/v1/kpis", "{}"), 405, "method-not-allowed");
    }

    private static void assertProblem(Reply r, int status, String type) throws IOException {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("type").asText()).isEqualTo("urn:medpki:problem:" + type);
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }
}
