package org.medpki.crl;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one directory of the repository ({@code /crl/{name}.crl|.pem}, {@code /ca/{name}.crt|.pem})
 * from an in-memory map, with RFC 5019-style caching: ETag, Last-Modified (thisUpdate),
 * Expires and Cache-Control max-age no later than nextUpdate, conditional GET (If-None-Match,
 * If-Modified-Since) answered 304, and HEAD. Never touches the database, so it keeps serving the
 * last CRLs while the database is down.
 */
final class RepositoryHandler implements Handler<RoutingContext> {
    private static final Logger LOG = LoggerFactory.getLogger(RepositoryHandler.class);
    private static final Duration CERTIFICATE_MAX_AGE = Duration.ofDays(1);
    private static final int MAX_LOGGED_PATH = 200;

    private final Supplier<Map<String, ServedFile>> files;
    private final String derSuffix;
    private final Clock clock;

    RepositoryHandler(Supplier<Map<String, ServedFile>> files, String derSuffix, Clock clock) {
        this.files = files;
        this.derSuffix = derSuffix;
        this.clock = clock;
    }

    @Override
    public void handle(RoutingContext ctx) {
        String file = ctx.pathParam("file");
        boolean pem = file.endsWith(".pem");
        String stem = pem ? file.substring(0, file.length() - 4)
                : file.endsWith(derSuffix) ? file.substring(0, file.length() - derSuffix.length()) : null;
        ServedFile f = stem == null ? null : files.get().get(stem);
        HttpServerResponse response = ctx.response();
        if (f == null) {
            refused(ctx, 404, "not found");
            response.setStatusCode(404).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain").end("not found\n");
            return;
        }
        Instant now = clock.instant();
        String etag = pem ? "\"pem-" + f.etag().substring(1) : f.etag();
        long maxAge = f.nextUpdate() == null ? CERTIFICATE_MAX_AGE.toSeconds()
                : Math.max(0, Duration.between(now, f.nextUpdate()).toSeconds());
        response.putHeader(HttpHeaders.ETAG, etag)
                .putHeader(HttpHeaders.LAST_MODIFIED, httpDate(f.lastModified()))
                .putHeader(HttpHeaders.CACHE_CONTROL, "public, max-age=" + maxAge + ", no-transform");
        if (f.nextUpdate() != null) {
            response.putHeader(HttpHeaders.EXPIRES, httpDate(f.nextUpdate()));
        }
        if (notModified(ctx, etag, f.lastModified())) {
            response.setStatusCode(304).end();
            return;
        }
        Buffer body = pem ? Buffer.buffer(f.pem().getBytes(StandardCharsets.US_ASCII)) : Buffer.buffer(f.der());
        response.putHeader(HttpHeaders.CONTENT_TYPE, pem ? "application/x-pem-file" : f.derType());
        if (ctx.request().method() == HttpMethod.HEAD) {
            response.putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length())).end();
        } else {
            response.end(body);
        }
    }

    /**
     * One log line per refused request. The path is the client's: cut short and with control
     * characters escaped so that it cannot forge log lines or fill the log.
     */
    static void refused(RoutingContext ctx, int status, String why) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        String path = ctx.request().path();
        StringBuilder shown = new StringBuilder();
        for (int i = 0; path != null && i < path.length() && i < MAX_LOGGED_PATH; i++) {
            char c = path.charAt(i);
            shown.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        if (path != null && path.length() > MAX_LOGGED_PATH) {
            shown.append("...(").append(path.length()).append(" characters)");
        }
        LOG.info("repository refused {} {}: {} {}", ctx.request().method(), shown, status, why);
    }

    private static boolean notModified(RoutingContext ctx, String etag, Instant lastModified) {
        String inm = ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH);
        if (inm != null) {
            for (String tag : inm.split(",")) {
                String t = tag.trim();
                if (t.equals("*") || t.equals(etag) || t.equals("W/" + etag)) {
                    return true;
                }
            }
            return false;
        }
        String ims = ctx.request().getHeader(HttpHeaders.IF_MODIFIED_SINCE);
        if (ims != null) {
            try {
                Instant since = ZonedDateTime.parse(ims.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return !lastModified.isAfter(since);
            } catch (DateTimeParseException e) {
                return false;
            }
        }
        return false;
    }

    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter
            .ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", java.util.Locale.ENGLISH).withZone(ZoneOffset.UTC);

    /** IMF-fixdate (RFC 9110 5.6.7). */
    static String httpDate(Instant t) {
        return HTTP_DATE.format(t);
    }
}
