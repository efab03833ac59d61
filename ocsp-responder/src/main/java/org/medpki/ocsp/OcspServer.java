package org.medpki.ocsp;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import org.medpki.listener.ConnectionGuard;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.ArrayList;
import java.util.List;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.inventory.Inventory;
import org.medpki.core.inventory.Notifications;
import org.medpki.core.keys.SigningKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires and runs the OCSP responder: the responder over the inventory's ports and the OCSP
 * token's signer keys (never the CA token), the follower of the inventory's announcements, the
 * refresher (every refreshInterval: reload signers, re-sign what is due) and one HTTP verticle per
 * configured instance. Blocking start; {@link #close()} stops it.
 */
public final class OcspServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OcspServer.class);

    private final Vertx vertx;
    private final OcspResponder responder;
    private final RevocationFollower follower;
    private final ExecutorService blocking;
    private final ScheduledExecutorService refresher;
    private final String deployment;
    private final int port;

    private OcspServer(Vertx vertx, OcspResponder responder, RevocationFollower follower, ExecutorService blocking,
                       ScheduledExecutorService refresher, String deployment, int port) {
        this.vertx = vertx;
        this.responder = responder;
        this.follower = follower;
        this.blocking = blocking;
        this.refresher = refresher;
        this.deployment = deployment;
        this.port = port;
    }

    /**
     * The responder without HTTP (for 'pki ocsp export' and tools): signers loaded from the
     * {@code inventory}, responses kept in the {@code repository}. {@code keys} is the OCSP
     * signers' token; the responder needs no other. Refuses to start (KEY_NOT_FOUND) when the
     * current signer of an issuing CA has its key elsewhere: an installation made before the OCSP
     * token, until its next rotation.
     */
    public static OcspResponder responder(Inventory inventory, OcspRepository repository, SigningKeys keys,
                                          OcspConfig config, Clock clock) {
        requireSignerKeys(Hierarchy.load(inventory), keys);
        OcspMetrics metrics = new OcspMetrics();
        OcspResponder responder = new OcspResponder(config, repository,
                new ResponseSigner(keys, config.validity(), metrics), metrics, clock, () -> Hierarchy.load(inventory));
        responder.reloadSigners();
        return responder;
    }

    private static void requireSignerKeys(Hierarchy hierarchy, SigningKeys keys) {
        List<String> outside = new ArrayList<>();
        for (CaCertificate issuing : hierarchy.withRole(CaRole.ISSUING)) {
            hierarchy.ocspSignerOf(issuing).filter(s -> keys.find(s.keyLabel()).isEmpty())
                    .ifPresent(s -> outside.add(s.name()));
        }
        if (!outside.isEmpty()) {
            throw new PkiException(ErrorKind.KEY_NOT_FOUND, "the key of OCSP signer " + String.join(", ", outside)
                    + " is not in the OCSP token '" + keys.token().label() + "': run 'pki ocsp rotate' on the CA host"
                    + " to make signers with their keys there");
        }
    }

    /**
     * Serves {@code responder} (made by {@link #responder}) over HTTP, kept current by the
     * inventory's {@code notifications} and the refresher.
     */
    public static OcspServer start(Vertx vertx, OcspResponder responder, Notifications notifications) {
        OcspConfig config = responder.config();
        // Listen first, then load: a revocation committed in between is re-checked below.
        RevocationFollower follower = RevocationFollower.start(notifications, responder);
        // A few platform threads taking work in arrival order: with a virtual thread per request,
        // threads pinned in the token's native calls let later requests overtake earlier ones
        // (p99 of hundreds of ms under load), and signing is CPU-bound in the token anyway.
        ExecutorService blocking = Executors.newFixedThreadPool(config.onDemandThreads(),
                Thread.ofPlatform().daemon().name("ocsp-sign-", 0).factory());
        ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("ocsp-refresher").factory());
        try {
            responder.start();
            responder.recheckRevoked();
            Semaphore onDemand = new Semaphore(config.onDemandConcurrency());
            AtomicReference<OcspVerticle> first = new AtomicReference<>();
            // One guard for the port: its connection cap counts the connections of every instance.
            ConnectionGuard guard = new ConnectionGuard(config.listener());
            String id = vertx.deployVerticle(() -> {
                OcspVerticle v = new OcspVerticle(responder, blocking, onDemand, follower::isListening, guard);
                first.compareAndSet(null, v);
                return v;
            }, new DeploymentOptions().setInstances(config.instances())).await();
            refresher.scheduleWithFixedDelay(() -> {
                try {
                    responder.refreshDue();
                } catch (RuntimeException e) {
                    LOG.warn("OCSP refresh failed (will retry): {}", e.getMessage());
                }
            }, 0, config.refreshInterval().toMillis(), TimeUnit.MILLISECONDS);
            return new OcspServer(vertx, responder, follower, blocking, refresher, id, first.get().actualPort());
        } catch (RuntimeException e) {
            refresher.shutdownNow();
            blocking.shutdownNow();
            follower.close();
            throw e;
        }
    }

    public OcspResponder responder() {
        return responder;
    }

    /** The bound port. */
    public int port() {
        return port;
    }

    public boolean isListening() {
        return follower.isListening();
    }

    @Override
    public void close() {
        refresher.shutdownNow();
        try {
            vertx.undeploy(deployment).await();
        } catch (Exception e) {
            // stopping anyway
        }
        follower.close();
        blocking.shutdownNow();
    }
}
