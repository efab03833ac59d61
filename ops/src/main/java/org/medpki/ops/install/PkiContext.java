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
import java.util.EnumMap;
import java.util.List;
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
import org.medpki.inventory.pg.DatabaseUrl;
import org.medpki.inventory.pg.InventoryDatabase;

/**
 * Wires one installation together for a command: configuration, database (embedded or given),
 * the two tokens (CA keys; OCSP signers' keys), audit log, hierarchy and the CA services. Each part opens on first use, so a command
 * that only reads the inventory never asks the token for its PIN.
 */
public final class PkiContext implements AutoCloseable {
    private org.medpki.core.hierarchy.ActiveIssuers activeIssuers;
    private final PkiHome home;
    private final DatabaseRole role;
    private InstallationConfig config;
    private Settings settings;
    private final Clock clock = Clock.systemUTC();
    private EmbeddedDatabase embedded;
    private final Map<DatabaseRole, InventoryDatabase> databases = new EnumMap<>(DatabaseRole.class);
    private final Map<DatabaseRole, AuditLog> audits = new EnumMap<>(DatabaseRole.class);
    private SigningKeys keys;
    private SigningKeys ocspKeys;
    private ProfileCatalog profiles;

    /** A context of the CA host: the database as the CA's login. */
    public PkiContext(PkiHome home, InstallationConfig config) {
        this(home, config, DatabaseRole.CA);
    }

    /** A context whose database work goes through {@code role}'s login. */
    public PkiContext(PkiHome home, InstallationConfig config, DatabaseRole role) {
        this.home = home;
        this.config = config;
        this.role = java.util.Objects.requireNonNull(role, "role");
    }

    /** {@link #open(PkiHome, DatabaseRole)} as the CA's login. */
    public static PkiContext open(PkiHome home) {
        return open(home, DatabaseRole.CA);
    }

    /**
     * The installation in {@code home}; everything this context does with the database goes through
     * {@code role}'s login (PKI_HOME/secrets/db-&lt;role&gt;.password), with application_name
     * medpki-&lt;role&gt;.
     */
    public static PkiContext open(PkiHome home, DatabaseRole role) {
        Settings settings = SettingsFiles.load(home);
        PkiContext context = new PkiContext(home, settings.installation(), role);
        context.settings = settings;
        return context;
    }

    public PkiHome home() {
        return home;
    }

    /**
     * The installation's sections of the effective settings. The environment overrides them as it
     * does every setting (PKI_DATABASE_URL is database.url).
     */
    public InstallationConfig config() {
        return config;
    }

    /** The effective settings (medpki.yaml and the environment), read once. */
    public Settings settings() {
        if (settings == null) {
            settings = SettingsFiles.load(home);
        }
        return settings;
    }

    public DatabaseRole role() {
        return role;
    }

    public Clock clock() {
        return clock;
    }

    /**
     * The administrator's login, used by 'pki init' only to create the owner and the logins:
     * PKI_DATABASE_URL, else the configured URL, else the embedded server's superuser (started if
     * need be). With PKI_DATABASE_PASSWORD_FILE the password is that file's content (so that
     * container secrets never put it into an environment variable or an argument).
     */
    public DatabaseUrl adminUrl() {
        String url = givenUrl();
        if (url == null) {
            if (System.getenv(DATABASE_PASSWORD_FILE) != null) {
                throw new PkiException(ErrorKind.CONFIGURATION, DATABASE_PASSWORD_FILE + " is set but there is no "
                        + "PKI_DATABASE_URL whose user it would be the password of");
            }
            return embeddedServer().superuser();
        }
        DatabaseUrl parsed = DatabaseUrl.parse(url);
        String file = System.getenv(DATABASE_PASSWORD_FILE);
        if (file == null) {
            return parsed;
        }
        if (parsed.password() != null) {
            throw new PkiException(ErrorKind.CONFIGURATION, "PKI_DATABASE_URL has a password and "
                    + DATABASE_PASSWORD_FILE + " is set: give the password in one place only");
        }
        return new DatabaseUrl(parsed.host(), parsed.port(), parsed.database(), parsed.user(),
                databasePasswordFile(file), parsed.sslMode());
    }

    /** The variable naming a file that holds the password of PKI_DATABASE_URL's user. */
    public static final String DATABASE_PASSWORD_FILE = "PKI_DATABASE_PASSWORD_FILE";

    /** The administrator's password from PKI_DATABASE_PASSWORD_FILE: one line, not readable by group or others. */
    static String databasePasswordFile(String name) {
        if (name.isBlank()) {
            throw new PkiException(ErrorKind.CONFIGURATION, DATABASE_PASSWORD_FILE + " is set but empty");
        }
        java.nio.file.Path file = java.nio.file.Path.of(name);
        String text;
        try {
            java.util.Set<java.nio.file.attribute.PosixFilePermission> perms = java.nio.file.Files.getPosixFilePermissions(file);
            if (perms.contains(java.nio.file.attribute.PosixFilePermission.GROUP_READ)
                    || perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ)) {
                throw new PkiException(ErrorKind.CONFIGURATION, DATABASE_PASSWORD_FILE + " " + file
                        + " is readable by other users: chmod 600 " + file);
            }
            text = java.nio.file.Files.readString(file, java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, DATABASE_PASSWORD_FILE + " " + file + " does not exist");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, DATABASE_PASSWORD_FILE + " " + file + " is not UTF-8");
        } catch (java.io.IOException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, DATABASE_PASSWORD_FILE + " " + file + " cannot be read: "
                    + e.getClass().getSimpleName());
        }
        String password = text.endsWith("\r\n") ? text.substring(0, text.length() - 2)
                : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        if (password.isEmpty()) {
            throw new PkiException(ErrorKind.CONFIGURATION, DATABASE_PASSWORD_FILE + " " + file + " is empty");
        }
        if (password.indexOf('\n') >= 0 || password.indexOf('\r') >= 0) {
            throw new PkiException(ErrorKind.CONFIGURATION, DATABASE_PASSWORD_FILE + " " + file
                    + " holds more than one line (the password alone, one line)");
        }
        return password;
    }

    private String givenUrl() {
        String env = System.getenv("PKI_DATABASE_URL");
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        return config.database().url();
    }

    /** Whether the inventory is the embedded PostgreSQL (no PKI_DATABASE_URL, no database.url). */
    public boolean embedded() {
        return givenUrl() == null;
    }

    private EmbeddedDatabase embeddedServer() {
        if (embedded == null) {
            embedded = EmbeddedDatabase.startOrAttach(home.database(), config.database().embeddedPort(),
                    home.databaseSuperuserPassword());
        }
        return embedded;
    }

    /**
     * {@code role}'s login: host, port and database of PKI_DATABASE_URL (or the configured URL, or
     * the embedded server), user {@code <database.rolePrefix>_<role>}, password from its secrets file.
     */
    public DatabaseUrl databaseUrl(DatabaseRole loginRole) {
        String prefix = rolePrefix();
        String given = givenUrl();
        DatabaseUrl base = given != null ? DatabaseUrl.parse(given)
                : new DatabaseUrl("127.0.0.1", embeddedServer().port(), "postgres", EmbeddedDatabase.SUPERUSER, null, null);
        return new DatabaseUrl(base.host(), base.port(), base.database(), DatabaseLogins.login(prefix, loginRole),
                SecretFiles.read(home.databasePassword(loginRole)), base.sslMode());
    }

    /**
     * database.rolePrefix; an installation made before there were logins gets them now (created by
     * the administrator's login, the schema given to the owner and migrated) and the prefix is
     * written to medpki.yaml.
     */
    private String rolePrefix() {
        String prefix = config.database().rolePrefix();
        if (prefix != null) {
            return prefix;
        }
        String given = givenUrl();
        prefix = DatabaseLogins.defaultPrefix(given == null ? "postgres" : DatabaseUrl.parse(given).database(),
                given == null);
        DatabaseLogins.provision(home, prefix, adminUrl());
        config = config.withDatabase(config.database().withRolePrefix(prefix));
        InstallationConfig written = SettingsFiles.readInstallation(home);
        SettingsFiles.writeInstallation(home, written.withDatabase(written.database().withRolePrefix(prefix)));
        settings = null;
        migrate();
        System.err.println("pki: " + home.config() + " upgraded: every service now logs in to the database as its "
                + "own role (" + prefix + "_*, passwords in " + home.secrets() + ")");
        return prefix;
    }

    /** 'pki init': creates (or updates) the owner and service logins with the administrator's login. */
    public void createLogins() {
        DatabaseLogins.provision(home, rolePrefix(), adminUrl());
    }

    /** Applies pending migrations as the owner's login. */
    public void migrate() {
        InventoryDatabase.migrate(databaseUrl(DatabaseRole.OWNER), DatabaseLogins.applicationName(DatabaseRole.OWNER));
    }

    /** Where the inventory lives, without any password: for status output. */
    public String databaseDescription() {
        String url = givenUrl();
        if (url == null) {
            return "embedded PostgreSQL in " + home.database() + " on port " + config.database().embeddedPort();
        }
        return DatabaseUrl.parse(url).location();
    }

    /** The inventory database as this context's role. */
    public InventoryDatabase database() {
        return database(role);
    }

    /**
     * The inventory database as {@code loginRole} (a pool of its own; 'pki up' runs each service
     * with its own login in one process). Never migrates: see {@link #migrate()}.
     */
    public InventoryDatabase database(DatabaseRole loginRole) {
        InventoryDatabase db = databases.get(loginRole);
        if (db == null) {
            int pool = config.database().poolSize() == null ? 8 : config.database().poolSize();
            db = InventoryDatabase.open(databaseUrl(loginRole), pool, false, DatabaseLogins.applicationName(loginRole));
            databases.put(loginRole, db);
        }
        return db;
    }

    public Inventory inventory() {
        return database().inventory();
    }

    public AuditLog audit() {
        return audit(role);
    }

    /** The audit log appended to as {@code loginRole}. */
    public AuditLog audit(DatabaseRole loginRole) {
        AuditLog log = audits.get(loginRole);
        if (log == null) {
            log = new AuditLog(database(loginRole).auditStore(), clock);
            audits.put(loginRole, log);
        }
        return log;
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
        SecretFiles.write(file, HexFormat.of().formatHex(random));
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
            SoftHsmTokens.create(t.module(), t.label(), pin, role.soPin(home));
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
        hierarchy(); // NOT_FOUND before 'pki init'
        return new IssuanceService(profiles(), activeIssuers(), new CertificateSigner(keys()), inventory(), audit(), clock,
                crlSettings().distributions());
    }

    /**
     * The hierarchy with each issuing CA's generations, re-read at most every two seconds: one per
     * context, shared by issuance, revocation and the CA API.
     */
    public synchronized org.medpki.core.hierarchy.ActiveIssuers activeIssuers() {
        if (activeIssuers == null) {
            activeIssuers = org.medpki.core.hierarchy.ActiveIssuers.following(inventory(), caRollovers());
        }
        return activeIssuers;
    }

    /** The record of issuing-CA rollovers (V55). */
    public org.medpki.core.hierarchy.CaRollovers caRollovers() {
        return org.medpki.inventory.pg.PgCaRollovers.over(database());
    }

    /** The hierarchy with each issuing CA's generations. */
    public org.medpki.core.hierarchy.IssuerGenerations generations() {
        return new org.medpki.core.hierarchy.IssuerGenerations(hierarchy(), caRollovers().all());
    }

    /** The rollover ceremony: needs the CA token (run it where the CA keys are). */
    public org.medpki.core.hierarchy.IssuingCaRollover caRollover() {
        return new org.medpki.core.hierarchy.IssuingCaRollover(keys(), inventory(), caRollovers(), audit(), clock);
    }

    /**
     * The generations of the CA that issues {@code profile} (service, admin), as the CA API, the
     * admin API and the CA API's clients recognise their peers' certificates: read now, and again
     * when a certificate names none of them (at most every two seconds), so that a rollover of that
     * CA reaches running services without a restart. Needs only the CA rows.
     */
    public org.medpki.caapi.CallerIssuers callerIssuers(String profile) {
        return new org.medpki.caapi.CallerIssuers(() -> Hierarchy.load(inventory()), profiles().get(profile).issuer());
    }

    /** The crl section: CRL schedule, shards per CA, delta CRLs, output directory. */
    public CrlSettings crlSettings() {
        try {
            return CrlSettings.of(settings().crl(), home.dir());
        } catch (IllegalArgumentException e) {
            throw settings().invalid(e);
        }
    }

    public RevocationService revocation() {
        hierarchy(); // NOT_FOUND before 'pki init'
        return new RevocationService(activeIssuers(), inventory(), audit(), clock);
    }

    @Override
    public void close() {
        if (ocspKeys != null) {
            ocspKeys.close();
        }
        if (keys != null) {
            keys.close();
        }
        audits.values().forEach(AuditLog::close);
        databases.values().forEach(InventoryDatabase::close);
        if (embedded != null) {
            embedded.close();
        }
    }
}
