package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.medpki.ops.AdminCurl.Identity;
import org.medpki.ops.AdminCurl.Reply;

/**
 * The web console's side of the admin API on a real 'pki up', with curl: the console's files and
 * their headers without any certificate (and no data), the CSRF rule for browser requests (a
 * forged, missing or foreign token, another origin, a cross-site fetch: 403, audited, nothing
 * changed; the CLI unchanged), the sorted keyset-paged list with its clamped page size, and one
 * certificate's detail and downloads checked against openssl.
 */
@ExtendWith(AdminLab.Shared.Resolver.class)
class ConsoleApiTest {
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

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
    void theConsoleLoadsWithoutACertificateWithItsHeadersAndShowsNoData() throws Exception {
        Reply page = admin.request(null, "GET", "/console/", null, List.of());
        assertThat(page.status()).as(page.body()).isEqualTo(200);
        assertThat(page.contentType()).startsWith("text/html");
        assertThat(page.body()).contains("<script type=\"module\" src=\"app.js\"></script>");
        assertThat(page.header("Content-Security-Policy")).isEqualTo(CSP);
        assertThat(page.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(page.header("Referrer-Policy")).isEqualTo("no-referrer");
        assertThat(page.header("Cache-Control")).isEqualTo("no-store");
        Reply app = admin.request(null, "GET", "/console/app.js", null, List.of());
        assertThat(app.status()).isEqualTo(200);
        assertThat(app.contentType()).contains("javascript");
        assertThat(app.header("Content-Security-Policy")).isEqualTo(CSP);
        Reply signin = admin.request(null, "GET", "/console/pages/signin.js", null, List.of());
        assertThat(signin.body()).contains("pki admin enroll");
        Reply redirect = admin.request(null, "GET", "/console", null, List.of());
        assertThat(redirect.status()).isEqualTo(301);
        assertThat(redirect.header("Location")).isEqualTo("/console/");
        assertThat(admin.request(null, "GET", "/console/missing.js", null, List.of()).status()).isEqualTo(404);
        assertThat(admin.request(null, "GET", "/console/../api/v1/me", null, List.of()).status()).isIn(400, 401, 404);
        // What the pages would show comes from the API only, which answers nothing without a certificate.
        for (String path : List.of("/api/v1/me", "/api/v1/certificates", "/api/v1/requests")) {
            Reply r = admin.get(null, path);
            assertThat(r.status()).as(path).isEqualTo(401);
            assertThat(r.body()).doesNotContain("serial");
        }
        Reply stranger = admin.get(admin.selfSigned("Eve Elsewhere"), "/api/v1/me");
        assertThat(stranger.status()).isEqualTo(401);
    }

    @Test
    void aBrowserRequestThatChangesStateNeedsThisOriginAndTheAdminsTokenWhileTheCliNeedsNone() throws Exception {
        List<Identity> admins = admin.enrollAll(new String[] {"Orla Operator", "operator,requester"},
                new String[] {"Aldous Auditor", "auditor"}, new String[] {"Vic Victim", "auditor"});
        Identity operator = admins.get(0);
        Identity auditor = admins.get(1);
        Identity victim = admins.get(2);
        String token = admin.get(operator, "/api/v1/me").json().get("csrfToken").asText();
        String auditorToken = admin.get(auditor, "/api/v1/me").json().get("csrfToken").asText();
        assertThat(token).hasSizeGreaterThan(20).isNotEqualTo(auditorToken);
        assertThat(admin.get(operator, "/api/v1/me").json().get("csrfToken").asText()).as("stable").isEqualTo(token);
        String own = "Origin: https://127.0.0.1:" + port;
        String revoke = "{\"serials\":[\"" + victim.serial() + "\"],\"reason\":\"superseded\"}";
        int requestsBefore = admin.get(auditor, "/api/v1/requests").json().get("items").size();

        String[][] refused = {
                {own, "X-CSRF-Token: " + auditorToken},
                {own, "X-CSRF-Token: " + token.substring(1) + "A"},
                {own},
                {"Origin: https://evil.example", "X-CSRF-Token: " + token},
                {"Origin: null", "X-CSRF-Token: " + token},
                {"Sec-Fetch-Site: cross-site", "X-CSRF-Token: " + token},
                {own, "Sec-Fetch-Site: same-site", "X-CSRF-Token: " + token},
        };
        for (String[] headers : refused) {
            Reply r = admin.request(operator, "POST", "/api/v1/revocations", revoke, List.of(headers));
            assertThat(r.status()).as(String.join(" | ", headers) + ": " + r.body()).isEqualTo(403);
            assertThat(r.json().get("type").asText()).isEqualTo("urn:medpki:problem:forbidden");
        }
        // Also on another state-changing route, and a forged token on an approval.
        assertThat(admin.request(operator, "PUT", "/api/v1/owners/ward-7", "{\"contact\":\"x@example.org\"}",
                List.of("Origin: https://evil.example")).status()).isEqualTo(403);
        assertThat(admin.get(auditor, "/api/v1/requests").json().get("items")).as("no request made").hasSize(requestsBefore);
        assertThat(admin.get(victim, "/api/v1/me").status()).as("the certificate still works").isEqualTo(200);

        // A GET from the browser needs no token; the CLI (no Origin) posts as before.
        assertThat(admin.request(operator, "GET", "/api/v1/me", null, List.of("Origin: https://evil.example")).status())
                .isEqualTo(200);
        Reply dryRun = admin.post(operator, "/api/v1/revocations", revoke.replace("}", ",\"dryRun\":true}"));
        assertThat(dryRun.status()).as(dryRun.body()).isEqualTo(200);
        assertThat(dryRun.json().get("state").asText()).isEqualTo("dry-run");

        // The console's own request: this origin, the operator's token.
        Reply done = admin.request(operator, "POST", "/api/v1/revocations", revoke,
                List.of(own, "Sec-Fetch-Site: same-origin", "X-CSRF-Token: " + token));
        assertThat(done.status()).as(done.body()).isEqualTo(200);
        String id = done.json().get("id").asText();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!admin.get(auditor, "/api/v1/requests/" + id).json().get("state").asText().equals("done")) {
            assertThat(System.nanoTime()).as("the revocation runs").isLessThan(deadline);
            Thread.sleep(200);
        }
        String issuer = admin.get(auditor, "/api/v1/certificates?profile=admin&limit=1").json().get("items").get(0)
                .get("issuer").asText();
        JsonNode revoked = admin.get(auditor, "/api/v1/certificates/" + issuer + "/" + victim.serial()).json();
        assertThat(revoked.get("status").asText()).as(revoked.toString()).isEqualTo("revoked");
        assertThat(revoked.get("ocsp").get("status").asText()).isEqualTo("revoked");

        List<String> reasons = new ArrayList<>();
        admin.audit(auditor).forEach(e -> {
            if (e.get("type").asText().equals("admin-api.refused")) {
                reasons.add(e.get("details").get("reason").asText());
            }
        });
        assertThat(reasons).contains("request from another origin")
                .anyMatch(r -> r.startsWith("missing or wrong X-CSRF-Token"))
                .anyMatch(r -> r.startsWith("request from another site"));
    }

    @Test
    void theSortedListPagesByCursorClampsItsPageAndOneCertificateShowsWhatOpensslSees() throws Exception {
        List<Identity> admins = admin.enrollAll(new String[] {"Pia Pager", "auditor"},
                new String[] {"Oli Operator", "operator"});
        Identity auditor = admins.get(0);
        Identity operator = admins.get(1);
        JsonNode first = admin.get(auditor, "/api/v1/certificates?profile=admin&sort=serial&order=asc&limit=1").json();
        assertThat(first.get("items")).hasSize(1);
        assertThat(first.get("next").isTextual()).isTrue();
        JsonNode second = admin.get(auditor, "/api/v1/certificates?profile=admin&sort=serial&order=asc&limit=1&after="
                + first.get("next").asText()).json();
        assertThat(second.get("items")).hasSize(1);
        assertThat(new BigInteger(second.get("items").get(0).get("serial").asText(), 16))
                .isGreaterThan(new BigInteger(first.get("items").get(0).get("serial").asText(), 16));
        JsonNode all = admin.get(auditor, "/api/v1/certificates?profile=admin&sort=notAfter&order=desc&limit=999999999").json();
        assertThat(all.get("limit").asInt()).as("clamped").isEqualTo(200);
        assertThat(all.get("items").size()).isBetween(2, 200);
        for (String bad : List.of("after=bm9wZQ", "after=" + first.get("next").asText() + "&sort=notAfter", "sort=colour",
                "order=sideways", "sort=serial&limit=0", "sort=serial&limit=-5")) {
            Reply r = admin.get(auditor, "/api/v1/certificates?" + bad);
            assertThat(r.status()).as(bad + ": " + r.body()).isEqualTo(422);
        }
        assertThat(admin.get(auditor, "/api/v1/certificates?limit=100000").status()).as("unsorted: as before").isEqualTo(422);

        JsonNode item = admin.get(auditor, "/api/v1/certificates?owner=nobody-at-all&sort=serial").json();
        assertThat(item.get("items")).isEmpty();
        String issuer = first.get("items").get(0).get("issuer").asText();
        String path = "/api/v1/certificates/" + issuer + "/" + operator.serial();
        Reply detail = admin.get(auditor, path);
        assertThat(detail.status()).as(detail.body() + Files.readString(up.err())).isEqualTo(200);
        JsonNode d = detail.json();
        assertThat(d.get("subject").asText()).contains("CN=Oli Operator");
        assertThat(d.get("status").asText()).isEqualTo("issued");
        assertThat(d.get("ocsp").get("status").asText()).isEqualTo("good");
        assertThat(d.get("key").get("algorithm").asText()).isEqualTo("EC");
        String spki = AdminCurl.exec("bash", "-c", "openssl x509 -in '" + operator.chain() + "' -pubkey -noout"
                + " | openssl pkey -pubin -outform DER | openssl dgst -sha256 -r").split(" ")[0];
        assertThat(d.get("key").get("spkiSha256").asText()).isEqualTo(spki);
        assertThat(d.get("extensions").get("extendedKeyUsage").toString()).contains("clientAuth");
        assertThat(d.get("chain").size()).isGreaterThanOrEqualTo(1);
        assertThat(d.get("crl").get("checked").asBoolean()).isTrue();
        assertThat(d.has("audit")).as("auditors see the audit entries").isTrue();
        assertThat(admin.get(operator, path).json().has("audit")).as("others do not").isFalse();

        Reply pem = admin.get(operator, path + "/pem");
        assertThat(pem.status()).isEqualTo(200);
        assertThat(pem.header("Content-Disposition")).contains(operator.serial());
        Path saved = Files.writeString(tmp.resolve("downloaded.pem"), pem.body());
        String serial = AdminCurl.exec("openssl", "x509", "-in", saved.toString(), "-noout", "-serial").trim();
        assertThat(serial.replaceFirst("^serial=0*", "").toLowerCase()).isEqualTo(operator.serial());
        Reply der = admin.get(operator, path + "/der");
        assertThat(der.status()).isEqualTo(200);
        assertThat(der.contentType()).isEqualTo("application/pkix-cert");
        assertThat(der.body()).as("a DER SEQUENCE").startsWith("0");

        assertThat(admin.get(auditor, "/api/v1/certificates/" + issuer + "/abcdef0123456789").status()).isEqualTo(404);
        assertThat(admin.get(auditor, "/api/v1/certificates/" + issuer + "/not-hex").status()).isEqualTo(422);
        assertThat(admin.get(auditor, "/api/v1/certificates/no-such-ca/ab").status()).isEqualTo(404);
        assertThat(admin.get(auditor, path + "/txt").status()).isEqualTo(404);
    }
}
