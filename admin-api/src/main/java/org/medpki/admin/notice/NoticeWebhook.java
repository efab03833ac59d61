package org.medpki.admin.notice;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The webhook channel: one signed JSON POST listing the certificates; any 2xx answer is success. Blocking. */
final class NoticeWebhook {
    private final Vertx vertx;
    private final ExpiryNoticeConfig.Webhook webhook;
    private final Clock clock;

    NoticeWebhook(Vertx vertx, ExpiryNoticeConfig.Webhook webhook, Clock clock) {
        this.vertx = vertx;
        this.webhook = webhook;
        this.clock = clock;
    }

    void send(List<DueNotice> notices) throws Exception {
        long now = clock.instant().getEpochSecond();
        byte[] body = NoticeText.json(notices, clock.instant()).encode().getBytes(StandardCharsets.UTF_8);
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST)
                .setAbsoluteURI(webhook.url().toString()).setTimeout(30_000)
                .putHeader("Content-Type", "application/json")
                .putHeader(WebhookSignature.TIMESTAMP_HEADER, Long.toString(now))
                .putHeader(WebhookSignature.SIGNATURE_HEADER, WebhookSignature.sign(webhook.secret(), now, body));
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(15_000)
                .setVerifyHost(true));
        try {
            int status = client.request(request)
                    .compose(r -> r.send(Buffer.buffer(body)))
                    .compose(r -> r.body().map(b -> r.statusCode()))
                    .await(60, TimeUnit.SECONDS);
            if (status < 200 || status > 299) {
                throw new IllegalStateException("the webhook answered HTTP " + status);
            }
        } finally {
            client.close();
        }
    }
}
