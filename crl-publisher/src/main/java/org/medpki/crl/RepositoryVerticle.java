package org.medpki.crl;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The PKI repository over HTTP: CA certificates at the caIssuers URL of the AIA extension
 * ({@code GET /ca/{name}.crt}, DER, RFC 5280 4.2.2.1) and as PEM ({@code /ca/{name}.pem}), with
 * validators for caching; and {@code /health}. CRLs join it here.
 */
public final class RepositoryVerticle extends VerticleBase {
    private final String host;
    private final int port;
    private final Map<String, Published> certificates = new TreeMap<>();
    private HttpServer server;

    public RepositoryVerticle(String host, int port, Map<String, byte[]> caCertificatesByName) {
        this.host = host;
        this.port = port;
        caCertificatesByName.forEach((name, der) -> certificates.put(name, new Published(der, etag(der))));
    }

    private record Published(byte[] der, String etag) {
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        router.get("/health").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json")
                .end("{\"status\":\"UP\"}"));
        router.get("/ca/:file").handler(this::certificate);
        router.route().handler(ctx -> ctx.response().setStatusCode(404).putHeader("Content-Type", "text/plain")
                .end("not found\n"));
        return vertx.createHttpServer().requestHandler(router).listen(port, host).onSuccess(s -> server = s);
    }

    /** The port actually bound (useful when configured as 0). */
    public int actualPort() {
        return server == null ? -1 : server.actualPort();
    }

    private void certificate(RoutingContext ctx) {
        String file = ctx.pathParam("file");
        boolean pem = file.endsWith(".pem");
        String name = file.endsWith(".crt") || pem ? file.substring(0, file.length() - 4) : null;
        Published p = name == null ? null : certificates.get(name);
        if (p == null) {
            ctx.response().setStatusCode(404).putHeader("Content-Type", "text/plain").end("no such CA certificate\n");
            return;
        }
        String etag = pem ? p.etag().replace("\"", "\"pem-") : p.etag();
        ctx.response().putHeader("ETag", etag).putHeader("Cache-Control", "public, max-age=86400");
        if (etag.equals(ctx.request().getHeader("If-None-Match"))) {
            ctx.response().setStatusCode(304).end();
            return;
        }
        if (pem) {
            String text = "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(p.der())
                    + "\n-----END CERTIFICATE-----\n";
            ctx.response().putHeader("Content-Type", "application/x-pem-file").end(text);
        } else {
            ctx.response().putHeader("Content-Type", "application/pkix-cert").end(Buffer.buffer(p.der()));
        }
    }

    private static String etag(byte[] der) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(der);
            return "\"" + HexFormat.of().formatHex(h, 0, 16) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
