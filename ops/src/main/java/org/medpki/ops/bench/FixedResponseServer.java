package org.medpki.ops.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import org.medpki.ops.services.ServiceVertx;

/**
 * The ceiling for the OCSP benchmark: a bare Vert.x HTTP server, on the same Vert.x set-up as the
 * services, that reads the request body and answers every request with the same 512 bytes. The
 * responder's figures are quoted as a fraction of this server's, measured in the same run.
 *   java -cp ... org.medpki.ops.bench.FixedResponseServer PORT
 */
public final class FixedResponseServer extends VerticleBase {
    private static final Buffer BODY = Buffer.buffer(new byte[512]);
    private static final CharSequence TYPE = HttpHeaders.createOptimized("application/ocsp-response");

    private final int port;

    private FixedResponseServer(int port) {
        this.port = port;
    }

    @Override
    public Future<?> start() {
        return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port).setTcpNoDelay(true))
                .requestHandler(req -> req.body().onSuccess(b -> req.response()
                        .putHeader(HttpHeaders.CONTENT_TYPE, TYPE).end(BODY)))
                .listen();
    }

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        Vertx vertx = ServiceVertx.create();
        vertx.deployVerticle(() -> new FixedResponseServer(port),
                new DeploymentOptions().setInstances(Runtime.getRuntime().availableProcessors())).await();
        System.out.println("listening on " + port + (vertx.isNativeTransportEnabled() ? " (epoll)" : " (nio)"));
    }
}
