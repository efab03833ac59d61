package org.medpki.inventory.pg;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.math.BigInteger;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medpki.admin.notice.ExpiryNoticeConfig;
import org.medpki.admin.notice.ExpiryNotices;
import org.medpki.admin.notice.WebhookSignature;
import org.medpki.core.audit.AuditLog;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.inventory.CertificateIntent;
import org.medpki.core.inventory.Inventory;
import org.medpki.core.inventory.NewCa;
import org.medpki.core.revocation.RevocationReason;

/**
 * The expiry notices end to end below the service: a real PostgreSQL inventory, a real SMTP
 * server (GreenMail) and a real HTTP server as the webhook's receiver, which checks the HMAC as a
 * receiver would. One scenario, in order: the first run notifies each certificate once per
 * channel (grouped by recipient), the second sends nothing, a certificate with a replacement is
 * never notified, a relay that fails leaves the notice to the next run, and a certificate that
 * enters a smaller window later gets that window's notice.
 */
class ExpiryNoticesTest {
    private static final byte[] SECRET = "a webhook secret of 32 bytes...!".getBytes(StandardCharsets.US_ASCII);
    private static final List<Integer> WINDOWS = List.of(30, 14, 7);

    private static TestDatabase database;
    private static InventoryDatabase db;
    private static Vertx vertx;
    private static GreenMail smtp;
    private static HttpServer receiver;
    private static final List<Received> hooks = new CopyOnWriteArrayList<>();

    record Received(String timestamp, String signature, byte[] body) {
    }

    @BeforeAll
    static void start() {
        database = TestDatabase.create();
        db = InventoryDatabase.open(database.url(), 4);
        vertx = Vertx.vertx();
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        receiver = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
            hooks.add(new Received(req.getHeader(WebhookSignature.TIMESTAMP_HEADER),
                    req.getHeader(WebhookSignature.SIGNATURE_HEADER), b.getBytes()));
            req.response().setStatusCode(204).end();
        })).listen(0, "127.0.0.1").await();
    }

    @AfterAll
    static void stop() {
        if (smtp != null) {
            smtp.stop();
        }
        if (vertx != null) {
            vertx.close().await();
        }
        if (db != null) {
            db.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void noticesGoOutOncePerWindowAndChannelAndFailuresAreRetried() throws Exception {
        Inventory inventory = db.inventory();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        long root = inventory.saveCa(TestCertificates.root("Notice Root")).id();
        // An OCSP signer expiring in 10 days with no successor: the PKI team's (default recipients).
        long signer = inventory.saveCa(new NewCa("notice-root-ocsp", CaRole.OCSP_SIGNER, root, "ocsp-key",
                TestCertificates.selfSigned("Notice Root OCSP Signer"), now.minus(Duration.ofDays(80)),
                now.plus(Duration.ofDays(10)))).id();

        BigInteger owned = issue(inventory, root, 0xA1, "CN=pacs.hospital.test", List.of("pacs.hospital.test"), 20);
        // A subject with a line break (names come from requests): shown as '?', never a header.
        BigInteger ownerless = issue(inventory, root, 0xB2, "CN=lab.hospital.test\r\nBcc: attacker@evil.test",
                List.of("lab.hospital.test"), 6);
        BigInteger renewed = issue(inventory, root, 0xC3, "CN=ris.hospital.test",
                List.of("ris.hospital.test", "ris2.hospital.test"), 10);
        // The renewal: same profile, subject and names (in another order), later notAfter.
        issue(inventory, root, 0xC4, "CN=ris.hospital.test", List.of("ris2.hospital.test", "ris.hospital.test"), 90);
        issue(inventory, root, 0xD5, "CN=far.hospital.test", List.of("far.hospital.test"), 100);
        BigInteger revoked = issue(inventory, root, 0xE6, "CN=gone.hospital.test", List.of("gone.hospital.test"), 5);
        inventory.revoke(root, revoked, RevocationReason.SUPERSEDED, Instant.now(), null);
        try (Connection c = database.admin(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO owner (name, contact, updated_by) VALUES ('Radiology', 'radiology@hospital.test', 'test')");
            s.execute("INSERT INTO certificate_owner (ca_id, serial, owner, updated_by) VALUES (" + root + ", "
                    + owned + ", 'Radiology', 'test')");
        }

        int smtpPort = smtp.getSmtp().getPort();
        ExpiryNotices notices = notices(smtpPort, Clock.systemUTC());
        ExpiryNotices.Run first = notices.runOnce();
        assertThat(first.sent()).as("three certificates, two channels").isEqualTo(6);
        assertThat(first.failed()).isZero();

        assertThat(smtp.waitForIncomingEmail(5_000, 2)).isTrue();
        MimeMessage[] mails = smtp.getReceivedMessages();
        assertThat(mails).hasSize(2);
        MimeMessage toOwner = to(mails, "radiology@hospital.test");
        String ownerBody = GreenMailUtil.getBody(toOwner);
        assertThat(ownerBody).contains("serial:   a1", "CN=pacs.hospital.test", "pacs.hospital.test", "window:   30 days",
                "owner:    Radiology").doesNotContain("lab.hospital.test");
        assertThat(toOwner.getFrom()[0].toString()).isEqualTo("pki@hospital.test");
        String teamBody = GreenMailUtil.getBody(to(mails, "pki-team@hospital.test"));
        assertThat(teamBody).contains("subject:  CN=lab.hospital.test??Bcc: attacker@evil.test");
        assertThat(Arrays.stream(mails).flatMap(m -> {
            try {
                return Arrays.stream(m.getAllRecipients()).map(Object::toString);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        })).doesNotContain("attacker@evil.test");
        assertThat(teamBody).contains("serial:   b2", "window:   7 days", "CA certificate (ocsp-signer)",
                "Notice Root OCSP Signer", "window:   14 days").doesNotContain("ris.hospital.test", "gone", "far");

        assertThat(hooks).hasSize(1);
        Received hook = hooks.getFirst();
        long stamp = Long.parseLong(hook.timestamp());
        assertThat(Math.abs(stamp - Instant.now().getEpochSecond())).isLessThan(60);
        assertThat(WebhookSignature.verify(SECRET, stamp, hook.body(), hook.signature())).isTrue();
        assertThat(WebhookSignature.verify(SECRET, stamp + 1, hook.body(), hook.signature())).as("timestamp in the MAC")
                .isFalse();
        assertThat(hook.signature()).matches("sha256=[0-9a-f]{64}");
        JsonArray listed = new JsonObject(new String(hook.body(), StandardCharsets.UTF_8)).getJsonArray("certificates");
        assertThat(listed).hasSize(3);
        JsonObject first0 = listed.getJsonObject(0);
        assertThat(first0.getString("serial")).isEqualTo("b2");
        assertThat(first0.getInteger("windowDays")).isEqualTo(7);
        assertThat(first0.getString("profile")).isEqualTo("tls-server");
        assertThat(first0.getString("subject")).isEqualTo("CN=lab.hospital.test\r\nBcc: attacker@evil.test");
        assertThat(first0.getJsonArray("sans").getList()).containsExactly("lab.hospital.test");
        assertThat(listed.getJsonObject(1).getString("kind")).isEqualTo("ca");
        assertThat(listed.getJsonObject(2).getString("owner")).isEqualTo("Radiology");
        assertThat(listed.getJsonObject(2).getString("ownerContact")).isEqualTo("radiology@hospital.test");
        assertThat(listed.stream().map(o -> ((JsonObject) o).getString("serial")))
                .doesNotContain(renewed.toString(16), revoked.toString(16));

        // Again: everything was sent; nothing goes out twice.
        ExpiryNotices.Run second = notices.runOnce();
        assertThat(second.sent()).isZero();
        assertThat(second.alreadySent()).isEqualTo(6);
        assertThat(smtp.getReceivedMessages()).hasSize(2);
        assertThat(hooks).hasSize(1);

        // A new certificate while the relay is down: recorded as failed, sent by the next run.
        BigInteger late = issue(inventory, root, 0xF7, "CN=late.hospital.test", List.of("late.hospital.test"), 5);
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        ExpiryNotices.Run down = notices(closed, Clock.systemUTC()).runOnce();
        assertThat(down.failed()).as("the e-mail failed").isEqualTo(1);
        assertThat(down.sent()).as("the webhook went out").isEqualTo(1);
        assertThat(outcome(root, late, "email")).isEqualTo("failed");
        assertThat(outcome(root, late, "webhook")).isEqualTo("sent");
        ExpiryNotices.Run retried = notices.runOnce();
        assertThat(retried.sent()).isEqualTo(1);
        assertThat(smtp.waitForIncomingEmail(5_000, 3)).isTrue();
        assertThat(bodies()).anyMatch(b -> b.contains("serial:   f7"));
        assertThat(outcome(root, late, "email")).isEqualTo("sent");
        assertThat(attempts(root, late, "email")).isEqualTo(2);
        assertThat(hooks).hasSize(2);

        // Eleven days on, the owned certificate (then 9 days from its notAfter) gets the 14-day notice, once.
        ExpiryNotices later = notices(smtpPort, Clock.offset(Clock.systemUTC(), Duration.ofDays(11)));
        ExpiryNotices.Run laterRun = later.runOnce();
        assertThat(laterRun.sent()).isEqualTo(2);
        assertThat(smtp.waitForIncomingEmail(5_000, 4)).isTrue();
        assertThat(bodies()).anyMatch(b -> b.contains("serial:   a1") && b.contains("window:   14 days"));
        assertThat(later.runOnce().sent()).isZero();

        List<String> runs = new java.util.ArrayList<>();
        try (Connection c = database.admin(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT outcome || ' ' || details FROM audit_event "
                     + "WHERE type = 'expiry-notices.run' ORDER BY seq")) {
            while (r.next()) {
                runs.add(r.getString(1));
            }
        }
        assertThat(runs).as("one audit entry per run").hasSize(6);
        assertThat(signer).isPositive();
    }

    private static ExpiryNotices notices(int smtpPort, Clock clock) {
        ExpiryNoticeConfig config = new ExpiryNoticeConfig(WINDOWS, Duration.ofHours(24), Duration.ofMinutes(1),
                List.of("pki-team@hospital.test"),
                new ExpiryNoticeConfig.Smtp("127.0.0.1", smtpPort, ExpiryNoticeConfig.StartTls.DISABLED,
                        "pki@hospital.test", null, null),
                new ExpiryNoticeConfig.Webhook(URI.create("http://127.0.0.1:" + receiver.actualPort() + "/hooks/pki?token=x"),
                        SECRET));
        return new ExpiryNotices(config, PgExpiryNotices.over(db), new AuditLog(db.auditStore(), clock), clock, vertx);
    }

    private static BigInteger issue(Inventory inventory, long caId, int serial, String subject, List<String> sans,
                                    int daysLeft) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        BigInteger s = BigInteger.valueOf(serial);
        inventory.recordIntent(new CertificateIntent(caId, s, "tls-server", subject, sans, now.minus(Duration.ofDays(60)),
                now.plus(Duration.ofDays(daysLeft)), new byte[] {0x30, 0x03, 0x02, 0x01, 0x01}, new byte[32], "test"));
        inventory.recordIssued(caId, s, new byte[] {0x30, 0x01, 0x00});
        return s;
    }

    private static List<String> bodies() {
        return Arrays.stream(smtp.getReceivedMessages()).map(GreenMailUtil::getBody).toList();
    }

    private static MimeMessage to(MimeMessage[] mails, String address) throws Exception {
        return Arrays.stream(mails).filter(m -> {
            try {
                return Arrays.stream(m.getRecipients(Message.RecipientType.TO)).anyMatch(a -> a.toString().equals(address));
            } catch (Exception e) {
                return false;
            }
        }).findFirst().orElseThrow(() -> new AssertionError("no mail to " + address));
    }

    private static String outcome(long caId, BigInteger serial, String channel) throws Exception {
        return (String) notice(caId, serial, channel).get("outcome");
    }

    private static int attempts(long caId, BigInteger serial, String channel) throws Exception {
        return (Integer) notice(caId, serial, channel).get("attempts");
    }

    private static Map<String, Object> notice(long caId, BigInteger serial, String channel) throws Exception {
        try (Connection c = database.admin(); PreparedStatement p = c.prepareStatement(
                "SELECT outcome, attempts FROM expiry_notice WHERE ca_id = ? AND serial = ? AND channel = ?")) {
            p.setLong(1, caId);
            p.setBigDecimal(2, new java.math.BigDecimal(serial));
            p.setString(3, channel);
            try (ResultSet r = p.executeQuery()) {
                assertThat(r.next()).as("a notice of " + serial.toString(16) + " by " + channel).isTrue();
                return Map.of("outcome", r.getString(1), "attempts", r.getInt(2));
            }
        }
    }
}
