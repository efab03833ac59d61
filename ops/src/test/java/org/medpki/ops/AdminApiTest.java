package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medpki.ops.AdminCurl.Identity;
import org.medpki.ops.AdminCurl.Reply;

/**
 * The admin API of a real 'pki up', driven with curl and client certificates whose keys and CSRs
 * openssl made: administrators enrolled on the CA host (break-glass, audited), each role's allowed
 * and refused reads, and every way in without a valid administrator certificate refused with 401.
 */
class AdminApiTest {
    private static final ObjectMapper JSON = AdminCurl.JSON;

    @TempDir
    static Path tmp;
    static PkiProcess pki;
    static PkiProcess.Started up;
    static int port;
    static AdminCurl admin;

    @BeforeAll
    static void up() throws Exception {
        pki = new PkiProcess(tmp.resolve("home"), TestEnvironment.newDatabase());
        port = AcmeLab.freePort(1);
        up = AdminLab.up(pki, port);
        admin = new AdminCurl(pki, tmp, port);
    }

    @AfterAll
    static void down() throws Exception {
        AdminLab.down(up);
    }

    @Test
    void eachRoleReadsWhatItMayAndIsRefusedTheRest() throws Exception {
        Identity auditor = enroll("Alice Auditor", "auditor");
        Identity operator = enroll("Oscar Operator", "operator,requester");

        Reply me = get(auditor, "/api/v1/me");
        assertThat(me.status()).as(me.body()).isEqualTo(200);
        assertThat(me.json().get("name").asText()).isEqualTo("Alice Auditor");
        assertThat(me.json().get("roles").toString()).isEqualTo("[\"auditor\"]");
        assertThat(get(operator, "/api/v1/me").json().get("roles").toString()).isEqualTo("[\"operator\",\"requester\"]");

        // The inventory: both administrators' certificates, found by profile and by name.
        for (Identity who : List.of(auditor, operator)) {
            Reply certificates = get(who, "/api/v1/certificates?profile=admin&status=issued");
            assertThat(certificates.status()).as(certificates.body()).isEqualTo(200);
            assertThat(certificates.json().get("items")).extracting(i -> i.get("serial").asText())
                    .contains(auditor.serial(), operator.serial());
        }
        JsonNode item = get(auditor, "/api/v1/certificates?profile=admin&limit=1").json().get("items").get(0);
        assertThat(item.get("profile").asText()).isEqualTo("admin");
        assertThat(item.has("notAfter") && item.has("owner") && item.get("owner").isNull()).isTrue();
        assertThat(get(auditor, "/api/v1/certificates?expiringWithinDays=400&profile=admin").json().get("items"))
                .hasSizeGreaterThanOrEqualTo(2);

        // The audit log: the auditor reads the break-glass enrolments; the operator may not.
        Reply audit = get(auditor, "/api/v1/audit?since=0&limit=1000");
        assertThat(audit.status()).as(audit.body()).isEqualTo(200);
        List<JsonNode> enrolled = new ArrayList<>();
        audit.json().get("items").forEach(e -> {
            if (e.get("type").asText().equals("admin.enrolled")) {
                enrolled.add(e);
            }
        });
        assertThat(enrolled).extracting(e -> e.get("details").get("admin").asText())
                .contains("Alice Auditor", "Oscar Operator");
        assertThat(enrolled).allSatisfy(e -> {
            assertThat(e.get("details").get("breakGlass").asText()).isEqualTo("true");
            assertThat(e.get("actor").asText()).startsWith("break-glass:");
        });
        assertThat(get(auditor, "/api/v1/audit?since=2000-01-01T00:00:00Z&limit=1").json().get("items")).hasSize(1);

        Reply forbidden = get(operator, "/api/v1/audit");
        assertProblem(forbidden, 403, "forbidden");
        assertThat(forbidden.json().get("detail").asText()).contains("auditor");
        assertThat(refusals(auditor, "role not allowed")).isNotEmpty();
    }

    @Test
    void withoutAValidAdministratorCertificateEveryPathIs401AndAudited() throws Exception {
        Identity auditor = enroll("Ada Auditor", "auditor");
        assertProblem(get(null, "/api/v1/me"), 401, "unauthenticated");
        assertProblem(get(null, "/api/v1/nothing-here"), 401, "unauthenticated");

        // A certificate from another CA, with the key to it (TLS passes; the API refuses).
        Identity stranger = selfSigned("Eve");
        Reply foreign = get(stranger, "/api/v1/me");
        assertProblem(foreign, 401, "unauthenticated");
        assertThat(foreign.json().get("detail").asText()).contains("another CA");

        // A certificate of this PKI that is no administrator's (issued under the admin profile
        // without enrolment).
        Identity unenrolled = key("Uma Unenrolled");
        PkiProcess.Result issued = pki.run("issue", "--profile", "admin", "--csr", unenrolled.csr().toString(),
                "--out", unenrolled.chain().toString());
        assertThat(issued.exit()).as(issued.toString()).isZero();
        assertProblem(get(unenrolled, "/api/v1/me"), 401, "unauthenticated");

        // A revoked administrator certificate.
        Identity revoked = enroll("Rita Revoked", "auditor");
        PkiProcess.Result revoke = pki.run("revoke", revoked.serial(), "--reason", "superseded");
        assertThat(revoke.exit()).as(revoke.toString()).isZero();
        Reply refused = get(revoked, "/api/v1/me");
        assertProblem(refused, 401, "unauthenticated");
        assertThat(refused.json().get("detail").asText()).contains("revoked");

        assertThat(refusals(auditor, "client certificate from another CA")).isNotEmpty();
        assertThat(refusals(auditor, "certificate of no enrolled administrator")).isNotEmpty();
        assertThat(refusals(auditor, "no client certificate")).isNotEmpty();
    }

    @Test
    void badParametersAre422NamingTheFieldAndOtherPathsAndMethodsAreProblems() throws Exception {
        Identity auditor = enroll("Abe Auditor", "auditor");
        for (String[] c : new String[][] {{"status=bogus", "status"}, {"expiringWithinDays=abc", "expiringWithinDays"},
                {"expiringWithinDays=0", "expiringWithinDays"}, {"limit=100000", "limit"}, {"colour=red", "colour"},
                {"profile=Bad%20Name", "profile"}, {"owner=radiology", "owner"}, {"status=issued&status=revoked", "status"}}) {
            Reply r = get(auditor, "/api/v1/certificates?" + c[0]);
            assertProblem(r, 422, "bad-input");
            assertThat(r.json().get("field").asText()).as(c[0]).isEqualTo(c[1]);
        }
        Reply since = get(auditor, "/api/v1/audit?since=yesterday");
        assertProblem(since, 422, "bad-input");
        assertThat(since.json().get("field").asText()).isEqualTo("since");
        assertProblem(get(auditor, "/api/v1/nothing-here"), 404, "not-found");
        assertProblem(request(auditor, "POST", "/api/v1/me"), 405, "method-not-allowed");

        Reply openApi = get(null, "/api/v1/openapi.json");
        assertThat(openApi.status()).isEqualTo(200);
        assertThat(openApi.json().get("openapi").asText()).startsWith("3.");
        assertThat(openApi.json().get("paths").has("/api/v1/certificates")).isTrue();
    }

    @Test
    void statusListsTheAdminServiceAndEnrolmentRefusesBadInputBeforeIssuing() throws Exception {
        PkiProcess.Result status = pki.run("status", "--json");
        assertThat(status.exit()).as(status.toString()).isZero();
        List<String> urls = new ArrayList<>();
        JSON.readTree(status.out()).get("services").forEach(s -> {
            if (s.get("name").asText().equals("admin")) {
                urls.add(s.get("url").asText());
            }
        });
        assertThat(urls).containsExactly("https://127.0.0.1:" + port + "/");

        Identity wrongName = key("Mallory");
        PkiProcess.Result mismatch = pki.run("admin", "enroll", "Bob", "--role", "auditor", "--csr",
                wrongName.csr().toString(), "--out", wrongName.chain().toString());
        assertThat(mismatch.exit()).isNotZero();
        assertThat(mismatch.err()).contains("CN").contains("Bob").doesNotContain("Exception");
        PkiProcess.Result badRole = pki.run("admin", "enroll", "Mallory", "--role", "root", "--csr",
                wrongName.csr().toString(), "--out", wrongName.chain().toString());
        assertThat(badRole.exit()).isNotZero();
        assertThat(badRole.err()).contains("unknown role 'root'").doesNotContain("Exception");
        assertThat(Files.exists(wrongName.chain())).as("nothing issued").isFalse();
    }

    @Test
    void aMassRevocationRunsOnceTwoApproversOtherThanTheRequesterApproveAndRevokesExactlyTheDryRunSet()
            throws Exception {
        Identity requester = enroll("Rae Requester", "requester,approver");
        Identity first = enroll("Ida Approver", "approver");
        Identity second = enroll("Jon Approver", "approver");
        Identity auditor = enroll("Aud Auditor", "auditor");
        Identity operator = enroll("Ola Operator", "operator");
        issueServerCertificates(12);
        List<String> all = issued("tls-server");
        assertThat(all).as("the bench's certificates and its warm-up's").hasSizeGreaterThan(10);
        String query = "{\"query\":{\"profile\":\"tls-server\"},\"reason\":\"superseded\"";

        Reply dry = post(requester, "/api/v1/revocations", query + ",\"dryRun\":true}");
        assertThat(dry.status()).as(dry.body()).isEqualTo(200);
        assertThat(dry.json().get("state").asText()).isEqualTo("dry-run");
        assertThat(dry.json().get("count").asInt()).isEqualTo(all.size());
        assertThat(dry.json().get("approvalsRequired").asInt()).as("more than ten: two approvals").isEqualTo(2);
        List<String> dryRunSet = strings(dry.json().get("serials"));
        assertThat(dryRunSet).containsExactlyInAnyOrderElementsOf(all);
        assertThat(issued("tls-server")).as("a dry run revokes nothing").containsExactlyInAnyOrderElementsOf(all);

        assertProblem(post(auditor, "/api/v1/revocations", query + "}"), 403, "forbidden");
        Reply created = post(requester, "/api/v1/revocations", query + "}");
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        assertThat(created.json().get("state").asText()).isEqualTo("pending-approval");
        assertThat(strings(created.json().get("serials"))).containsExactlyInAnyOrderElementsOf(dryRunSet);
        String id = created.json().get("id").asText();

        assertProblem(post(requester, "/api/v1/requests/" + id + "/approve", ""), 403, "forbidden");
        assertProblem(post(auditor, "/api/v1/requests/" + id + "/approve", ""), 403, "forbidden");
        Reply once = post(first, "/api/v1/requests/" + id + "/approve", "");
        assertThat(once.status()).as(once.body()).isEqualTo(200);
        assertThat(once.json().get("state").asText()).isEqualTo("pending-approval");
        assertProblem(post(first, "/api/v1/requests/" + id + "/approve", ""), 409, "conflict");
        assertThat(get(auditor, "/api/v1/requests?state=pending-approval").json().get("items"))
                .extracting(r -> r.get("id").asText()).contains(id);
        assertThat(issued("tls-server")).as("nothing revoked before the second approval").hasSize(all.size());

        Reply twice = post(second, "/api/v1/requests/" + id + "/approve", "");
        assertThat(twice.status()).as(twice.body()).isEqualTo(200);
        assertThat(twice.json().get("approvals").toString()).isEqualTo("[\"Ida Approver\",\"Jon Approver\"]");
        JsonNode done = awaitDone(auditor, id);
        assertThat(done.get("done").asInt()).isEqualTo(all.size());
        assertThat(issued("tls-server")).isEmpty();
        assertThat(serials(get(auditor, "/api/v1/certificates?profile=tls-server&status=revoked&limit=1000")))
                .containsExactlyInAnyOrderElementsOf(dryRunSet);
        assertProblem(post(second, "/api/v1/requests/" + id + "/reject", ""), 409, "conflict");

        List<String> types = new ArrayList<>();
        get(auditor, "/api/v1/audit?since=0&limit=1000").json().get("items").forEach(e -> {
            if (e.get("details").has("request") && e.get("details").get("request").asText().equals(id)) {
                types.add(e.get("type").asText() + " " + e.get("actor").asText());
            }
        });
        assertThat(types).containsExactly("admin.request_created admin:Rae Requester",
                "admin.request_approved admin:Ida Approver", "admin.request_approved admin:Jon Approver",
                "admin.request_done admin:Rae Requester");

        // An operator revokes one certificate without approval; a rejected request revokes nothing.
        issueServerCertificates(2);
        List<String> two = issued("tls-server");
        Reply single = post(operator, "/api/v1/revocations", "{\"serials\":[\"" + two.get(0)
                + "\"],\"reason\":\"keyCompromise\"}");
        assertThat(single.status()).as(single.body()).isEqualTo(200);
        assertThat(single.json().get("approvalsRequired").asInt()).isZero();
        awaitDone(auditor, single.json().get("id").asText());
        Reply other = post(requester, "/api/v1/revocations", "{\"serials\":[\"" + two.get(1)
                + "\"],\"reason\":\"superseded\"}");
        assertThat(other.json().get("approvalsRequired").asInt()).as("one certificate by a requester").isEqualTo(1);
        Reply rejected = post(first, "/api/v1/requests/" + other.json().get("id").asText() + "/reject", "");
        assertThat(rejected.json().get("state").asText()).isEqualTo("rejected");
        assertProblem(post(second, "/api/v1/requests/" + other.json().get("id").asText() + "/approve", ""), 409,
                "conflict");
        assertThat(issued("tls-server")).hasSize(two.size() - 1).contains(two.get(1)).doesNotContain(two.get(0));
    }

    @Test
    void revocationRequestsWithBadInputAre422NamingTheMemberAndChangeNothing() throws Exception {
        Identity requester = enroll("Rex Requester", "requester");
        int before = get(enroll("Ava Auditor", "auditor"), "/api/v1/requests").json().get("items").size();
        String[][] cases = {
                {"{\"serials\":[\"xyz\"],\"reason\":\"superseded\"}", "serials[0]"},
                {"{\"serials\":[\"7fffffffffffffffffffffffffff\"],\"reason\":\"superseded\"}", "serials[0]"},
                {"{\"serials\":[],\"reason\":\"superseded\"}", "serials"},
                {"{\"query\":{\"profile\":\"device\"},\"reason\":\"superseded\"}", "query"},
                {"{\"query\":{\"colour\":\"red\"},\"reason\":\"superseded\"}", "query.colour"},
                {"{\"query\":{\"profile\":\"tls-server\"},\"reason\":\"sometimes\"}", "reason"},
                {"{\"query\":{\"profile\":\"tls-server\"},\"reason\":\"cACompromise\"}", "reason"},
                {"{\"query\":{\"profile\":\"tls-server\"},\"serials\":[\"1\"],\"reason\":\"superseded\"}", "serials"},
                {"{\"query\":{\"profile\":\"tls-server\"},\"reason\":\"superseded\",\"dryRun\":\"yes\"}", "dryRun"},
                {"[1,2]", "body"}, {"not json", "body"}};
        for (String[] c : cases) {
            Reply r = post(requester, "/api/v1/revocations", c[0]);
            assertProblem(r, 422, "bad-input");
            assertThat(r.json().get("field").asText()).as(c[0]).isEqualTo(c[1]);
        }
        assertProblem(post(requester, "/api/v1/requests/no-such-request/approve", ""), 403, "forbidden");
        assertProblem(get(requester, "/api/v1/requests/no-such-request"), 404, "not-found");
        assertProblem(get(requester, "/api/v1/revocations"), 405, "method-not-allowed");
        assertThat(get(enroll("Ava Auditor", "auditor"), "/api/v1/requests").json().get("items")).hasSize(before);
    }

    // ---- helpers

    private static Identity key(String name) throws Exception {
        return admin.key(name);
    }

    private static Identity enroll(String name, String roles) throws Exception {
        return admin.enroll(name, roles);
    }

    private static Identity selfSigned(String name) throws Exception {
        return admin.selfSigned(name);
    }

    private static Reply get(Identity who, String path) throws Exception {
        return admin.get(who, path);
    }

    private static Reply post(Identity who, String path, String body) throws Exception {
        return admin.post(who, path, body);
    }

    private static Reply request(Identity who, String method, String path) throws Exception {
        return admin.request(who, method, path, null);
    }

    private static void issueServerCertificates(int count) throws Exception {
        PkiProcess.Result r = pki.run("bench", "issue", "--count", Integer.toString(count), "--threads", "2");
        assertThat(r.exit()).as(r.toString()).isZero();
    }

    /** The serials of the issued certificates of {@code profile}, read on the CA host. */
    private static List<String> issued(String profile) throws Exception {
        PkiProcess.Result r = pki.run("list", "--profile", profile, "--status", "issued", "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        List<String> serials = new ArrayList<>();
        JSON.readTree(r.out()).forEach(c -> serials.add(c.get("serial").asText()));
        return serials;
    }

    private static List<String> serials(Reply certificates) throws IOException {
        List<String> out = new ArrayList<>();
        certificates.json().get("items").forEach(i -> out.add(i.get("serial").asText()));
        return out;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static JsonNode awaitDone(Identity who, String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            JsonNode r = get(who, "/api/v1/requests/" + id).json();
            if (r.get("state").asText().equals("done")) {
                return r;
            }
            assertThat(r.get("state").asText()).isEqualTo("running");
            assertThat(System.nanoTime()).as("request " + id + " done within 120 s").isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private static void assertProblem(Reply r, int status, String type) throws IOException {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("type").asText()).isEqualTo("urn:medpki:problem:" + type);
        assertThat(r.json().get("status").asInt()).isEqualTo(status);
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    /** The admin-api.refused audit entries with this reason, read through the API by an auditor. */
    private static List<JsonNode> refusals(Identity auditor, String reason) throws Exception {
        List<JsonNode> found = new ArrayList<>();
        get(auditor, "/api/v1/audit?since=0&limit=1000").json().get("items").forEach(e -> {
            if (e.get("type").asText().equals("admin-api.refused") && e.get("details").get("reason").asText()
                    .equals(reason)) {
                found.add(e);
            }
        });
        return found;
    }
}
