package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medpki.admin.notice.WebhookSignature;

/**
 * Expiry notices from a real 'pki up': with a window longer than the validity of what 'pki up'
 * issues (service certificates, OCSP signers), its admin service sends them to a real SMTP server
 * (GreenMail) and a webhook receiver, which checks the HMAC; 'pki config show' masks the secret.
 */
class ExpiryNoticesUpTest {
    private static final String SECRET = "the webhook secret of this test!";

    @TempDir
    static Path tmp;
    static PkiProcess pki;
    static PkiProcess.Started up;
    static GreenMail smtp;
    static Vertx vertx;
    static HttpServer receiver;
    static final List<Map<String, Object>> hooks = new CopyOnWriteArrayList<>();
    static Map<String, String> env;

    @BeforeAll
    static void up() throws Exception {
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        vertx = Vertx.vertx();
        receiver = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
            hooks.add(Map.of("timestamp", String.valueOf(req.getHeader(WebhookSignature.TIMESTAMP_HEADER)),
                    "signature", String.valueOf(req.getHeader(WebhookSignature.SIGNATURE_HEADER)), "body", b.getBytes()));
            req.response().setStatusCode(204).end();
        })).listen(0, "127.0.0.1").await();

        pki = new PkiProcess(tmp.resolve("home"), TestEnvironment.newDatabase());
        int httpPort = AcmeLab.freePort(2);
        PkiProcess.Result init = pki.run("init", "--http-port", Integer.toString(httpPort));
        assertThat(init.exit()).as(init.toString()).isZero();
        // Lists are set in the file only.
        Path settings = pki.home().resolve("medpki.yaml");
        Files.writeString(settings, Files.readString(settings)
                + "notices:\n  windowsDays: [3650]\n  defaultRecipients: [pki-team@hospital.test]\n");
        env = Map.of("PKI_NOTICES_SMTP_HOST", "127.0.0.1",
                "PKI_NOTICES_SMTP_PORT", Integer.toString(smtp.getSmtp().getPort()),
                "PKI_NOTICES_SMTP_START_TLS", "disabled", "PKI_NOTICES_SMTP_FROM", "pki@hospital.test",
                "PKI_NOTICES_CHECK_EVERY", "3s",
                "PKI_NOTICES_WEBHOOK_URL", "http://127.0.0.1:" + receiver.actualPort() + "/hooks/pki",
                "PKI_NOTICES_WEBHOOK_SECRET", SECRET);
        up = pki.start(env, "up", "--http-port", Integer.toString(httpPort));
        long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
        while (!Files.readString(up.out()).contains("medpki is up")) {
            assertThat(up.process().isAlive()).as("pki up keeps running: " + Files.readString(up.err())).isTrue();
            assertThat(System.nanoTime()).as("pki up within 150 s").isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    @AfterAll
    static void down() throws Exception {
        if (up != null) {
            up.process().destroy();
            up.process().waitFor(30, TimeUnit.SECONDS);
        }
        if (vertx != null) {
            vertx.close().await();
        }
        if (smtp != null) {
            smtp.stop();
        }
    }

    @Test
    void theAdminServiceSendsTheNoticeByMailAndBySignedWebhookOnce() throws Exception {
        assertThat(smtp.waitForIncomingEmail(60_000, 1)).as("an e-mail within 60 s: " + Files.readString(up.err()))
                .isTrue();
        String body = GreenMailUtil.getBody(smtp.getReceivedMessages()[0]);
        assertThat(body).contains("serial:", "notAfter:", "window:   3650 days");
        assertThat(smtp.getReceivedMessages()[0].getAllRecipients()[0].toString()).isEqualTo("pki-team@hospital.test");

        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (hooks.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(hooks).isNotEmpty();
        Map<String, Object> hook = hooks.getFirst();
        byte[] raw = (byte[]) hook.get("body");
        assertThat(WebhookSignature.verify(SECRET.getBytes(StandardCharsets.UTF_8),
                Long.parseLong((String) hook.get("timestamp")), raw, (String) hook.get("signature"))).isTrue();
        assertThat(new JsonObject(new String(raw, StandardCharsets.UTF_8)).getJsonArray("certificates")).isNotEmpty();

        // Later runs (every 3 s) send nothing again.
        int mails = smtp.getReceivedMessages().length;
        int posts = hooks.size();
        Thread.sleep(7_000);
        assertThat(smtp.getReceivedMessages()).hasSize(mails);
        assertThat(hooks).hasSize(posts);

        PkiProcess.Result show = pki.run(env, "config", "show");
        assertThat(show.exit()).as(show.toString()).isZero();
        assertThat(show.out()).contains("notices.webhookSecret = ***", "environment.PKI_NOTICES_WEBHOOK_SECRET = ***")
                .doesNotContain(SECRET);
        assertThat(Files.readString(up.err()) + Files.readString(up.out())).doesNotContain(SECRET);
    }
}
