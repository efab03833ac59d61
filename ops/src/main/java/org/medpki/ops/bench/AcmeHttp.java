package org.medpki.ops.bench;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.medpki.ops.VertxExchange;

/**
 * HTTPS to an ACME server for the load driver: trusts only the given anchor, checks the host name
 * of the URL, and may connect to another address for some host names (like curl's --resolve), so
 * that a lab name needs no DNS entry. Blocking calls, meant for virtual threads. Each simulated
 * client takes a {@link #session()} of its own: one kept-alive connection on one event loop, as a
 * real ACME client has one connection.
 */
final class AcmeHttp implements AutoCloseable {
    /** One response: status, the headers the driver needs, body. */
    record Reply(int status, String location, String replayNonce, String body) {
    }

    private final Vertx vertx;
    private final boolean ownsVertx;
    private final Path trustAnchorPem;
    private final HttpClientAgent client;
    private final Context context;
    private final Map<String, String> resolve;
    private final Duration timeout;

    AcmeHttp(Path trustAnchorPem, Map<String, String> resolve, Duration timeout) {
        this(Vertx.vertx(), true, trustAnchorPem, resolve, timeout);
    }

    private AcmeHttp(Vertx vertx, boolean ownsVertx, Path trustAnchorPem, Map<String, String> resolve,
                     Duration timeout) {
        this.vertx = vertx;
        this.ownsVertx = ownsVertx;
        this.trustAnchorPem = trustAnchorPem;
        this.resolve = Map.copyOf(resolve);
        this.timeout = timeout;
        // From a thread outside Vert.x, a new event-loop context: the sessions spread over the loops.
        this.context = vertx.getOrCreateContext();
        this.client = vertx.createHttpClient(new HttpClientOptions()
                        .setTrustOptions(new PemTrustOptions().addCertPath(trustAnchorPem.toString()))
                        .setVerifyHost(true).setKeepAlive(true).setConnectTimeout((int) timeout.toMillis()),
                new PoolOptions().setHttp1MaxSize(1));
    }

    /** A client's own connection to the same server, on the same event loops; close it when done. */
    AcmeHttp session() {
        return new AcmeHttp(vertx, false, trustAnchorPem, resolve, timeout);
    }

    Reply get(String url) {
        return exchange(HttpMethod.GET, url, null);
    }

    Reply head(String url) {
        return exchange(HttpMethod.HEAD, url, null);
    }

    Reply post(String url, String jws) {
        return exchange(HttpMethod.POST, url, jws);
    }

    private Reply exchange(HttpMethod method, String url, String body) {
        RequestOptions options = new RequestOptions().setMethod(method).setAbsoluteURI(url)
                .setTimeout(timeout.toMillis());
        URI uri = URI.create(url);
        String address = resolve.get(uri.getHost());
        if (address != null) {
            options.setServer(SocketAddress.inetSocketAddress(uri.getPort() > 0 ? uri.getPort() : 443, address));
        }
        if (body != null) {
            options.putHeader("Content-Type", "application/jose+json");
        }
        CompletableFuture<Reply> reply = VertxExchange.on(context, () -> client.request(options)
                .compose(request -> body == null ? request.send() : request.send(Buffer.buffer(body)))
                .compose(response -> response.body().map(b -> new Reply(response.statusCode(),
                        response.getHeader("Location"), response.getHeader("Replay-Nonce"), b.toString()))));
        try {
            return reply.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(method + " " + url + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(method + " " + url + ": no answer within " + timeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(method + " " + url + ": interrupted", e);
        }
    }

    @Override
    public void close() {
        try {
            client.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            if (ownsVertx) {
                vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // Closing after a benchmark: nothing left to save.
        }
    }
}
