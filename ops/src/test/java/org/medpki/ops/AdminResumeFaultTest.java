package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medpki.ops.AdminCurl.Identity;
import org.medpki.ops.AdminCurl.Reply;

/**
 * The admin service killed with SIGKILL in the middle of an approved mass revocation ('pki serve
 * ca' and 'pki serve admin' as processes of their own): started again, it resumes the request and
 * every certificate of the request ends revoked exactly once - none skipped, none revoked twice.
 */
class AdminResumeFaultTest {
    private static final Set<String> HARNESS = Set.of("PKI_TEST_TOKEN_PIN", "PKI_TEST_PG_ADMIN_URL");
    private static final Set<String> CA_SECRETS = Set.of("PKI_TOKEN_PIN", "PKI_TOKEN_PIN_FILE", "PKI_TEST_TOKEN_PIN",
            "PKI_TEST_PG_ADMIN_URL");

    @TempDir
    static Path tmp;
    static String db;
    static PkiProcess pki;
    static Map<String, String> serviceEnv;
    static final List<PkiProcess.Started> started = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        db = TestEnvironment.newDatabase();
        pki = new PkiProcess(tmp.resolve("home"), db);
        PkiProcess.Result init = pki.run("init", "--http-port", Integer.toString(AcmeLab.freePort(2)));
        assertThat(init.exit()).as(init.toString()).isZero();
        TestEnvironment.PgUrl admin = TestEnvironment.PgUrl.parse(db);
        serviceEnv = new HashMap<>(Map.of(
                "PKI_DATABASE_URL", "postgresql://medpki@" + admin.host() + ":" + admin.port() + "/" + admin.database(),
                "PKI_ADMIN_PORT", Integer.toString(AcmeLab.freePort(1))));
        serve("ca", HARNESS);
    }

    @AfterAll
    static void stop() throws Exception {
        for (PkiProcess.Started s : started.reversed()) {
            s.process().destroy();
            if (!s.process().waitFor(30, TimeUnit.SECONDS)) {
                s.process().destroyForcibly();
            }
        }
    }

    private static PkiProcess.Started serve(String service, Set<String> without) throws Exception {
        PkiProcess.Started s = pki.start(serviceEnv, without, "serve", service);
        started.add(s);
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!Files.readString(s.out()).contains("serving")) {
            assertThat(s.process().isAlive()).as(service + " keeps running: " + Files.readString(s.err())).isTrue();
            assertThat(System.nanoTime()).as(service + " serves within 120 s").isLessThan(deadline);
            Thread.sleep(100);
        }
        return s;
    }

    @Test
    void aKilledRunResumesAndRevokesEveryCertificateExactlyOnce() throws Exception {
        PkiProcess.Started service = serve("admin", CA_SECRETS);
        AdminCurl admin = new AdminCurl(pki, tmp, Integer.parseInt(serviceEnv.get("PKI_ADMIN_PORT")));
        Identity requester = admin.enroll("Kim Requester", "requester");
        Identity first = admin.enroll("Lee Approver", "approver");
        Identity second = admin.enroll("Max Approver", "approver");
        PkiProcess.Result bench = pki.run("bench", "issue", "--count", "100", "--threads", "2");
        assertThat(bench.exit()).as(bench.toString()).isZero();

        Reply created = admin.post(requester, "/api/v1/revocations",
                "{\"query\":{\"profile\":\"tls-server\"},\"reason\":\"cessationOfOperation\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        String id = created.json().get("id").asText();
        int count = created.json().get("count").asInt();
        assertThat(admin.post(first, "/api/v1/requests/" + id + "/approve", "").status()).isEqualTo(200);
        assertThat(admin.post(second, "/api/v1/requests/" + id + "/approve", "").json().get("state").asText())
                .isEqualTo("running");

        // SIGKILL once some certificates are done and others are not.
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (done(id) < 10) {
            assertThat(System.nanoTime()).as("the run starts within 60 s").isLessThan(deadline);
            Thread.sleep(20);
        }
        service.process().destroyForcibly();
        assertThat(service.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        int atKill = done(id);
        assertThat(atKill).as("killed mid-run").isLessThan(count);

        serve("admin", CA_SECRETS);
        deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        JsonNode request;
        while (!(request = admin.get(first, "/api/v1/requests/" + id).json()).get("state").asText().equals("done")) {
            assertThat(System.nanoTime()).as("the resumed run ends within 120 s").isLessThan(deadline);
            Thread.sleep(200);
        }
        assertThat(request.get("done").asInt()).isEqualTo(count);
        try (Connection c = TestEnvironment.connect(db)) {
            // Every certificate of the request is revoked, by one revocation each.
            try (PreparedStatement s = c.prepareStatement("SELECT count(*) FILTER (WHERE c.status = 'revoked'), "
                    + "count(*) FROM admin_request_item i JOIN certificate c ON c.ca_id = i.ca_id AND c.serial = i.serial "
                    + "WHERE i.request_id = ?")) {
                s.setString(1, id);
                ResultSet rs = s.executeQuery();
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(count);
                assertThat(rs.getInt(2)).isEqualTo(count);
            }
            try (PreparedStatement s = c.prepareStatement("SELECT details::json->>'serial' AS serial, count(*) "
                    + "FROM audit_event WHERE type = 'certificate.revoked' GROUP BY 1 HAVING count(*) > 1")) {
                assertThat(s.executeQuery().next()).as("no certificate revoked twice").isFalse();
            }
            try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM audit_event "
                    + "WHERE type = 'certificate.revoked' AND actor = 'admin:Kim Requester'")) {
                ResultSet rs = s.executeQuery();
                rs.next();
                assertThat(rs.getInt(1)).as("one revocation audited per certificate").isEqualTo(count);
            }
        }
    }

    /** How many certificates of the request are done, read in the database. */
    private static int done(String id) throws Exception {
        try (Connection c = TestEnvironment.connect(db);
             PreparedStatement s = c.prepareStatement("SELECT count(*) FROM admin_request_item "
                     + "WHERE request_id = ? AND done_at IS NOT NULL")) {
            s.setString(1, id);
            ResultSet rs = s.executeQuery();
            rs.next();
            return rs.getInt(1);
        }
    }
}
