package org.medpki.ocsp;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.ocsp.OcspMetrics.Method;
import org.medpki.ocsp.OcspMetrics.Outcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OCSP over HTTP (RFC 6960 appendix A, RFC 5019): POST of application/ocsp-request to /ocsp or /,
 * GET of the base64 (percent-encoded) request under /ocsp/ or /. Answers from memory on the
 * event loop; anything needing the inventory or the HSM goes, in arrival order, to a few threads
 * with a bounded queue (beyond its bound: tryLater). Pre-signed answers carry RFC 5019 caching headers and an ETag,
 * and a conditional GET gets 304. Errors are unsigned OCSP responses or plain 4xx, never a trace.
 */
final class OcspHttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(OcspHttpHandler.class);
    private static final CharSequence OCSP_RESPONSE = HttpHeaders.createOptimized("application/ocsp-response");
    private static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");
    private static final CharSequence CACHE_TAIL = ", public, no-transform, must-revalidate";
    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private final OcspResponder responder;
    private final OcspMetrics metrics;
    private final Executor blocking;
    private final Semaphore onDemand;
    private final int maxRequestBytes;
    private volatile long dateSecond;
    private volatile String date = "";

    OcspHttpHandler(OcspResponder responder, Executor blocking, Semaphore onDemand) {
        this.responder = responder;
        this.metrics = responder.metrics();
        this.blocking = blocking;
        this.onDemand = onDemand;
        this.maxRequestBytes = responder.config().maxRequestBytes();
    }

    void post(HttpServerRequest req) {
        String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            long n;
            try {
                n = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 0 || n > maxRequestBytes) {
                plain(req, Method.POST, n < 0 ? 400 : 413, n < 0 ? "bad Content-Length\n"
                        : "request larger than " + maxRequestBytes + " bytes\n", true);
                return;
            }
        }
        String type = req.getHeader(HttpHeaders.CONTENT_TYPE);
        if (type != null && !type.regionMatches(true, 0, "application/ocsp-request", 0, 24)) {
            plain(req, Method.POST, 415, "Content-Type must be application/ocsp-request\n", true);
            return;
        }
        if (length != null) {
            // Length known and within bounds: let Vert.x collect exactly that much.
            req.body().onSuccess(b -> answer(req, Method.POST, b.getBytes()))
                    .onFailure(e -> LOG.debug("OCSP request body failed: {}", e.toString()));
            return;
        }
        // Chunked: count as it comes and stop at the bound.
        ByteArrayOutputStream body = new ByteArrayOutputStream(256);
        boolean[] tooLarge = {false};
        req.handler(chunk -> {
            if (tooLarge[0]) {
                return;
            }
            if (body.size() + chunk.length() > maxRequestBytes) {
                tooLarge[0] = true;
                plain(req, Method.POST, 413, "request larger than " + maxRequestBytes + " bytes\n", true);
                return;
            }
            body.writeBytes(chunk.getBytes());
        });
        req.endHandler(v -> {
            if (!tooLarge[0]) {
                answer(req, Method.POST, body.toByteArray());
            }
        });
        req.exceptionHandler(e -> LOG.debug("OCSP request body failed: {}", e.toString()));
    }

    void get(HttpServerRequest req, String encoded) {
        if (encoded.length() > maxRequestBytes * 2) {
            plain(req, Method.GET, 414, "request too long\n", false);
            return;
        }
        byte[] der = decodeGetPath(encoded);
        if (der == null) {
            metrics.request(Method.GET, Outcome.MALFORMED);
            send(req, OcspStatus.MALFORMED_REQUEST);
            return;
        }
        answer(req, Method.GET, der);
    }

    /** Percent-decodes (only %XX: '+' is base64, not a space) and base64-decodes; null if it is neither. */
    static byte[] decodeGetPath(String encoded) {
        if (encoded.isEmpty()) {
            return null;
        }
        StringBuilder b = new StringBuilder(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '%') {
                if (i + 2 >= encoded.length()) {
                    return null;
                }
                int hi = Character.digit(encoded.charAt(i + 1), 16);
                int lo = Character.digit(encoded.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                b.append((char) (hi * 16 + lo));
                i += 2;
            } else {
                b.append(c);
            }
        }
        String text = b.toString();
        try {
            boolean urlSafe = text.indexOf('-') >= 0 || text.indexOf('_') >= 0;
            return (urlSafe ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private void answer(HttpServerRequest req, Method method, byte[] der) {
        Answer a;
        try {
            a = responder.answerFromMemory(der);
        } catch (RuntimeException e) {
            LOG.warn("OCSP request failed: {}", e.toString());
            a = new Answer.Rejected(OcspStatus.INTERNAL_ERROR);
        }
        if (a instanceof Answer.Pending pending) {
            if (!onDemand.tryAcquire()) {
                metrics.request(method, Outcome.TRY_LATER);
                send(req, OcspStatus.TRY_LATER);
                return;
            }
            Context context = io.vertx.core.Vertx.currentContext();
            blocking.execute(() -> {
                Answer done;
                try {
                    done = responder.resolve(pending);
                } catch (PkiException e) {
                    LOG.warn("OCSP request could not be answered: {}", e.publicDetail());
                    done = new Answer.Rejected(e.kind() == ErrorKind.DATABASE_UNAVAILABLE
                            || e.kind() == ErrorKind.TOKEN_UNAVAILABLE ? OcspStatus.TRY_LATER : OcspStatus.INTERNAL_ERROR);
                } catch (RuntimeException e) {
                    LOG.error("OCSP request failed", e);
                    done = new Answer.Rejected(OcspStatus.INTERNAL_ERROR);
                } finally {
                    onDemand.release();
                }
                Answer result = done;
                context.runOnContext(v -> respond(req, method, result, false));
            });
            return;
        }
        respond(req, method, a, true);
    }

    private void respond(HttpServerRequest req, Method method, Answer a, boolean fromMemory) {
        try {
            switch (a) {
                case Answer.Cached c -> cached(req, method, c.response(), fromMemory);
                case Answer.OnDemand d -> {
                    metrics.request(method, Outcome.SIGNED);
                    req.response().putHeader(HttpHeaders.CONTENT_TYPE, OCSP_RESPONSE)
                            .putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE)
                            .putHeader(HttpHeaders.DATE, date())
                            .end(Buffer.buffer(d.der()));
                }
                case Answer.Rejected r -> {
                    metrics.request(method, switch (r.status()) {
                        case MALFORMED_REQUEST -> Outcome.MALFORMED;
                        case UNAUTHORIZED -> Outcome.UNAUTHORIZED;
                        case TRY_LATER -> Outcome.TRY_LATER;
                        case INTERNAL_ERROR -> Outcome.INTERNAL_ERROR;
                    });
                    send(req, r.status());
                }
                case Answer.Pending p -> throw new IllegalStateException("pending answer not resolved");
            }
        } catch (RuntimeException e) {
            LOG.debug("could not send an OCSP response: {}", e.toString());
        }
    }

    private void cached(HttpServerRequest req, Method method, SignedResponse r, boolean fromMemory) {
        HttpServerResponse resp = req.response();
        long maxAge = Math.max(0, (r.nextUpdate().toEpochMilli() - System.currentTimeMillis()) / 1000);
        resp.putHeader(HttpHeaders.CONTENT_TYPE, OCSP_RESPONSE)
                .putHeader(HttpHeaders.CACHE_CONTROL, "max-age=" + maxAge + CACHE_TAIL)
                .putHeader(HttpHeaders.LAST_MODIFIED, r.lastModified())
                .putHeader(HttpHeaders.EXPIRES, r.expires())
                .putHeader(HttpHeaders.ETAG, r.etag())
                .putHeader(HttpHeaders.DATE, date());
        if (method == Method.GET && notModified(req, r)) {
            metrics.request(method, Outcome.NOT_MODIFIED);
            resp.setStatusCode(304).end();
            return;
        }
        metrics.request(method, fromMemory ? Outcome.CACHED : Outcome.SIGNED);
        resp.end(Buffer.buffer(r.der()));
    }

    private static boolean notModified(HttpServerRequest req, SignedResponse r) {
        String inm = req.getHeader(HttpHeaders.IF_NONE_MATCH);
        if (inm != null) {
            for (String tag : inm.split(",")) {
                String t = tag.trim();
                if (t.equals(r.etag()) || t.equals("W/" + r.etag()) || t.equals("*")) {
                    return true;
                }
            }
            return false;
        }
        String ims = req.getHeader(HttpHeaders.IF_MODIFIED_SINCE);
        if (ims != null) {
            try {
                Instant since = DateTimeFormatter.RFC_1123_DATE_TIME.parse(ims.trim(), Instant::from);
                return !r.thisUpdate().isAfter(since);
            } catch (RuntimeException e) {
                return false;
            }
        }
        return false;
    }

    private void send(HttpServerRequest req, OcspStatus status) {
        req.response().putHeader(HttpHeaders.CONTENT_TYPE, OCSP_RESPONSE)
                .putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE)
                .putHeader(HttpHeaders.DATE, date())
                .end(Buffer.buffer(status.derShared()));
    }

    private void plain(HttpServerRequest req, Method method, int code, String text, boolean close) {
        metrics.request(method, Outcome.HTTP_ERROR);
        LOG.info("OCSP refused a {} request: {} {}", method, code, text.strip());
        HttpServerResponse resp = req.response().setStatusCode(code).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain");
        if (close) {
            // The body was not read: the connection cannot be reused.
            resp.putHeader(HttpHeaders.CONNECTION, "close");
        }
        resp.end(text).onComplete(v -> {
            if (close) {
                req.connection().close();
            }
        });
    }

    /** The Date header, formatted once a second. */
    private String date() {
        long second = System.currentTimeMillis() / 1000;
        if (second != dateSecond) {
            date = HTTP_DATE.format(Instant.ofEpochSecond(second));
            dateSecond = second;
        }
        return date;
    }

    Handler<HttpServerRequest> notFound() {
        return req -> {
            metrics.request(req.method() == HttpMethod.POST ? Method.POST : Method.GET, Outcome.HTTP_ERROR);
            req.response().setStatusCode(404).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain").end("not found\n");
        };
    }
}
