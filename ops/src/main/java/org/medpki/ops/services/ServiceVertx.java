package org.medpki.ops.services;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Vert.x instance the services run on. Prefers the native (epoll) transport: on Linux it
 * accepts and closes connections markedly cheaper than NIO, which is what an OCSP responder
 * answering clients that connect once per request spends its time on. Falls back to NIO, with a
 * log line, where the native library cannot load.
 */
public final class ServiceVertx {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceVertx.class);

    private ServiceVertx() {
    }

    public static Vertx create() {
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
        if (!vertx.isNativeTransportEnabled()) {
            LOG.info("native transport unavailable, using NIO: {}",
                    vertx.unavailableNativeTransportCause() == null ? "unknown"
                            : vertx.unavailableNativeTransportCause().getMessage());
        }
        return vertx;
    }
}
