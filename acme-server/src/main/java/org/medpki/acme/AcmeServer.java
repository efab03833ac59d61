package org.medpki.acme;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.nio.file.Path;
import java.time.Clock;
import org.medpki.core.audit.AuditLog;

/** Starts the ACME service: its TLS certificate from our CA, then the verticle on virtual threads. */
public final class AcmeServer {
    private AcmeServer() {
    }

    /** Blocks until the server listens; returns the deployment id. Call off the event loop. */
    public static String start(Vertx vertx, AcmeConfig config, Pool pool, CertificateAuthority ca, AuditLog audit,
                               Clock clock, Path stateDir) {
        ServerCertificate certificate = ServerCertificate.loadOrIssue(stateDir, config.publicHost(), config.profile(),
                ca, clock);
        AcmeVerticle verticle = new AcmeVerticle(config, new AcmeStore(pool), ca, new AcmeAudit(audit, clock), clock,
                certificate);
        return vertx.deployVerticle(verticle, new DeploymentOptions().setThreadingModel(ThreadingModel.VIRTUAL_THREAD))
                .await();
    }
}
