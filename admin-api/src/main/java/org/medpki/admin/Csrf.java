package org.medpki.admin;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import java.util.function.BiConsumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Cross-site request forgery defence for the web console. A browser sends the client certificate
 * with any request to this origin, also one that another site's page starts; such a request has an
 * {@code Origin} or {@code Sec-Fetch-Site} header. A state-changing request that has one must come
 * from this service's own origin and carry {@code X-CSRF-Token} equal to the token
 * {@code GET /api/v1/me} returns: an HMAC under a key of this process over the SHA-256 of the client
 * certificate, so bound to the signed-in administrator and unreadable by another site. Requests
 * without those headers (the CLI, curl) carry no ambient browser credentials and pass unchanged.
 */
final class Csrf {
    static final String HEADER = "X-CSRF-Token";
    private static final Set<HttpMethod> SAFE = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

    private final byte[] key = new byte[32];
    private final BiConsumer<RoutingContext, String> refuse;

    /** {@code refuse} answers 403 and audits the refusal with its reason. */
    Csrf(BiConsumer<RoutingContext, String> refuse) {
        new SecureRandom().nextBytes(key);
        this.refuse = refuse;
    }

    /** The token of the administrator whose client certificate is {@code certificateDer}. */
    String token(byte[] certificateDer) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificateDer);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(digest));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    /** A route handler after authentication: lets the request on, or refuses it. */
    void check(RoutingContext ctx) {
        String origin = ctx.request().getHeader(HttpHeaders.ORIGIN);
        String fetchSite = ctx.request().getHeader("Sec-Fetch-Site");
        if (SAFE.contains(ctx.request().method()) || (origin == null && fetchSite == null)) {
            ctx.next();
            return;
        }
        io.vertx.core.net.HostAndPort authority = ctx.request().authority();
        String own = authority == null ? null : "https://" + authority.host()
                + (authority.port() < 0 || authority.port() == 443 ? "" : ":" + authority.port());
        if (own == null || origin != null && !origin.equals(own)) {
            refuse.accept(ctx, "request from another origin");
            return;
        }
        if (fetchSite != null && !fetchSite.equals("same-origin")) {
            refuse.accept(ctx, "request from another site (Sec-Fetch-Site " + cut(fetchSite) + ")");
            return;
        }
        String sent = ctx.request().getHeader(HEADER);
        byte[] certificate = ctx.get(AdminApiServer.CERTIFICATE);
        if (sent == null || certificate == null || !MessageDigest.isEqual(
                sent.getBytes(StandardCharsets.US_ASCII), token(certificate).getBytes(StandardCharsets.US_ASCII))) {
            refuse.accept(ctx, "missing or wrong " + HEADER + " header (GET /api/v1/me returns the token)");
            return;
        }
        ctx.next();
    }

    private static String cut(String s) {
        return s.length() <= 32 ? s : s.substring(0, 32) + "...";
    }
}
