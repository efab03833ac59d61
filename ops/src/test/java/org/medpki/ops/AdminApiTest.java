package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.medpki.ops.AdminCurl.Identity;
import org.medpki.ops.AdminCurl.Reply;

/**
 * The admin API of a real 'pki up', driven with curl and client certificates whose keys and CSRs
 * openssl made: administrators enrolled on the CA host (break-glass, audited), each role's allowed
 * and refused reads, and every way in without a valid administrator certificate refused with 401.
 */
@ExtendWith(AdminLab.Shared.Resolver.class)
class AdminApiTest {
    private static final ObjectMapper JSON = AdminCurl.JSON;

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
    void eachRoleReadsWhatItMayAndIsRefusedTheRest() throws Exception {
        List<Identity> admins = enrollAll(new String[] {"Alice Auditor", "auditor"},
                new String[] {"Oscar Operator", "operator,requester"});
        Identity auditor = admins.get(0);
        Identity operator = admins.get(1);

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
        assertThat(item.has("notAfter") && item.has("owner") && item.has("tags")).isTrue();
        assertThat(get(auditor, "/api/v1/certificates?expiringWithinDays=400&profile=admin").json().get("items"))
                .hasSizeGreaterThanOrEqualTo(2);

        // The audit log: the auditor reads the break-glass enrolments; the operator may not.
        List<JsonNode> enrolled = new ArrayList<>();
        admin.audit(auditor).forEach(e -> {
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
        List<Identity> admins = enrollAll(new String[] {"Ada Auditor", "auditor"},
                new String[] {"Rita Revoked", "auditor"});
        Identity auditor = admins.get(0);
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
        Identity revoked = admins.get(1);
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
                {"profile=Bad%20Name", "profile"}, {"owner=%3Cradiology%3E", "owner"}, {"status=issued&status=revoked", "status"},
                {"tag=a%20b", "tag"}, {"issuedAfter=yesterday", "issuedAfter"}, {"keySha256=12", "keySha256"},
                {"acmeAccount=a%20b", "acmeAccount"}, {"acmeAccount=a&eabKey=b", "eabKey"},
                {"issuedAfter=2026-12-02T00:00:00Z&issuedBefore=2026-12-01T00:00:00Z", "issuedBefore"}}) {
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
        Identity wrongName = key("Mallory");
        List<PkiProcess.Result> results = pki.runAll(new String[] {"status", "--json"},
                new String[] {"admin", "enroll", "Bob", "--role", "auditor", "--csr", wrongName.csr().toString(), "--out",
                        wrongName.chain().toString()},
                new String[] {"admin", "enroll", "Mallory", "--role", "root", "--csr", wrongName.csr().toString(),
                        "--out", wrongName.chain().toString()});
        PkiProcess.Result status = results.get(0);
        assertThat(status.exit()).as(status.toString()).isZero();
        List<String> urls = new ArrayList<>();
        JSON.readTree(status.out()).get("services").forEach(s -> {
            if (s.get("name").asText().equals("admin")) {
                urls.add(s.get("url").asText());
            }
        });
        assertThat(urls).containsExactly("https://127.0.0.1:" + port + "/");

        PkiProcess.Result mismatch = results.get(1);
        assertThat(mismatch.exit()).isNotZero();
        assertThat(mismatch.err()).contains("CN").contains("Bob").doesNotContain("Exception");
        PkiProcess.Result badRole = results.get(2);
        assertThat(badRole.exit()).isNotZero();
        assertThat(badRole.err()).contains("unknown role 'root'").doesNotContain("Exception");
        assertThat(Files.exists(wrongName.chain())).as("nothing issued").isFalse();
    }

    @Test
    void aMassRevocationRunsOnceTwoApproversOtherThanTheRequesterApproveAndRevokesExactlyTheDryRunSet()
            throws Exception {
        List<Identity> admins = enrollAll(new String[] {"Rae Requester", "requester,approver"},
                new String[] {"Ida Approver", "approver"}, new String[] {"Jon Approver", "approver"},
                new String[] {"Aud Auditor", "auditor"}, new String[] {"Ola Operator", "operator"});
        Identity requester = admins.get(0);
        Identity first = admins.get(1);
        Identity second = admins.get(2);
        Identity auditor = admins.get(3);
        Identity operator = admins.get(4);
        issueServerCertificates(12);
        List<String> all = issued("tls-server");
        assertThat(all).as("the bench's certificates and its warm-up's").hasSizeGreaterThan(10);
        // Other classes on the same installation may have revoked tls-server certificates before.
        List<String> revokedBefore = serials(get(auditor,
                "/api/v1/certificates?profile=tls-server&status=revoked&limit=1000"));
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
        List<String> revokedNow = new ArrayList<>(revokedBefore);
        revokedNow.addAll(dryRunSet);
        assertThat(serials(get(auditor, "/api/v1/certificates?profile=tls-server&status=revoked&limit=1000")))
                .containsExactlyInAnyOrderElementsOf(revokedNow);
        assertProblem(post(second, "/api/v1/requests/" + id + "/reject", ""), 409, "conflict");

        List<String> types = new ArrayList<>();
        admin.audit(auditor).forEach(e -> {
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
        List<Identity> admins = enrollAll(new String[] {"Rex Requester", "requester"},
                new String[] {"Ava Auditor", "auditor"});
        Identity requester = admins.get(0);
        Identity auditor = admins.get(1);
        int before = get(auditor, "/api/v1/requests").json().get("items").size();
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
        assertThat(get(auditor, "/api/v1/requests").json().get("items")).hasSize(before);
    }

    @Test
    void operatorsRecordOwnersAndTheSearchAndRevocationQueriesFilterOnThem() throws Exception {
        List<Identity> admins = enrollAll(new String[] {"Otto Owners", "operator,requester"},
                new String[] {"Aldo Auditor", "auditor"}, new String[] {"Pacs Gateway", "auditor"});
        Identity operator = admins.get(0);
        Identity auditor = admins.get(1);
        Identity holder = admins.get(2);
        String owner = "/api/v1/owners/Radiology%20IT";

        Reply created = admin.request(operator, "PUT", owner, "{\"contact\":\"radiology-it@hospital.test\","
                + "\"location\":\"Building C\",\"acmeContacts\":[\"Radiology-IT@hospital.test\"]}");
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        assertThat(created.json().get("name").asText()).isEqualTo("Radiology IT");
        assertThat(created.json().get("acmeContacts").toString()).isEqualTo("[\"radiology-it@hospital.test\"]");
        assertProblem(admin.request(auditor, "PUT", owner, "{}"), 403, "forbidden");
        String[][] badOwners = {
                {"{\"contact\":\"Radiology <r@h.test>\"}", "contact"},
                {"{\"eabKeys\":[\"no-such-key\"]}", "eabKeys"},
                {"{\"acmeContacts\":\"r@h.test\"}", "acmeContacts"},
                {"{\"colour\":\"red\"}", "colour"}};
        for (String[] c : badOwners) {
            Reply r = admin.request(operator, "PUT", owner, c[0]);
            assertProblem(r, 422, "bad-input");
            assertThat(r.json().get("field").asText()).as(c[0]).isEqualTo(c[1]);
        }
        assertThat(get(auditor, owner).json().get("contact").asText()).as("refused changes change nothing")
                .isEqualTo("radiology-it@hospital.test");

        String path = "/api/v1/certificates/" + holder.serial() + "/owner";
        Reply assigned = admin.request(operator, "PUT", path,
                "{\"owner\":\"Radiology IT\",\"location\":\"Room 101\",\"tags\":[\"pacs\",\"critical\"]}");
        assertThat(assigned.status()).as(assigned.body()).isEqualTo(200);
        assertProblem(admin.request(operator, "PUT", path, "{\"owner\":\"Nobody Here\"}"), 422, "bad-input");
        assertProblem(admin.request(operator, "PUT", "/api/v1/certificates/7fffffffffff/owner",
                "{\"owner\":\"Radiology IT\"}"), 404, "not-found");
        assertProblem(admin.request(auditor, "PUT", path, "{}"), 403, "forbidden");

        for (String search : List.of("owner=Radiology%20IT", "tag=pacs", "owner=Radiology%20IT&tag=critical&profile=admin")) {
            Reply found = get(auditor, "/api/v1/certificates?" + search);
            assertThat(found.status()).as(found.body()).isEqualTo(200);
            assertThat(serials(found)).as(search).containsExactly(holder.serial());
            JsonNode item = found.json().get("items").get(0);
            assertThat(item.get("owner").asText()).isEqualTo("Radiology IT");
            assertThat(item.get("location").asText()).isEqualTo("Room 101");
            assertThat(strings(item.get("tags"))).containsExactly("pacs", "critical");
        }
        assertThat(serials(get(auditor, "/api/v1/certificates?owner=Nobody"))).isEmpty();
        assertThat(serials(get(auditor, "/api/v1/certificates?acmeAccount=no-such-account"))).isEmpty();
        assertProblem(get(auditor, "/api/v1/certificates?keySha256=zz"), 422, "bad-input");
        assertProblem(get(auditor, "/api/v1/certificates?issuer=No%20Such%20CA"), 422, "bad-input");

        Reply dry = post(operator, "/api/v1/revocations",
                "{\"query\":{\"owner\":\"Radiology IT\",\"tag\":\"pacs\"},\"reason\":\"superseded\",\"dryRun\":true}");
        assertThat(dry.status()).as(dry.body()).isEqualTo(200);
        assertThat(strings(dry.json().get("serials"))).containsExactly(holder.serial());

        List<String> changes = new ArrayList<>();
        admin.audit(auditor).forEach(e -> {
            if (e.get("type").asText().startsWith("admin.") && e.get("type").asText().contains("owner")) {
                changes.add(e.get("type").asText() + " " + e.get("actor").asText());
            }
        });
        assertThat(changes).containsExactly("admin.owner_set admin:Otto Owners",
                "admin.certificate_owner_set admin:Otto Owners");
    }

    @Test
    void aSecurityOfficerEnrollsAnAdministratorAndChangesRolesOnceTwoOtherApproversApprove() throws Exception {
        List<Identity> admins = enrollAll(new String[] {"Sofia Officer", "security-officer"},
                new String[] {"Abe Approver", "approver"}, new String[] {"Bea Approver", "approver"},
                new String[] {"Opal Operator", "operator"});
        Identity officer = admins.get(0);
        Identity first = admins.get(1);
        Identity second = admins.get(2);
        Identity operator = admins.get(3);
        Identity newcomer = key("Nina Newcomer");
        ObjectNode ask = JSON.createObjectNode().put("name", "Nina Newcomer")
                .put("csr", Files.readString(newcomer.csr()));
        ask.putArray("roles").add("auditor");

        assertProblem(post(operator, "/api/v1/admins", ask.toString()), 403, "forbidden");
        Reply asked = post(officer, "/api/v1/admins", ask.toString());
        assertThat(asked.status()).as(asked.body()).isEqualTo(200);
        assertThat(asked.json().get("kind").asText()).isEqualTo("admin-change");
        assertThat(asked.json().get("state").asText()).isEqualTo("pending-approval");
        assertThat(asked.json().get("approvalsRequired").asInt()).isEqualTo(2);
        String id = asked.json().get("id").asText();
        assertProblem(post(officer, "/api/v1/requests/" + id + "/approve", ""), 403, "forbidden");
        assertThat(post(first, "/api/v1/requests/" + id + "/approve", "").json().get("state").asText())
                .isEqualTo("pending-approval");
        assertThat(get(officer, "/api/v1/admins").json().get("items")).as("nobody enrolled before the second approval")
                .noneMatch(a -> a.get("name").asText().equals("Nina Newcomer"));
        assertThat(post(second, "/api/v1/requests/" + id + "/approve", "").status()).isEqualTo(200);
        JsonNode done = awaitDone(officer, id);
        JsonNode result = done.get("payload").get("result");
        Files.writeString(newcomer.chain(), result.get("certificate").asText());
        Reply me = admin.get(newcomer, "/api/v1/me");
        assertThat(me.status()).as(me.body()).isEqualTo(200);
        assertThat(me.json().get("roles").toString()).isEqualTo("[\"auditor\"]");

        String roles = "/api/v1/admins/Nina%20Newcomer/roles";
        Reply change = admin.request(officer, "PUT", roles, "{\"roles\":[\"auditor\",\"requester\"]}");
        assertThat(change.status()).as(change.body()).isEqualTo(200);
        String changeId = change.json().get("id").asText();
        assertThat(get(newcomer, "/api/v1/me").json().get("roles").toString()).as("unchanged before approval")
                .isEqualTo("[\"auditor\"]");
        post(first, "/api/v1/requests/" + changeId + "/approve", "");
        post(second, "/api/v1/requests/" + changeId + "/approve", "");
        awaitDone(officer, changeId);
        assertThat(get(newcomer, "/api/v1/me").json().get("roles").toString()).isEqualTo("[\"auditor\",\"requester\"]");

        Reply own = admin.request(officer, "PUT", "/api/v1/admins/Abe%20Approver/roles",
                "{\"roles\":[\"approver\",\"security-officer\"]}");
        assertProblem(post(first, "/api/v1/requests/" + own.json().get("id").asText() + "/approve", ""), 403,
                "forbidden");
        assertThat(post(second, "/api/v1/requests/" + own.json().get("id").asText() + "/reject", "").json()
                .get("state").asText()).isEqualTo("rejected");

        JsonNode listed = null;
        for (JsonNode a : get(newcomer, "/api/v1/admins").json().get("items")) {
            if (a.get("name").asText().equals("Nina Newcomer")) {
                listed = a;
            }
        }
        assertThat(listed).isNotNull();
        assertThat(strings(listed.get("certificates"))).containsExactly(result.get("serial").asText());

        ObjectNode wrongName = ask.deepCopy().put("name", "Someone Else");
        ObjectNode badRole = ask.deepCopy();
        badRole.putArray("roles").add("king");
        String[][] bad = {{wrongName.toString(), "csr"}, {badRole.toString(), "roles[0]"},
                {ask.deepCopy().put("csr", "not a csr").toString(), "csr"}, {"{\"name\":\"x\"}", "roles"}};
        for (String[] c : bad) {
            Reply r = post(officer, "/api/v1/admins", c[0]);
            assertProblem(r, 422, "bad-input");
            assertThat(r.json().get("field").asText()).as(c[0]).isEqualTo(c[1]);
        }
        assertProblem(admin.request(officer, "PUT", "/api/v1/admins/Nobody%20Here/roles", "{\"roles\":[\"auditor\"]}"),
                404, "not-found");

        List<String> types = new ArrayList<>();
        admin.audit(newcomer).forEach(e -> {
            if (e.get("details").has("request") && List.of(id, changeId).contains(e.get("details").get("request").asText())) {
                types.add(e.get("type").asText() + " " + e.get("actor").asText());
            }
        });
        assertThat(types).containsExactly("admin.request_created admin:Sofia Officer",
                "admin.request_approved admin:Abe Approver", "admin.request_approved admin:Bea Approver",
                "admin.enrolled admin:Sofia Officer", "admin.request_created admin:Sofia Officer",
                "admin.request_approved admin:Abe Approver", "admin.request_approved admin:Bea Approver",
                "admin.roles_changed admin:Sofia Officer");
    }

    @Test
    void operatorsRegisterListAndDecommissionDevicesAndTheCodeIsShownOnce() throws Exception {
        List<Identity> admins = enrollAll(new String[] {"Olga Devices", "operator"},
                new String[] {"Arne Auditor", "auditor"});
        Identity operator = admins.get(0);
        Identity auditor = admins.get(1);
        String body = "{\"serial\":\"INF-7731\",\"manufacturer\":\"Acme Pumps\",\"model\":\"P5\","
                + "\"location\":\"Ward 3\"}";
        assertProblem(post(auditor, "/api/v1/devices", body), 403, "forbidden");
        Reply registered = post(operator, "/api/v1/devices", body);
        assertThat(registered.status()).as(() -> registered.body() + logTail()).isEqualTo(201);
        String code = registered.json().get("enrollmentCode").asText();
        assertThat(code).matches("[0-9A-HJKMNP-TV-Z]{32}");
        assertThat(registered.json().get("serial").asText()).isEqualTo("INF-7731");
        assertThat(registered.json().get("expires").asText()).isNotBlank();

        JsonNode listed = get(auditor, "/api/v1/devices?state=registered&manufacturer=Acme%20Pumps").json();
        assertThat(listed.get("items")).extracting(d -> d.get("serial").asText()).containsExactly("INF-7731");
        JsonNode device = get(auditor, "/api/v1/devices/INF-7731").json();
        assertThat(device.get("state").asText()).isEqualTo("registered");
        assertThat(device.get("location").asText()).isEqualTo("Ward 3");
        assertThat(device.get("codeUsed").asBoolean()).isFalse();
        assertThat(device.get("certificates")).isEmpty();
        assertThat(device.toString()).doesNotContain(code);

        for (String bad : List.of("{\"serial\":\"-starts-with-a-dash\"}", "{\"serial\":\"A\",\"model\":\"x\\u0007\"}",
                "{\"serial\":\"" + "A".repeat(65) + "\"}", "{\"serial\":\"A\",\"colour\":\"red\"}", "{\"serial\":7}")) {
            assertProblem(post(operator, "/api/v1/devices", bad), 422, "bad-input");
        }
        assertProblem(get(auditor, "/api/v1/devices?state=lost"), 422, "bad-input");
        assertProblem(get(auditor, "/api/v1/devices/NO-SUCH-DEVICE"), 404, "not-found");

        // An IEEE 11073 SDC device: its profile and URI (its certificates' SAN) kept and shown; a
        // registration the CA would refuse (no URI for a profile that needs a name, a URI the profile
        // does not allow, another live device's URI, a profile not in devices.profiles) refused.
        String uri = "urn:uuid:" + java.util.UUID.randomUUID();
        Reply sdc = post(operator, "/api/v1/devices", "{\"serial\":\"MON-17\",\"profile\":\"sdc-participant\","
                + "\"uri\":\"" + uri + "\"}");
        assertThat(sdc.status()).as(sdc.body()).isEqualTo(201);
        assertThat(sdc.json().get("uri").asText()).isEqualTo(uri);
        assertThat(sdc.json().get("profile").asText()).isEqualTo("sdc-participant");
        JsonNode monitor = get(auditor, "/api/v1/devices/MON-17").json();
        assertThat(monitor.get("uri").asText()).isEqualTo(uri);
        assertThat(monitor.get("profile").asText()).isEqualTo("sdc-participant");
        assertThat(get(auditor, "/api/v1/devices/INF-7731").json().get("uri").isNull()).isTrue();
        for (String bad : List.of("{\"serial\":\"MON-18\",\"profile\":\"sdc-participant\"}",
                "{\"serial\":\"MON-18\",\"profile\":\"sdc-participant\",\"uri\":\"urn:dev:mac:0024befffe804ff1\"}",
                "{\"serial\":\"MON-18\",\"uri\":\"urn:uuid:a b\"}", "{\"serial\":\"MON-18\",\"uri\":\"ftp://x\"}",
                "{\"serial\":\"MON-18\",\"profile\":\"tls-server\"}")) {
            assertProblem(post(operator, "/api/v1/devices", bad), 422, "bad-input");
        }
        Reply taken = post(operator, "/api/v1/devices", "{\"serial\":\"MON-18\",\"uri\":\"" + uri + "\"}");
        assertProblem(taken, 409, "conflict");
        assertThat(taken.body()).contains(uri).doesNotContain("duplicate key");
        assertProblem(post(auditor, "/api/v1/devices/INF-7731/decommission", ""), 403, "forbidden");

        Reply decommissioned = post(operator, "/api/v1/devices/INF-7731/decommission", "");
        assertThat(decommissioned.status()).as(decommissioned.body()).isEqualTo(200);
        assertThat(decommissioned.json().get("state").asText()).isEqualTo("decommissioned");
        assertThat(decommissioned.json().get("revoked")).isEmpty();
        assertThat(get(auditor, "/api/v1/devices/INF-7731").json().get("state").asText()).isEqualTo("decommissioned");
        Reply again = post(operator, "/api/v1/devices", body);
        assertProblem(again, 409, "conflict");
        assertThat(again.body()).contains("device INF-7731 is decommissioned: it cannot enroll again");

        List<String> types = new ArrayList<>();
        admin.audit(auditor).forEach(e -> {
            assertThat(e.toString()).as("the enrollment code is in no audit entry").doesNotContain(code);
            if (e.get("type").asText().startsWith("device.")) {
                types.add(e.get("type").asText() + " " + e.get("actor").asText() + " " + e.get("details").get("device"));
            }
        });
        assertThat(types).containsExactly("device.registered admin:Olga Devices \"INF-7731\"",
                "device.registered admin:Olga Devices \"MON-17\"",
                "device.decommissioned admin:Olga Devices \"INF-7731\"");
    }

    // ---- helpers

    /** The end of the services' output, for the message of a failed assertion. */
    private static String logTail() {
        try {
            String log = Files.readString(up.out()) + Files.readString(up.err());
            return "\n" + log.substring(Math.max(0, log.length() - 6000));
        } catch (IOException e) {
            return "";
        }
    }

    private static Identity key(String name) throws Exception {
        return admin.key(name);
    }

    private static Identity enroll(String name, String roles) throws Exception {
        return admin.enroll(name, roles);
    }

    private static List<Identity> enrollAll(String[]... nameAndRoles) throws Exception {
        return admin.enrollAll(nameAndRoles);
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
        admin.audit(auditor).forEach(e -> {
            if (e.get("type").asText().equals("admin-api.refused") && e.get("details").get("reason").asText()
                    .equals(reason)) {
                found.add(e);
            }
        });
        return found;
    }
}
