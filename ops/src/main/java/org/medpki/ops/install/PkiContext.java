package org.medpki.ops.install;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.medpki.core.audit.AuditEvent;
import org.medpki.core.audit.AuditLog;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.core.inventory.Inventory;
import org.medpki.core.issuance.IssuanceService;
import org.medpki.core.keys.SigningKeys;
import org.medpki.core.profile.ProfileCatalog;
import org.medpki.core.revocation.RevocationService;
import org.medpki.core.signing.CertificateSigner;
import org.medpki.crl.CrlSettings;
import org.medpki.hsm.Pkcs11SigningKeys;
import org.medpki.hsm.PinSource;
import org.medpki.hsm.TokenConfig;
import org.medpki.inventory.pg.InventoryDatabase;

/**
 * Wires one installation together for a command: configuration, database (embedded or given),
 * token, audit log, hierarchy and the CA services. Each part opens on first use, so a command
 * that only reads the inventory never asks the token for its PIN.
 */
public final class PkiContext implements AutoCloseable {
    private final PkiHome home;
    private final InstallationConfig config;
    private final Clock clock = Clock.systemUTC();
    private EmbeddedDatabase embedded;
    private InventoryDatabase database;
    private AuditLog audit;
    private SigningKeys keys;
    private ProfileCatalog profiles;

    public PkiContext(PkiHome home, InstallationConfig config) {
        this.home = home;
        this.config = config;
    }

    public static PkiContext open(PkiHome home) {
        return new PkiContext(home, ConfigFiles.read(home.config()));
    }

    /** A context whose database work runs as {@code role}'s login. */
    public static PkiContext open(PkiHome home, DatabaseRole role) {
        return open(home);
    }

    public PkiHome home() {
        return home;
    }

    public InstallationConfig config() {
        return config;
    }

    public Clock clock() {
        return clock;
    }

    /** PKI_DATABASE_URL, else the configured URL, else the embedded server (started if need be). */
    public String databaseUrl() {
        String env = System.getenv("PKI_DATABASE_URL");
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        if (config.database().url() != null) {
            return config.database().url();
        }
        if (embedded == null) {
            embedded = EmbeddedDatabase.startOrAttach(home.database(), config.database().embeddedPort());
        }
        return embedded.url();
    }

    /** Where the inventory lives, without any password: for status output. */
    public String databaseDescription() {
        String env = System.getenv("PKI_DATABASE_URL");
        String url = env != null && !env.isBlank() ? env : config.database().url();
        if (url == null) {
            return "embedded PostgreSQL in " + home.database() + " on port " + config.database().embeddedPort();
        }
        return url.replaceAll("//([^:/@]+):[^@]*@", "//$1:***@");
    }

    public InventoryDatabase database() {
        if (database == null) {
            int pool = config.database().poolSize() == null ? 8 : config.database().poolSize();
            database = InventoryDatabase.open(databaseUrl(), pool);
        }
        return database;
    }

    public Inventory inventory() {
        return database().inventory();
    }

    public AuditLog audit() {
        if (audit == null) {
            audit = new AuditLog(database().auditStore(), clock);
        }
        return audit;
    }

    public SigningKeys keys() {
        if (keys == null) {
            InstallationConfig.Token t = config.token();
            int sessions = t.sessions() == null ? 2 * Runtime.getRuntime().availableProcessors() : t.sessions();
            try {
                keys = new Pkcs11SigningKeys(new TokenConfig(t.module(), t.label(), pin(), sessions));
            } catch (PkiException e) {
                if (e.kind() == ErrorKind.TOKEN_LOGIN_FAILED) {
                    auditLoginFailure(t.label());
                }
                throw e;
            }
        }
        return keys;
    }

    /** A refused PIN is a security event; failing to record it must not hide the login error. */
    private void auditLoginFailure(String tokenLabel) {
        try {
            audit().recordQuietly(AuditEvent.failure(clock.instant(), "token.login_failed",
                    "cli:" + System.getProperty("user.name", "unknown"), Map.of("token", tokenLabel)));
        } catch (PkiException ignored) {
            // The database is down as well; the command still reports the login failure.
        }
    }

    /** The PIN source: PKI_TOKEN_PIN, PKI_TOKEN_PIN_FILE, or the lab PIN file 'pki init' generated. */
    public PinSource pin() {
        if (System.getenv("PKI_TOKEN_PIN") == null && System.getenv("PKI_TOKEN_PIN_FILE") == null
                && java.nio.file.Files.exists(home.generatedPin())) {
            return new PinSource.File(home.generatedPin());
        }
        return PinSource.fromEnvironment();
    }

    public ProfileCatalog profiles() {
        if (profiles == null) {
            profiles = ProfileCatalog.load(profilesDirectory(), profileVariables(config));
        }
        return profiles;
    }

    public Path profilesDirectory() {
        return config.profilesDirectory() == null ? home.dir().resolve("profiles") : Path.of(config.profilesDirectory());
    }

    public static Map<String, String> profileVariables(InstallationConfig config) {
        return Map.of("domain", config.domain(), "ocspUrl", config.urls().ocsp(),
                "crlBaseUrl", config.urls().crlBase(), "caIssuersBaseUrl", config.urls().caIssuersBase());
    }

    public Hierarchy hierarchy() {
        Hierarchy h = Hierarchy.load(inventory());
        if (h.isEmpty()) {
            throw new PkiException(ErrorKind.NOT_FOUND, "this PKI has no CA hierarchy yet: run 'pki init'");
        }
        return h;
    }

    public IssuanceService issuance() {
        return new IssuanceService(profiles(), hierarchy(), new CertificateSigner(keys()), inventory(), audit(), clock,
                crlSettings().distributions());
    }

    /** PKI_HOME/crl.yaml (optional): CRL schedule, shards per CA, delta CRLs, output directory. */
    public CrlSettings crlSettings() {
        return CrlSettings.load(home.dir());
    }

    public RevocationService revocation() {
        return new RevocationService(hierarchy(), inventory(), audit(), clock);
    }

    @Override
    public void close() {
        if (keys != null) {
            keys.close();
        }
        if (audit != null) {
            audit.close();
        }
        if (database != null) {
            database.close();
        }
        if (embedded != null) {
            embedded.close();
        }
    }
}
