package org.medpki.ops.adminclient;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.ops.VertxExchange;

/**
 * A blocking client of the admin API for the command line, over the Vert.x HTTP client: HTTPS
 * only, the server's certificate checked against the PKI's root and its name against the URL,
 * the administrator's certificate presented in the handshake. Problem documents and transport
 * failures become {@link AdminApiFailure}s of one line.
 */
public final class AdminApiClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final Path caCert;
    private final Duration timeout;
    private final Vertx vertx;
    private final Context context;
    private final HttpClient http;

    /**
     * @param base   https://HOST:PORT of the admin API
     * @param caCert the PKI's root certificate (PEM), the only anchor the server's certificate may chain to
     */
    public AdminApiClient(URI base, Path caCert, ClientIdentity identity, Duration timeout) {
        this.base = base;
        this.caCert = caCert;
        this.timeout = timeout;
        TrustOptions trust = TrustOptions.wrap(trustOnly(Pem.certificates(caCert, "--cacert")));
        KeyCertOptions key = KeyCertOptions.wrap(identity.open());
        this.vertx = Vertx.vertx();
        this.context = vertx.getOrCreateContext();
        int port = base.getPort() == -1 ? 443 : base.getPort();
        this.http = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setVerifyHost(true)
                .setDefaultHost(base.getHost()).setDefaultPort(port).setTrustOptions(trust).setKeyCertOptions(key)
                .setConnectTimeout((int) timeout.toMillis()));
    }

    /** An answer of the API: its status and body. */
    public record Answer(int status, String contentType, String body) {
    }

    /** Sends the call and returns the 2xx answer's JSON; anything else is an {@link AdminApiFailure}. */
    public JsonNode send(ApiCall call) {
        Answer answer = exchange(call);
        if (answer.status() / 100 != 2) {
            throw problem(call, answer);
        }
        try {
            return answer.body().isEmpty() ? JSON.nullNode() : JSON.readTree(answer.body());
        } catch (IOException e) {
            throw new AdminApiFailure(AdminApiFailure.OTHER, "the admin API at " + base + " answered "
                    + answer.status() + " with a body that is not JSON");
        }
    }

    private Answer exchange(ApiCall call) {
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.valueOf(call.method()))
                .setURI(call.target()).setIdleTimeout(timeout.toMillis());
        if (call.jsonBody() != null) {
            request.putHeader("Content-Type", "application/json");
        }
        request.putHeader("Accept", "application/json, application/problem+json");
        try {
            return VertxExchange.on(context, () -> http.request(request)
                    .compose(r -> call.jsonBody() == null ? r.send() : r.send(Buffer.buffer(call.jsonBody())))
                    .compose(response -> response.body().map(b -> new Answer(response.statusCode(),
                            response.getHeader("Content-Type"), b.toString()))))
                    .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw unreachable("no answer within " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unreachable("interrupted");
        } catch (ExecutionException e) {
            throw unreachable(transportReason(e.getCause()));
        }
    }

    private AdminApiFailure unreachable(String why) {
        return new AdminApiFailure(AdminApiFailure.UNREACHABLE, "cannot reach the admin API at " + base + ": " + why);
    }

    /** What went wrong on the way, in words an operator can act on; never a stack trace. */
    private String transportReason(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof CertPathValidatorException || (c instanceof CertificateException
                    && String.valueOf(c.getMessage()).contains("PKIX"))
                    || String.valueOf(c.getMessage()).contains("unable to find valid certification path")) {
                return "TLS failed: the server's certificate does not chain to --cacert " + caCert
                        + " (is it this PKI's root?)";
            }
            if (c instanceof CertificateException && String.valueOf(c.getMessage()).contains("subject alternative")) {
                return "TLS failed: the server's certificate does not name " + base.getHost() + " ("
                        + oneLine(c.getMessage()) + ")";
            }
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConnectException) {
                return "connection refused (is the admin service running, and is the port right?)";
            }
            if (c instanceof UnknownHostException) {
                return "unknown host " + base.getHost();
            }
            if (c instanceof SSLException) {
                return "TLS failed: " + oneLine(c.getMessage());
            }
        }
        return oneLine(t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage()));
    }

    /** A problem document (RFC 9457) as one line: status, title, detail and the field it names. */
    private AdminApiFailure problem(ApiCall call, Answer answer) {
        String title = null;
        String detail = null;
        String field = null;
        try {
            JsonNode doc = JSON.readTree(answer.body());
            if (doc != null && doc.isObject()) {
                title = text(doc, "title");
                detail = text(doc, "detail");
                field = text(doc, "field");
            }
        } catch (IOException e) {
            // not a problem document: the status says enough
        }
        StringBuilder line = new StringBuilder(call.method() + " /api/v1/" + call.path() + ": " + answer.status());
        if (title != null) {
            line.append(' ').append(title);
        }
        if (detail != null) {
            line.append(": ").append(detail);
        }
        if (field != null) {
            line.append(" (field '").append(field).append("')");
        }
        return new AdminApiFailure(AdminApiFailure.exitCodeOf(answer.status()), oneLine(line.toString()));
    }

    private static String text(JsonNode doc, String name) {
        JsonNode n = doc.get(name);
        return n == null || n.isNull() ? null : n.asText();
    }

    private static String oneLine(String s) {
        String line = s == null ? "" : s.replaceAll("[\\r\\n\\t]+", " ").strip();
        return line.length() > 400 ? line.substring(0, 400) + "..." : line;
    }

    private static TrustManagerFactory trustOnly(X509Certificate[] anchors) {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            for (int i = 0; i < anchors.length; i++) {
                store.setCertificateEntry("anchor-" + i, anchors[i]);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory;
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new PkiException(ErrorKind.INTERNAL, "cannot set up trust in --cacert: " + e.getClass().getSimpleName());
        }
    }

    @Override
    public void close() {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // closing a command's event loop: nothing left to save
        }
    }
}
