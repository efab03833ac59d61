package org.medpki.inventory.pg;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.function.Consumer;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.medpki.core.audit.AuditStore;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.inventory.Inventory;
import org.medpki.core.inventory.Notifications;

/**
 * The PostgreSQL inventory database: migrates the schema (Flyway, JDBC, only at open) and then
 * serves, over one vertx-pg-client pool, the ports its users define: {@link Inventory},
 * {@link AuditStore}, the CRL store and {@link Notifications} (ca-core), plus the compliance
 * report's queries. The ports of service modules are made by their adapters
 * ({@code PgAcmeRepository.over(database)}, {@code PgOcspRepository.over(database)}): this class
 * names no type of an optional dependency, so a process without acme-server or ocsp-responder on
 * its class path (the CRL publisher) can load it. The ports block (they call
 * {@code Future.await()}), so they must not be called on an event loop.
 */
public final class InventoryDatabase implements AutoCloseable {

    private final DatabaseUrl url;
    private final PgConnectOptions options;
    private final Vertx vertx;
    private final Pool pool;
    private final PgErrors errors;
    private final PgQueries sql;
    private final PgInventory inventory;
    private final PgAuditStore auditStore;
    private final java.util.List<RevocationListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    private InventoryDatabase(DatabaseUrl url, PgConnectOptions options, Vertx vertx, Pool pool) {
        this.url = url;
        this.options = options;
        this.vertx = vertx;
        this.pool = pool;
        this.errors = new PgErrors(url);
        this.sql = new PgQueries(pool, errors);
        this.inventory = new PgInventory(pool, errors);
        this.auditStore = new PgAuditStore(pool, errors);
    }

    /** Migrates the database at {@code url} and opens a pool of {@code poolSize} connections. */
    public static InventoryDatabase open(String url, int poolSize) {
        return open(url, poolSize, true);
    }

    /**
     * Opens a pool of {@code poolSize} connections; migrates first when {@code migrate} (a service
     * that logs in with a role that may not change the schema passes false and relies on
     * {@link #migrate(String)} having been run by the owner).
     */
    public static InventoryDatabase open(String url, int poolSize, boolean migrate) {
        return open(DatabaseUrl.parse(url), poolSize, migrate, null);
    }

    /**
     * Opens a pool of {@code poolSize} connections as {@code url}'s user, migrating first when
     * {@code migrate}; every connection (the pool's, LISTEN's, the advisory lock's, Flyway's)
     * carries {@code applicationName} (null: the driver's default), so that pg_stat_activity
     * shows which service each session belongs to.
     */
    public static InventoryDatabase open(DatabaseUrl url, int poolSize, boolean migrate, String applicationName) {
        if (poolSize < 1 || poolSize > 500) {
            throw new PkiException(ErrorKind.CONFIGURATION, "the inventory pool size must be between 1 and 500, not " + poolSize);
        }
        if (migrate) {
            migrate(url, applicationName);
        }
        PgConnectOptions options = connectOptions(url);
        if (applicationName != null) {
            options.addProperty("application_name", applicationName);
        }
        Vertx vertx = Vertx.vertx();
        Pool pool = PgBuilder.pool()
                .with(new PoolOptions().setMaxSize(poolSize).setName("medpki-inventory").setShared(false))
                .connectingTo(options)
                .using(vertx)
                .build();
        InventoryDatabase db = new InventoryDatabase(url, options, vertx, pool);
        try {
            db.ping();
        } catch (Exception e) {
            db.close();
            throw e;
        }
        return db;
    }

    /** Applies the pending migrations of db/migration to the database at {@code url}. */
    public static void migrate(String url) {
        migrate(DatabaseUrl.parse(url), null);
    }

    /**
     * Applies the pending migrations as {@code url}'s user, which becomes the owner of the tables
     * it creates (the migrations' grants need the owner); {@code applicationName} as in open.
     */
    public static void migrate(DatabaseUrl url, String applicationName) {
        PgErrors errors = new PgErrors(url);
        String jdbc = url.jdbcUrl();
        if (applicationName != null) {
            jdbc += (jdbc.indexOf('?') < 0 ? "?" : "&") + "ApplicationName="
                    + java.net.URLEncoder.encode(applicationName, java.nio.charset.StandardCharsets.UTF_8);
        }
        try {
            Flyway.configure(InventoryDatabase.class.getClassLoader())
                    .dataSource(jdbc, url.user(), url.password())
                    .locations("classpath:db/migration")
                    .connectRetries(0)
                    .load()
                    .migrate();
        } catch (FlywayException e) {
            throw errors.map(e, "migrating the inventory database at " + url.location());
        }
    }

    static PgConnectOptions connectOptions(DatabaseUrl url) {
        PgConnectOptions options = new PgConnectOptions()
                .setHost(url.host())
                .setPort(url.port())
                .setDatabase(url.database())
                .setUser(url.user())
                .setCachePreparedStatements(true)
                .setPipeliningLimit(256);
        if (url.password() != null) {
            options.setPassword(url.password());
        }
        if (url.sslMode() != null) {
            options.setSslMode(SslMode.of(url.sslMode()));
        }
        return options;
    }

    private void ping() {
        try {
            pool.query("SELECT 1").execute().await();
        } catch (Exception e) {
            throw errors.map(e, "connecting to the inventory database");
        }
    }

    public Inventory inventory() {
        return inventory;
    }

    public AuditStore auditStore() {
        return auditStore;
    }

    public Vertx vertx() {
        return vertx;
    }

    /** The statement helper the adapters made here and in PgAcmeRepository/PgOcspRepository use. */
    PgQueries queries() {
        return sql;
    }

    /** The compliance report's queries of this database (tables, catalog, grants, sessions, settings). */
    public PgComplianceQueries complianceQueries() {
        return new PgComplianceQueries(sql);
    }

    /** The CRL store (tables crl and crl_counter) over this database's pool. */
    public PgCrlStore crlStore() {
        return new PgCrlStore(sql);
    }

    /**
     * A session-level advisory lock named {@code name} on a connection of its own (one active
     * instance of a service); see {@link PgAdvisoryLock}.
     */
    public PgAdvisoryLock advisoryLock(String name) {
        return new PgAdvisoryLock(vertx, new PgConnectOptions(options), errors, name);
    }

    /** Whether the database answers now (a quick query on the pool); for health checks. */
    public boolean reachable() {
        return sql.reachable();
    }

    /** host:port/db of this database, for status output. */
    public String location() {
        return url.location();
    }

    /**
     * Starts listening on a NOTIFY channel (e.g. {@link Inventory#REVOCATION_CHANNEL}) on a
     * dedicated connection; see {@link RevocationListener}.
     */
    public RevocationListener listen(String channel, Consumer<String> onPayload, Runnable onReconnect) {
        RevocationListener listener = RevocationListener.start(vertx, new PgConnectOptions(options), errors, channel, onPayload,
                onReconnect);
        listeners.add(listener);
        return listener;
    }

    /** The inventory's announcements, each subscription a LISTEN on a connection of its own (see {@link #listen}). */
    public Notifications notifications() {
        return this::listen;
    }

    @Override
    public void close() {
        errors.closed();
        listeners.forEach(RevocationListener::close);
        inventory.close();
        try {
            pool.close().await();
        } catch (Exception e) {
            // closing anyway
        }
        try {
            vertx.close().await();
        } catch (Exception e) {
            // closing anyway
        }
    }
}
