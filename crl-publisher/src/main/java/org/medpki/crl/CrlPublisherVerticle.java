package org.medpki.crl;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.medpki.core.crl.CrlSigning;
import org.medpki.core.crl.CrlScope;
import org.medpki.core.crl.CrlStore;
import org.medpki.core.crl.PublishedCrl;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.hierarchy.CaRollovers;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.core.inventory.Inventory;
import org.medpki.core.store.ExclusiveLock;
import org.medpki.inventory.pg.InventoryDatabase;
import org.medpki.inventory.pg.RevocationListener;
import org.medpki.listener.ConnectionGuard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PKI repository and CRL publisher on one HTTP port:
 * <ul>
 * <li>{@code GET|HEAD /crl/{name}.crl} (DER) and {@code /crl/{name}.pem}: each CA's complete CRL
 * ({@code server-ca}), its delta ({@code server-ca-delta}), each shard's ({@code server-ca-2},
 * {@code server-ca-2-delta}) and the root's ({@code root-ca}); cached by ETag, Last-Modified,
 * max-age until nextUpdate; 304 on conditional GET;</li>
 * <li>{@code /ca/{name}.crt|.pem}: the CA certificates (AIA caIssuers);</li>
 * <li>{@code /health} (503 when the database is down or a CRL is past nextUpdate; the CRLs are
 * still served from memory) and {@code /metrics} (Prometheus, with the listener's connection
 * counters {@code crl_connections_*}).</li>
 * <li>any other method on a repository file: 405 with {@code Allow: GET, HEAD}; any other path: 404.</li>
 * </ul>
 * Publishing runs in {@link CrlPublication} on a thread of its own; only the instance that holds
 * the PostgreSQL advisory lock "medpki-crl-publisher" publishes, and revocations announced on
 * {@link Inventory#REVOCATION_CHANNEL} trigger delta CRLs at once and, shortly after, the complete
 * CRL their certificates' CDP names (see {@link CrlPublication}). Every CRL stored, by whichever
 * process, is announced on {@link CrlStore#PUBLISHED_CHANNEL} and served at once. CRLs are also
 * written to the configured directory.
 */
public final class CrlPublisherVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(CrlPublisherVerticle.class);
    public static final String LOCK_NAME = "medpki-crl-publisher";

    private final CrlPublisherConfig config;
    private final InventoryDatabase database;
    private final Hierarchy hierarchy;
    private final Clock clock;
    private final CrlPublication publication;
    private final ExclusiveLock lock;
    private final CrlStore store;
    private final CrlDirectory directory;
    private final CrlMetrics metrics = new CrlMetrics();
    private final Map<String, ServedFile> crls = new ConcurrentHashMap<>();
    private volatile Map<String, ServedFile> certificates;
    private volatile RevocationListener listener;
    private volatile RevocationListener rolloverListener;
    private volatile RevocationListener crlListener;
    private final CrlSigning signing;
    private volatile String caProblem;
    private Thread loop;
    private HttpServer server;

    /**
     * {@code signing} makes, signs and stores the CRLs: the CA's {@code CrlIssuer} in the same
     * process, or the CA service over its API ('pki serve crl').
     */
    public CrlPublisherVerticle(CrlPublisherConfig config, InventoryDatabase database, CrlSigning signing,
                                Hierarchy hierarchy, Clock clock) {
        this.config = config;
        this.database = database;
        this.hierarchy = hierarchy;
        this.clock = clock;
        this.store = database.crlStore();
        this.lock = database.advisoryLock(LOCK_NAME);
        this.directory = new CrlDirectory(config.settings().directory());
        this.signing = signing;
        this.publication = new CrlPublication(signing, store, lock, database::reachable, hierarchy, config.settings(),
                clock, this::published);
        this.certificates = served(hierarchy);
    }

    private static Map<String, ServedFile> served(Hierarchy hierarchy) {
        Map<String, ServedFile> files = new TreeMap<>();
        for (CaCertificate ca : hierarchy.all()) {
            files.put(ca.name(), ServedFile.certificate(ca.name(), ca.record().certificate(),
                    ca.certificate().getNotBefore().toInstant()));
        }
        return java.util.Collections.unmodifiableMap(files);
    }

    /**
     * An issuing CA was rolled over (NOTIFY on {@link CaRollovers#CHANNEL}): the new generation's
     * certificate is served beside the old one's, and its CRLs are published from now on.
     */
    private void caRolledOver() {
        try {
            Hierarchy fresh = Hierarchy.load(database.inventory());
            certificates = served(fresh);
            publication.hierarchy(fresh);
        } catch (RuntimeException e) {
            LOG.warn("cannot read the CA hierarchy after a rollover (will retry at the next notice or restart): {}",
                    e.getMessage());
        }
    }

    @Override
    public Future<?> start() {
        // The last CRLs written, so that a restart while the database is down still serves them.
        crls.putAll(directory.read());
        loop = Thread.ofVirtual().name("medpki-crl-publisher").start(() -> {
            subscribe();
            publication.run();
        });
        // Whether the CA would sign a CRL now, probed off the event loop (it may take a timeout).
        vertx.setPeriodic(1, 5000, t -> Thread.ofVirtual().name("crl-ca-probe").start(() ->
                caProblem = signing.unavailable().orElse(null)));
        // The repository is public: deadlines for a request and a cap on connections (ListenerLimits).
        ConnectionGuard guard = new ConnectionGuard(config.listener());
        Router router = Router.router(vertx);
        router.get("/health").handler(ctx -> {
            JsonObject health = health();
            ctx.response().setStatusCode("UP".equals(health.getString("status")) ? 200 : 503)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(health.encode());
        });
        router.get("/metrics").handler(ctx -> ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4")
                .end(metrics.render(clock.instant(), publication.active(), publication.databaseUp())
                        + guard.prometheus("crl")));
        RepositoryHandler crlFiles = new RepositoryHandler(() -> crls, ".crl", clock);
        RepositoryHandler caFiles = new RepositoryHandler(() -> certificates, ".crt", clock);
        for (HttpMethod m : new HttpMethod[] {HttpMethod.GET, HttpMethod.HEAD}) {
            router.route(m, "/crl/:file").handler(crlFiles);
            router.route(m, "/ca/:file").handler(caFiles);
        }
        // The repository is read-only: any other method on a file is refused, naming the two there are.
        for (String files : new String[] {"/crl/:file", "/ca/:file"}) {
            router.route(files).handler(ctx -> {
                RepositoryHandler.refused(ctx, 405, "method not allowed");
                ctx.response().putHeader(HttpHeaders.ALLOW, "GET, HEAD").setStatusCode(405)
                        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain").end("method not allowed\n");
            });
        }
        router.route().handler(ctx -> {
            RepositoryHandler.refused(ctx, 404, "not found");
            ctx.response().setStatusCode(404).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain").end("not found\n");
        });
        return guard.install(vertx, vertx.createHttpServer(guard.apply(new HttpServerOptions())), router)
                .listen(config.port(), config.host())
                .onSuccess(s -> server = s);
    }

    @Override
    public Future<?> stop() {
        publication.stop();
        return vertx.executeBlocking(() -> {
            if (loop != null) {
                loop.join(30_000);
            }
            for (RevocationListener l : new RevocationListener[] {listener, crlListener, rolloverListener}) {
                if (l != null) {
                    l.close();
                }
            }
            lock.close();
            return null;
        });
    }

    /** The port actually bound (useful when configured as 0). */
    public int actualPort() {
        return server == null ? -1 : server.actualPort();
    }

    /** Whether this instance is the one publishing (holds the lock). */
    public boolean active() {
        return publication.active();
    }

    private void subscribe() {
        // Retried each round until the database answers; a failure here must not stop serving.
        while (listener == null) {
            try {
                if (crlListener == null) {
                    crlListener = database.listen(CrlStore.PUBLISHED_CHANNEL, publication::stored,
                            publication::stored);
                }
                if (rolloverListener == null) {
                    rolloverListener = database.listen(CaRollovers.CHANNEL, payload -> caRolledOver(),
                            this::caRolledOver);
                }
                listener = database.listen(Inventory.REVOCATION_CHANNEL, publication::revoked, publication::reconnected);
            } catch (RuntimeException e) {
                LOG.warn("cannot listen for revocations yet: {}", e.getMessage());
                try {
                    Thread.sleep(2000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void published(CrlScope scope, PublishedCrl crl, Duration buildTime) {
        if (crl == null) {
            metrics.failed();
            return;
        }
        String stem = scope.stem(crl.kind());
        ServedFile file = ServedFile.crl(stem, crl.der(), crl.thisUpdate(), crl.nextUpdate());
        ServedFile old = crls.get(stem);
        crls.put(stem, file);
        if (buildTime != null) {
            metrics.published(stem, crl, buildTime);
        } else {
            metrics.loaded(stem, crl);
        }
        if (old == null || !old.etag().equals(file.etag())) {
            directory.write(file);
        }
    }

    private JsonObject health() {
        Instant now = clock.instant();
        boolean db = publication.databaseUp();
        var stale = crls.values().stream().filter(f -> f.nextUpdate() != null && !now.isBefore(f.nextUpdate()))
                .map(ServedFile::stem).sorted().toList();
        String ca = caProblem;
        boolean up = db && stale.isEmpty() && ca == null;
        JsonObject health = new JsonObject();
        if (ca != null) {
            health.put("reason", ca);
        }
        return health.put("status", up ? "UP" : "DOWN").put("database", db ? "UP" : "DOWN")
                .put("ca", ca == null ? "UP" : "DOWN")
                .put("publisher", publication.active() ? "active" : "standby").put("crls", crls.size())
                .put("stale", stale);
    }
}
