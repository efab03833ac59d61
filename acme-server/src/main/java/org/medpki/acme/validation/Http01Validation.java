package org.medpki.acme.validation;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.medpki.acme.AcmeConfig;
import org.medpki.acme.Identifier;
import org.medpki.acme.ProblemType;
import org.medpki.core.name.DnsNameSyntax;

/**
 * http-01 (RFC 8555 8.3): GET http://NAME:PORT/.well-known/acme-challenge/TOKEN must answer 200
 * with the key authorization. Through the Vert.x HTTP client, connected to an address we resolved
 * and checked against the deny-list (the client looks nothing up: the address is pinned, the
 * Host header is the name). Redirects are ours to follow: at most {@value #MAX_REDIRECTS}, to
 * http on port 80 or the validation port, each target resolved and checked again. The body is
 * read up to {@value Http01Response#MAX_BODY} bytes; every request lives within the validation's
 * deadline. What a response means is {@link Http01Response}'s to say.
 *
 * <p>The validation runs on a thread of its own, outside Vert.x; each exchange is set up in one
 * task on a Vert.x context, so that the response's handlers are in place before its body can
 * arrive. (Attached from the validation's thread, they could come after the response had ended
 * whenever that thread was descheduled for as long as the target took to answer: the body and
 * the end were then lost and the validation waited for its deadline.)
 */
final class Http01Validation {
    static final int MAX_REDIRECTS = 5;
    private static final String USER_AGENT = "medpki-acme-validator";
    private final ChallengeValidator validator;
    private final AcmeConfig config;
    private final Vertx vertx;
    private final HttpClient client;

    Http01Validation(ChallengeValidator validator, AcmeConfig config, Vertx vertx) {
        this.validator = validator;
        this.config = config;
        this.vertx = vertx;
        this.client = vertx.createHttpClient(new HttpClientOptions()
                        .setProtocolVersion(HttpVersion.HTTP_1_1)
                        .setKeepAlive(false)
                        .setDecompressionSupported(false)
                        .setMaxRedirects(0)
                        .setMaxInitialLineLength(1024)
                        .setMaxHeaderSize(8192)
                        .setMaxChunkSize(Http01Response.MAX_BODY),
                new PoolOptions().setHttp1MaxSize(Math.max(1, config.maxConcurrentValidations())));
    }

    /** A response as read: status, Location, the body up to the cap and whether there was more. */
    record Fetched(int status, String location, byte[] body, boolean overCap) {
    }

    void validate(Identifier identifier, String token, String keyAuthorization, Deadline deadline) {
        String host = identifier.type().equals("ip") && identifier.value().contains(":")
                ? "[" + identifier.value() + "]" : identifier.value();
        URI url = URI.create("http://" + host + ":" + config.http01Port() + "/.well-known/acme-challenge/" + token);
        Identifier target = identifier;
        for (int hop = 0; ; hop++) {
            Fetched r = fetch(identifier, target, url, deadline);
            switch (Http01Response.judge(r.status(), r.location(), r.body(), r.overCap(), keyAuthorization)) {
                case Http01Response.Valid v -> {
                    return;
                }
                case Http01Response.Incorrect i -> throw ChallengeValidator.failed(ProblemType.INCORRECT_RESPONSE,
                        "the response did not contain the key authorization", identifier,
                        url + " answered " + i.reason());
                case Http01Response.Redirect redirect -> {
                    Optional<URI> next = Http01Response.redirectTarget(url, redirect.location(), config.http01Port());
                    Identifier nextTarget = next.map(u -> hostIdentifier(u.getHost())).orElse(null);
                    if (hop == MAX_REDIRECTS || nextTarget == null) {
                        throw ChallengeValidator.failed(ProblemType.CONNECTION, "a redirect was not followed", identifier,
                                url + " redirected to '" + redirect.location() + "'"
                                        + (hop == MAX_REDIRECTS ? " after " + MAX_REDIRECTS + " redirects" : ""));
                    }
                    url = next.get();
                    target = nextTarget;
                }
            }
        }
    }

    /** The host of a redirect target as an identifier to resolve; null when it is neither a DNS name nor an address. */
    static Identifier hostIdentifier(String uriHost) {
        String host = uriHost.toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
            return host.matches("[0-9a-f:.]+") ? ip(host) : null;
        }
        if (host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
            return ip(host);
        }
        host = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        return DnsNameSyntax.problem(host, false) == null ? new Identifier("dns", host) : null;
    }

    private static Identifier ip(String literal) {
        try {
            // a literal: no look-up
            return new Identifier("ip", InetAddress.getByName(literal).getHostAddress());
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /**
     * GET {@code url} from each allowed address of {@code target} in turn until one answers. The
     * identifier is the authorization's (it names the problem); {@code target} is the host of {@code url}.
     */
    private Fetched fetch(Identifier identifier, Identifier target, URI url, Deadline deadline) {
        int port = url.getPort() == -1 ? 80 : url.getPort();
        List<InetAddress> addresses = validator.targets(identifier, target, port, deadline);
        StringBuilder failures = new StringBuilder();
        for (InetAddress address : addresses) {
            if (deadline.passed()) {
                break;
            }
            try {
                return get(url, address, port, deadline);
            } catch (FetchFailure e) {
                failures.append(failures.isEmpty() ? "" : "; ").append(address.getHostAddress()).append(" port ")
                        .append(port).append(": ").append(e.getMessage());
            }
        }
        if (deadline.passed()) {
            throw ChallengeValidator.timedOut(identifier, url + ": " + failures);
        }
        throw ChallengeValidator.failed(ProblemType.CONNECTION, "could not connect to the validation target", identifier,
                url + ": " + failures);
    }

    /** Why one address gave no response; for our log. */
    static final class FetchFailure extends Exception {
        FetchFailure(String message) {
            super(message, null, false, false);
        }
    }

    private Fetched get(URI url, InetAddress address, int port, Deadline deadline) throws FetchFailure {
        String path = (url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath())
                + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        long budget = deadline.millisLeft();
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET)
                .setServer(SocketAddress.inetSocketAddress(new InetSocketAddress(address, port)))
                .setHost(url.getHost()).setPort(port).setURI(path).setFollowRedirects(false)
                .setConnectTimeout(budget).setIdleTimeout(budget)
                .putHeader("User-Agent", USER_AGENT).putHeader("Accept", "*/*").putHeader("Connection", "close");
        AtomicReference<HttpClientRequest> request = new AtomicReference<>();
        Promise<Fetched> done = Promise.promise();
        // One task on a context: the callbacks below run there, each as its event comes (see the class comment).
        vertx.getOrCreateContext().runOnContext(start -> {
            try {
                exchange(options, request, done);
            } catch (RuntimeException e) {
                done.tryFail(e);
            }
        });
        try {
            return done.future().toCompletionStage().toCompletableFuture().get(deadline.millisLeft(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            abandon(request.get());
            throw new FetchFailure("no complete response before the deadline");
        } catch (InterruptedException e) {
            abandon(request.get());
            Thread.currentThread().interrupt();
            throw new FetchFailure("interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new FetchFailure(cause.getClass().getSimpleName() + ": " + cause.getMessage());
        }
    }

    /**
     * Sends the request and reads the response into {@code done}. Call it on a Vert.x context
     * only: a response's handlers must be set as its future completes, before its body comes.
     */
    private void exchange(RequestOptions options, AtomicReference<HttpClientRequest> request, Promise<Fetched> done) {
        client.request(options).compose(req -> {
            request.set(req);
            return req.send();
        }).onFailure(done::tryFail).onSuccess(response -> {
            Buffer body = Buffer.buffer();
            boolean[] over = {false};
            response.handler(chunk -> {
                if (over[0]) {
                    return;
                }
                if (body.length() + chunk.length() > Http01Response.MAX_BODY) {
                    body.appendBuffer(chunk, 0, Http01Response.MAX_BODY - body.length());
                    over[0] = true;
                    done.tryComplete(new Fetched(response.statusCode(), response.getHeader("Location"),
                            body.getBytes(), true));
                    response.request().reset();
                } else {
                    body.appendBuffer(chunk);
                }
            });
            response.exceptionHandler(done::tryFail);
            response.endHandler(v -> done.tryComplete(new Fetched(response.statusCode(), response.getHeader("Location"),
                    body.getBytes(), false)));
        });
    }

    private static void abandon(HttpClientRequest request) {
        if (request != null) {
            request.reset();
        }
    }
}
