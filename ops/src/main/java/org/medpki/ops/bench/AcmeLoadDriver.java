package org.medpki.ops.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * ACME load: {@code clients} virtual threads, each one account ordering certificates one after
 * the other with real http-01 validation (the key authorization written to the webroot that the
 * validation port serves, as lego --http.webroot does). It times the parts of an order that the
 * server decides: the newOrder round trip, the finalize round trip, and finalize until the
 * certificate is downloaded. Every client polls at the same fixed interval against every server,
 * so that no server's Retry-After policy changes what is measured.
 */
public final class AcmeLoadDriver {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final AcmeLoadSettings settings;

    public AcmeLoadDriver(AcmeLoadSettings settings) {
        this.settings = settings;
    }

    public AcmeLoadResult run() throws InterruptedException {
        Path challenges = settings.webroot().resolve(".well-known/acme-challenge");
        try {
            Files.createDirectories(challenges);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + challenges, e);
        }
        ConcurrentLinkedQueue<Long> newOrder = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Long> finalize = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Long> toCertificate = new ConcurrentLinkedQueue<>();
        AtomicInteger certificates = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        long start;
        try (AcmeHttp http = new AcmeHttp(settings.trustAnchor(), settings.resolve(), settings.requestTimeout())) {
            JsonNode directory = json(http.get(settings.directory().toString()), 200, "directory");
            start = System.nanoTime();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int c = 1; c <= settings.clients(); c++) {
                    int client = c;
                    pool.submit(() -> {
                        int done = 0;
                        try {
                            Thread.sleep(settings.rampStep().multipliedBy(client - 1));
                            try (AcmeHttp own = http.session()) {
                                Session session = new Session(own, directory, challenges);
                                CsrFactory csrs = new CsrFactory();
                                for (int k = 1; k <= settings.certsPerClient(); k++) {
                                    session.order("load" + client + "-" + k + "." + settings.domain(), csrs,
                                            newOrder, finalize, toCertificate);
                                    certificates.incrementAndGet();
                                    done++;
                                }
                            }
                        } catch (RuntimeException | InterruptedException e) {
                            failures.addAndGet(settings.certsPerClient() - done);
                            firstFailure.compareAndSet(null, "client " + client + ": " + e.getMessage());
                        }
                    });
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new AcmeLoadResult(certificates.get(), failures.get(), firstFailure.get(), seconds,
                LatencySummary.ofNanos(toArray(newOrder)), LatencySummary.ofNanos(toArray(finalize)),
                LatencySummary.ofNanos(toArray(toCertificate)));
    }

    private static long[] toArray(ConcurrentLinkedQueue<Long> values) {
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    private static JsonNode json(AcmeHttp.Reply reply, int expected, String what) {
        if (reply.status() != expected) {
            throw new IllegalStateException(what + ": HTTP " + reply.status() + " " + brief(reply.body()));
        }
        try {
            return JSON.readTree(reply.body());
        } catch (IOException e) {
            throw new IllegalStateException(what + ": not JSON: " + brief(reply.body()), e);
        }
    }

    private static String brief(String body) {
        String flat = body == null ? "" : body.replaceAll("\\s+", " ");
        return flat.length() > 300 ? flat.substring(0, 300) + "..." : flat;
    }

    /** One ACME account and its nonce: requests are sequential within a session. */
    private final class Session {
        private final AcmeHttp http;
        private final JsonNode directory;
        private final Path challenges;
        private final AcmeJws key = AcmeJws.generate();
        private String nonce;
        private final String kid;

        Session(AcmeHttp http, JsonNode directory, Path challenges) {
            this.http = http;
            this.directory = directory;
            this.challenges = challenges;
            AcmeHttp.Reply head = http.head(url("newNonce"));
            if (head.replayNonce() == null) {
                throw new IllegalStateException("newNonce: no Replay-Nonce (HTTP " + head.status() + ")");
            }
            nonce = head.replayNonce();
            AcmeHttp.Reply account = post(url("newAccount"), null,
                    "{\"termsOfServiceAgreed\":true,\"contact\":[\"mailto:bench@hospital.test\"]}");
            if (account.status() != 201 && account.status() != 200 || account.location() == null) {
                throw new IllegalStateException("newAccount: HTTP " + account.status() + " " + brief(account.body()));
            }
            kid = account.location();
        }

        private String url(String name) {
            JsonNode u = directory.get(name);
            if (u == null || !u.isTextual()) {
                throw new IllegalStateException("the directory has no " + name);
            }
            return u.asText();
        }

        /** POST with the current nonce; on badNonce once more with the fresh one the server sent. */
        private AcmeHttp.Reply post(String url, String kid, String payload) {
            for (int attempt = 0; ; attempt++) {
                AcmeHttp.Reply reply = http.post(url, key.sign(url, nonce, kid, payload));
                if (reply.replayNonce() != null) {
                    nonce = reply.replayNonce();
                }
                if (reply.status() == 400 && reply.body().contains("badNonce") && attempt < 3) {
                    continue;
                }
                return reply;
            }
        }

        void order(String name, CsrFactory csrs, ConcurrentLinkedQueue<Long> newOrderTimes,
                ConcurrentLinkedQueue<Long> finalizeTimes, ConcurrentLinkedQueue<Long> toCertificateTimes) {
            long t0 = System.nanoTime();
            AcmeHttp.Reply created = post(url("newOrder"), kid,
                    "{\"identifiers\":[{\"type\":\"dns\",\"value\":\"" + name + "\"}]}");
            long newOrderNanos = System.nanoTime() - t0;
            JsonNode order = json(created, 201, "newOrder " + name);
            String orderUrl = created.location();
            newOrderTimes.add(newOrderNanos);
            for (JsonNode authzUrl : order.path("authorizations")) {
                authorize(authzUrl.asText());
            }
            byte[] csr = csrs.tlsServer(name);
            String payload = "{\"csr\":\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(csr) + "\"}";
            long f0 = System.nanoTime();
            AcmeHttp.Reply finalized = post(order.path("finalize").asText(), kid, payload);
            finalizeTimes.add(System.nanoTime() - f0);
            JsonNode state = json(finalized, 200, "finalize " + name);
            long deadline = System.nanoTime() + settings.requestTimeout().toNanos();
            while (!"valid".equals(state.path("status").asText())) {
                if (!"processing".equals(state.path("status").asText()) || System.nanoTime() > deadline) {
                    throw new IllegalStateException("order " + name + " is " + state.path("status").asText()
                            + " after finalize: " + brief(state.toString()));
                }
                pause();
                state = json(post(orderUrl, kid, ""), 200, "order " + name);
            }
            AcmeHttp.Reply certificate = post(state.path("certificate").asText(), kid, "");
            if (certificate.status() != 200 || !certificate.body().contains("-----BEGIN CERTIFICATE-----")) {
                throw new IllegalStateException("certificate " + name + ": HTTP " + certificate.status());
            }
            toCertificateTimes.add(System.nanoTime() - f0);
        }

        private void authorize(String authzUrl) {
            JsonNode authz = json(post(authzUrl, kid, ""), 200, "authorization");
            if ("valid".equals(authz.path("status").asText())) {
                return;
            }
            JsonNode http01 = null;
            for (JsonNode challenge : authz.path("challenges")) {
                if ("http-01".equals(challenge.path("type").asText())) {
                    http01 = challenge;
                }
            }
            if (http01 == null) {
                throw new IllegalStateException("no http-01 challenge in " + authzUrl);
            }
            String token = http01.path("token").asText();
            if (!token.matches("[A-Za-z0-9_-]+")) {
                throw new IllegalStateException("unsafe challenge token from the server: " + brief(token));
            }
            Path file = challenges.resolve(token);
            try {
                Files.writeString(file, key.keyAuthorization(token));
                json(post(http01.path("url").asText(), kid, "{}"), 200, "challenge");
                long deadline = System.nanoTime() + settings.requestTimeout().toNanos();
                while (true) {
                    authz = json(post(authzUrl, kid, ""), 200, "authorization");
                    String status = authz.path("status").asText();
                    if ("valid".equals(status)) {
                        return;
                    }
                    if (!"pending".equals(status) || System.nanoTime() > deadline) {
                        throw new IllegalStateException("authorization " + authz.path("identifier").path("value")
                                .asText() + " is " + status + ": " + brief(authz.toString()));
                    }
                    pause();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + file, e);
            } finally {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    // A stale token file in a scratch webroot does no harm.
                }
            }
        }

        private void pause() {
            try {
                Thread.sleep(settings.pollInterval());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /** Lines for people: one summary per run. */
    public static List<String> describe(String label, AcmeLoadSettings settings, AcmeLoadResult r) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format("acme load %s: %d clients x %d: %d certificates in %.2f s = %.2f/s, %d failed",
                label, settings.clients(), settings.certsPerClient(), r.certificates(), r.seconds(),
                r.certificatesPerSecond(), r.failures()));
        lines.add(String.format("  newOrder p50 %.1f ms p99 %.1f ms; finalize p50 %.1f ms p99 %.1f ms;"
                        + " finalize to certificate p50 %.1f ms p99 %.1f ms", r.newOrder().p50Millis(),
                r.newOrder().p99Millis(), r.finalizeRoundTrip().p50Millis(), r.finalizeRoundTrip().p99Millis(),
                r.finalizeToCertificate().p50Millis(), r.finalizeToCertificate().p99Millis()));
        if (r.firstFailure() != null) {
            lines.add("  first failure: " + r.firstFailure());
        }
        return lines;
    }
}
