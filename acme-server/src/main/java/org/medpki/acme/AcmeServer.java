package org.medpki.acme;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;
import org.medpki.acme.validation.ChallengeValidator;
import org.medpki.core.audit.AuditLog;
import org.medpki.listener.ConnectionGuard;

/** Starts the ACME service: the verticle on virtual threads, serving TLS with the given certificate. */
public final class AcmeServer {
    private AcmeServer() {
    }

    /**
     * Blocks until the server listens; returns the deployment id. Call off the event loop.
     * {@code store}: the ACME state, shared by every instance; {@code certificate}: the TLS
     * identity it serves (the ACME service's certificate).
     */
    public static String start(Vertx vertx, AcmeConfig config, AcmeRepository store, CertificateAuthority ca,
                               AuditLog audit, Clock clock, ServerCertificate certificate) {
        for (String profile : config.profiles()) {
            try {
                ca.acmeProfileDescription(profile); // a profile ACME cannot issue stops the service here
            } catch (IllegalArgumentException e) {
                throw new org.medpki.core.error.PkiException(org.medpki.core.error.ErrorKind.CONFIGURATION, e.getMessage());
            }
        }
        AcmeAudit acmeAudit = new AcmeAudit(audit, clock);
        // A virtual-thread context runs one task at a time between awaits, so CPU work (JWS
        // signatures, JSON, TLS) of one instance uses one core: two instances per core, one port.
        AtomicBoolean first = new AtomicBoolean(true);
        // The installation's nonce key, shared by every instance on this repository (read once).
        Nonces nonces = new Nonces(store.nonceKey(), clock);
        // One guard for the port: its connection cap counts the connections of every instance.
        ConnectionGuard guard = new ConnectionGuard(config.listener());
        // One validator and one set of validation limits for all the instances of this process.
        ValidationGate validation = new ValidationGate(new ChallengeValidator(config, vertx), store, config, clock);
        return vertx.deployVerticle(() -> new AcmeVerticle(config, store, ca, acmeAudit, clock, certificate,
                        nonces, guard, first.getAndSet(false), validation),
                new DeploymentOptions().setThreadingModel(ThreadingModel.VIRTUAL_THREAD)
                        .setInstances(2 * Runtime.getRuntime().availableProcessors()))
                .await();
    }
}
