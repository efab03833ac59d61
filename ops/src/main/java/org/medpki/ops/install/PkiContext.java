package org.medpki.ops.install;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
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
 * the two tokens (CA keys; OCSP signers' keys), audit log, hierarchy and the CA services. Each part opens on first use, so a command
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
    private SigningKeys ocspKeys;
    private ProfileCatalog profiles;

    public PkiContext(PkiHome home, InstallationConfig config) {
        this.home = home;
        this.config = config;
    }

    public static PkiContext open(PkiHome home) {
        return new PkiContext(home, ConfigFiles.read(home.config()));
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

    /** The CA token: root, issuing CA and audit keys. Opened (and logged in) on first use. */
    public SigningKeys keys() {
        if (keys == null) {
            keys = open(TokenRole.CA);
        }
        return keys;
    }

    /**
     * The OCSP token: the OCSP signers' keys, under a PIN of its own. Opened on first use; what
     * the OCSP responder needs (it never needs {@link #keys()}).
     */
    public SigningKeys ocspKeys() {
        if (ocspKeys == null) {
            ocspKeys = open(TokenRole.OCSP);
        }
        return ocspKeys;
    }

    private SigningKeys open(TokenRole role) {
        InstallationConfig.Token t = config.token(role);
        int sessions = t.sessions() == null ? 2 * Runtime.getRuntime().availableProcessors() : t.sessions();
        try {
            return new Pkcs11SigningKeys(new TokenConfig(t.module(), t.label(), pin(role), sessions));
        } catch (PkiException e) {
            if (e.kind() == ErrorKind.TOKEN_LOGIN_FAILED) {
                auditLoginFailure(t.label());
            }
            throw e;
        }
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

    /** The CA token's PIN source: PKI_TOKEN_PIN, PKI_TOKEN_PIN_FILE, or the lab PIN file 'pki init' generated. */
    public PinSource pin() {
        return pin(TokenRole.CA);
    }

    /**
     * The PIN source of a token: its file variable, else its PIN variable, else the lab PIN file
     * 'pki init' generated (PKI_OCSP_TOKEN_PIN_FILE, PKI_OCSP_TOKEN_PIN, ocsp-token.pin for the
     * OCSP token).
     */
    public PinSource pin(TokenRole role) {
        if (System.getenv(role.pinVariable()) == null && System.getenv(role.pinFileVariable()) == null
                && Files.exists(role.labPin(home))) {
            return new PinSource.File(role.labPin(home));
        }
        return PinSource.fromEnvironment(System.getenv(), role.pinVariable(), role.pinFileVariable());
    }

    /**
     * A random lab PIN for a token whose PIN the operator did not give: kept in PKI_HOME (mode
     * 600). Nothing when either variable is set or the file exists. Returns whether one was made.
     */
    public boolean ensureLabPin(TokenRole role) {
        Path file = role.labPin(home);
        if (System.getenv(role.pinVariable()) != null || System.getenv(role.pinFileVariable()) != null
                || Files.exists(file)) {
            return false;
        }
        byte[] random = new byte[12];
        new SecureRandom().nextBytes(random);
        try {
            Files.createDirectories(home.dir());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, HexFormat.of().formatHex(random) + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, "cannot write " + file + ": " + e.getMessage());
        }
        System.err.println("pki: no " + role.pinVariable() + " or " + role.pinFileVariable()
                + " given: generated a lab PIN in " + file
                + " (mode 600); production installations take the PIN from protected storage");
        return true;
    }

    /**
     * With SoftHSM2 standing in for the HSM: creates the token of that role when SoftHSM2 does not
     * know it yet (its lab PIN first, when no PIN is given). Call before any token is opened in
     * this process: SoftHSM2 reads its token list once. A real HSM's tokens (partitions) are made
     * by its own tools.
     */
    public void ensureSoftHsmToken(TokenRole role) {
        InstallationConfig.Token t = config.token(role);
        if (!SoftHsmTokens.isSoftHsm(t.module()) || SoftHsmTokens.labels().contains(t.label())) {
            return;
        }
        ensureLabPin(role);
        char[] pin = pin(role).read();
        try {
            SoftHsmTokens.create(t.label(), pin, role.soPin(home));
        } finally {
            java.util.Arrays.fill(pin, '\0');
        }
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
        if (ocspKeys != null) {
            ocspKeys.close();
        }
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
