package org.medpki.ops.backup;

import java.io.IOException;
import java.math.BigInteger;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CRLHolder;
import org.medpki.core.audit.AuditEvent;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.core.hierarchy.HsmAuditSigner;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.keys.KeyPairInfo;
import org.medpki.core.keys.SigningKeys;
import org.medpki.crl.CrlSettings;
import org.medpki.inventory.pg.DatabaseUrl;
import org.medpki.inventory.pg.PgBackups;
import org.medpki.ops.install.DatabaseLogins;
import org.medpki.ops.install.DatabaseRole;
import org.medpki.ops.install.InstallationConfig;
import org.medpki.ops.install.PkiContext;
import org.medpki.ops.install.PkiHome;
import org.medpki.ops.install.Settings;
import org.medpki.ops.install.SettingsFiles;
import org.medpki.ops.install.SoftHsmTokens;
import org.medpki.ops.install.TokenRole;

/**
 * 'pki restore --from DIR' into a new installation (PKI_HOME without one, and an empty database).
 * In order, each step undone if a later one fails:
 * <ol>
 * <li>the backup is verified ({@link BackupVerifier}) and the target checked: no installation in
 * PKI_HOME, no inventory in the database, no token of the same label;</li>
 * <li>CRLs the target can see (the target database's, the files in its CRL directory) are compared
 * with the manifest's newest CRL numbers: an older backup is refused unless forced with two
 * administrators' approvals ({@link RestoreApprovals});</li>
 * <li>the settings, profiles and PEMs are staged in PKI_HOME/.restore; SoftHSM2's token
 * directories are copied into the target's token store;</li>
 * <li>the logins are made (new passwords), pg_restore loads the dump in one transaction as the
 * owner (the tables' grants to the service group roles come with it), the restored figures are
 * compared with the manifest, pending migrations run, and every CRL counter moves forward by
 * {@link #CRL_NUMBER_GAP};</li>
 * <li>the token is checked to hold every CA key of the inventory but those key retirement destroyed; the staged files move into
 * place (medpki.yaml last); the restore is appended to the restored audit chain and a checkpoint
 * signed with the restored audit key.</li>
 * </ol>
 */
public final class Restorer {
    /**
     * How far each CRL counter moves at a restore: CRLs the lost installation published after the
     * backup, which nobody at the restore can see, keep their numbers unused unless a scope
     * published more than this many since (a delta every 5 minutes is 105,120 a year).
     */
    public static final BigInteger CRL_NUMBER_GAP = BigInteger.valueOf(1_000_000);

    private final PkiHome home;
    private final Clock clock = Clock.systemUTC();
    private final Deque<Runnable> undo = new ArrayDeque<>();

    public Restorer(PkiHome home) {
        this.home = home;
    }

    /** What the restore found and did, for the command's output. */
    public record Restored(BackupVerifier.VerifiedBackup backup, Map<String, BigInteger> seenCrlNumbers,
                           List<RestoreApprovals.Approver> approvers, long auditSeq) {
    }

    public Restored restore(Path from, boolean force, List<Path> approvalFiles, String operator) {
        BackupVerifier.VerifiedBackup backup = BackupVerifier.verify(from);
        BackupManifest manifest = backup.manifest();
        refuseInstallation();
        Path staging = home.dir().resolve(".restore");
        if (Files.exists(staging, LinkOption.NOFOLLOW_LINKS)) {
            throw new PkiException(ErrorKind.CONFLICT, staging + " exists: an earlier restore stopped there; remove it");
        }
        try {
            BackupFiles.mkdirs(home.dir());
            BackupFiles.mkdir(staging);
        } catch (IOException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, "cannot make " + staging + ": " + e.getClass().getSimpleName());
        }
        undo.push(() -> BackupFiles.deleteQuietly(staging));
        PkiContext context = null;
        try {
            PkiHome staged = new PkiHome(staging);
            BackupFiles.copy(backup.dir().resolve(SettingsFiles.FILE), staged.config());
            InstallationConfig config = targetConfig(SettingsFiles.readInstallation(staged));
            SettingsFiles.writeInstallation(staged, config);
            Settings settings = SettingsFiles.load(staged);
            BackupFiles.copyTree(backup.dir().resolve("profiles"), staging.resolve("profiles"), p -> true);
            BackupFiles.copyTree(backup.dir().resolve("pki"), staging.resolve("pki"), p -> true);

            context = new PkiContext(home, config, DatabaseRole.OWNER);
            Map<String, BigInteger> seen = new TreeMap<>();
            boolean databaseInUse = !context.embedded() && PgBackups.holdsInventory(context.adminUrl(),
                    "pki-restore", seen);
            seen = merged(seen, publishedCrls(settings, backup));
            Map<String, String> newer = olderThanSeen(manifest, seen);
            if (databaseInUse) {
                throw new PkiException(ErrorKind.CONFLICT, "the database at " + context.databaseDescription()
                        + " holds an inventory already" + (newer.isEmpty() ? "" : " with newer CRLs (" + describe(newer)
                        + ")") + ": restore into an empty database");
            }
            if (!context.embedded()) {
                // An undone restore drops the schema: it must hold nothing but what the restore put there.
                long relations = PgBackups.relationsInSchema(context.adminUrl(), "pki-restore");
                if (relations > 0) {
                    throw new PkiException(ErrorKind.CONFLICT, "the database at " + context.databaseDescription()
                            + " is not empty (" + relations + " tables, views or sequences in its public schema): "
                            + "restore into an empty database");
                }
            }
            if (context.embedded() && Files.exists(home.database())) {
                throw new PkiException(ErrorKind.CONFLICT, home.database() + " exists: restore into a PKI_HOME "
                        + "without a database");
            }
            List<RestoreApprovals.Approver> approvers = List.of();
            if (!newer.isEmpty()) {
                if (!force) {
                    throw new PkiException(ErrorKind.CONFLICT, "the backup (made " + manifest.createdAt()
                            + ") is older than CRLs already published: " + describe(newer) + "; restoring it would "
                            + "use those CRL numbers again. Restore a newer backup, or force it under dual control "
                            + "(--force with two --approval files, see 'pki restore approve')");
                }
                approvers = RestoreApprovals.verify(backup, approvalFiles, clock.instant());
            } else if (force) {
                System.err.println("pki: --force is not needed: the backup is not older than any CRL this host can "
                        + "see; restoring it as usual" + (approvalFiles.isEmpty() ? "" : " (the approvals are not used)"));
            }
            copyTokens(backup, config);
            restoreDatabase(context, backup, approvers);
            context.close();
            context = null;
            moveIntoPlace(staging);
            long seq = recordRestore(backup, seen, newer, approvers, force, operator);
            undo.clear();
            BackupFiles.deleteQuietly(staging);
            return new Restored(backup, seen, approvers, seq);
        } catch (RuntimeException | IOException e) {
            if (context != null) {
                context.close();
            }
            while (!undo.isEmpty()) {
                try {
                    undo.pop().run();
                } catch (RuntimeException again) {
                    System.err.println("pki: undoing the restore: " + (again instanceof PkiException p
                            ? p.publicDetail() : again.getClass().getSimpleName()));
                }
            }
            if (e instanceof PkiException p) {
                throw p;
            }
            throw new PkiException(ErrorKind.CONFIGURATION, "cannot restore into " + home.dir() + ": "
                    + e.getClass().getSimpleName() + " " + e.getMessage());
        }
    }

    private void refuseInstallation() {
        for (Path p : List.of(home.config(), home.pemDir(), home.dir().resolve("config.yaml"))) {
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new PkiException(ErrorKind.CONFLICT, "PKI_HOME " + home.dir() + " holds an installation ("
                        + p.getFileName() + "): restore into a new PKI_HOME");
            }
        }
    }

    /**
     * The backup's settings for this host: SoftHSM2's configuration of this PKI_HOME, the logins'
     * prefix of the target database (roles are cluster-wide: the lost installation's may still
     * exist beside it), the embedded server on a free port when the backup's is taken.
     */
    private InstallationConfig targetConfig(InstallationConfig c) {
        InstallationConfig.Token token = local(c.token());
        InstallationConfig.Token ocsp = c.ocspToken() == null ? null : local(c.ocspToken());
        String given = System.getenv("PKI_DATABASE_URL");
        String url = given != null && !given.isBlank() ? given.trim() : c.database().url();
        InstallationConfig.Database d = c.database();
        String prefix = DatabaseLogins.defaultPrefix(url == null ? "postgres" : DatabaseUrl.parse(url).database(),
                url == null);
        Integer port = d.embeddedPort();
        if (url == null && (port == null || !free(port))) {
            port = freePort();
        }
        return new InstallationConfig(c.domain(), c.organisation(), token, ocsp,
                new InstallationConfig.Database(d.url(), port, d.poolSize(), prefix), c.urls(), c.repository(),
                c.profilesDirectory(), c.caApi());
    }

    private InstallationConfig.Token local(InstallationConfig.Token t) {
        return t.softhsmConfig() == null ? t
                : new InstallationConfig.Token(t.module(), t.label(), home.softhsmConfig().toString(), t.sessions());
    }

    /**
     * Newest CRL number per CA among the CRL files in the target's CRL directory (the crl section's
     * directory, which a restore onto the lost host's disk or web server may still hold). A file is
     * counted for the CA whose certificate in the backup verifies its signature; one that verifies
     * with none is named on stderr and not counted.
     */
    private Map<String, BigInteger> publishedCrls(Settings settings, BackupVerifier.VerifiedBackup backup)
            throws IOException {
        Path dir;
        try {
            dir = CrlSettings.of(settings.crl(), home.dir()).directory();
        } catch (IllegalArgumentException e) {
            throw settings.invalid(e);
        }
        Map<String, BigInteger> numbers = new TreeMap<>();
        for (Path file : BackupFiles.regularFiles(dir)) {
            if (!file.getFileName().toString().endsWith(".crl")) {
                continue;
            }
            X509CRLHolder crl;
            try {
                crl = new X509CRLHolder(Files.readAllBytes(file));
            } catch (IOException | RuntimeException e) {
                System.err.println("pki: " + file + " is not a CRL; not counted");
                continue;
            }
            Optional<String> ca = issuer(crl, backup);
            Extension number = crl.getExtension(Extension.cRLNumber);
            if (ca.isEmpty() || number == null) {
                System.err.println("pki: " + file + " is not a CRL of a CA in the backup; not counted");
                continue;
            }
            numbers.merge(ca.get(), ASN1Integer.getInstance(number.getParsedValue()).getValue(), BigInteger::max);
        }
        return numbers;
    }

    private static Optional<String> issuer(X509CRLHolder crl, BackupVerifier.VerifiedBackup backup) {
        for (Map.Entry<String, X509Certificate> c : backup.certificates().entrySet()) {
            try {
                if (crl.isSignatureValid(new org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder()
                        .build(c.getValue().getPublicKey()))) {
                    return Optional.of(c.getKey());
                }
            } catch (Exception e) {
                // Not this CA's key (another algorithm, or a key that does not verify it).
            }
        }
        return Optional.empty();
    }

    private static Map<String, BigInteger> merged(Map<String, BigInteger> a, Map<String, BigInteger> b) {
        Map<String, BigInteger> out = new TreeMap<>(b);
        a.forEach((k, v) -> out.merge(k, v, BigInteger::max));
        return out;
    }

    private static Map<String, String> olderThanSeen(BackupManifest manifest, Map<String, BigInteger> seen) {
        Map<String, String> newer = new TreeMap<>();
        seen.forEach((ca, number) -> {
            BigInteger backedUp = manifest.newestCrlNumbers().getOrDefault(ca, BigInteger.ZERO);
            if (number.compareTo(backedUp) > 0) {
                newer.put(ca, number + " seen, " + backedUp + " in the backup");
            }
        });
        return newer;
    }

    private static String describe(Map<String, String> newer) {
        StringBuilder s = new StringBuilder();
        newer.forEach((ca, what) -> s.append(s.isEmpty() ? "" : "; ").append(ca).append(": CRL number ").append(what));
        return s.toString();
    }

    /** SoftHSM2's token directories into this host's token store; a token of the same label there is refused. */
    private void copyTokens(BackupVerifier.VerifiedBackup backup, InstallationConfig config) throws IOException {
        for (Map.Entry<String, BackupManifest.Token> t : backup.manifest().tokens().entrySet()) {
            if (t.getValue().directory() == null) {
                continue;
            }
            Optional<Path> store = SoftHsmTokens.tokenStore(home.softhsmConfig());
            if (store.isEmpty()) {
                throw new PkiException(ErrorKind.CONFIGURATION, home.softhsmConfig() + " does not name an existing "
                        + "SoftHSM2 token directory: run the restore through ops/pki, which writes it");
            }
            if (SoftHsmTokens.tokenDirectory(store.get(), t.getValue().label()).isPresent()) {
                throw new PkiException(ErrorKind.CONFLICT, "the SoftHSM2 store " + store.get() + " holds a token "
                        + "labelled '" + t.getValue().label() + "' already: restore into a new PKI_HOME");
            }
            Path source = backup.dir().resolve(t.getValue().directory());
            Path target = store.get().resolve(source.getFileName().toString());
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new PkiException(ErrorKind.CONFLICT, target + " exists already");
            }
            undo.push(() -> BackupFiles.deleteQuietly(target));
            BackupFiles.copyTree(source, target, p -> true);
        }
    }

    private void restoreDatabase(PkiContext context, BackupVerifier.VerifiedBackup backup,
                                 List<RestoreApprovals.Approver> approvers) {
        boolean embedded = context.embedded();
        if (embedded) {
            undo.push(() -> BackupFiles.deleteQuietly(home.database()));
        }
        List<Path> secrets = new java.util.ArrayList<>();
        for (DatabaseRole role : DatabaseRole.values()) {
            if (!Files.exists(home.databasePassword(role))) {
                secrets.add(home.databasePassword(role));
            }
        }
        undo.push(() -> secrets.forEach(BackupFiles::deleteQuietly));
        context.createLogins();
        DatabaseUrl owner = context.databaseUrl(DatabaseRole.OWNER);
        DatabaseUrl admin = embedded ? null : context.adminUrl();
        if (!embedded) {
            undo.push(() -> PgBackups.dropRestoredSchema(admin, "pki-restore", owner.user()));
        }
        // One transaction: the database holds all of the dump or none of it. Owned by the owner login.
        PostgresTools.run("pg_restore", owner, List.of("--single-transaction", "--exit-on-error", "--no-owner",
                backup.dir().resolve(BackupWriter.DUMP).toString()), home.dir().resolve(".restore"));
        String app = DatabaseLogins.applicationName(DatabaseRole.OWNER);
        PgBackups.Figures figures = PgBackups.figures(owner, app);
        BackupManifest m = backup.manifest();
        if (!figures.newestCrlNumbers().equals(m.newestCrlNumbers()) || figures.highestAuditSeq() != m.highestAuditSeq()
                || figures.certificates() != m.certificates()
                || !figures.highestSerial().toString(16).equals(m.highestSerial())) {
            throw new PkiException(ErrorKind.MALFORMED, "the restored database does not match the manifest (CRL "
                    + "numbers " + figures.newestCrlNumbers() + ", audit entry " + figures.highestAuditSeq() + ", "
                    + figures.certificates() + " certificates): " + BackupWriter.DUMP + " is not the dump the manifest "
                    + "describes");
        }
        for (RestoreApprovals.Approver a : approvers) {
            PgBackups.Administrator who = PgBackups.administrator(owner, app, a.caName(), a.serial())
                    .orElseThrow(() -> new PkiException(ErrorKind.UNAUTHORIZED, "--approval " + a.file() + ": "
                            + a.subject() + " is not an administrator of the backed-up PKI"));
            if (!"issued".equals(who.certificateStatus())
                    || who.roles().stream().noneMatch(RestoreApprovals.APPROVING_ROLES::contains)) {
                throw new PkiException(ErrorKind.UNAUTHORIZED, "--approval " + a.file() + ": administrator "
                        + who.name() + " may not approve a restore (needs role approver or security-officer and a "
                        + "certificate that is not revoked)");
            }
        }
        long distinct = approvers.stream().map(a -> PgBackups.administrator(owner, app, a.caName(), a.serial())
                .orElseThrow().name()).distinct().count();
        if (distinct < approvers.size()) {
            throw new PkiException(ErrorKind.UNAUTHORIZED, "two approvals are by one administrator's certificates: "
                    + "dual control needs " + RestoreApprovals.REQUIRED + " different administrators");
        }
        context.migrate();
        PgBackups.advanceCrlCounters(owner, app, CRL_NUMBER_GAP);
    }

    /** The staged files into PKI_HOME, medpki.yaml last (its presence is what makes an installation). */
    private void moveIntoPlace(Path staging) throws IOException {
        for (String name : List.of("profiles", "pki")) {
            Path from = staging.resolve(name);
            if (Files.exists(from)) {
                Path to = home.dir().resolve(name);
                Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
                undo.push(() -> BackupFiles.deleteQuietly(to));
            }
        }
        Files.move(staging.resolve(SettingsFiles.FILE), home.config(), StandardCopyOption.ATOMIC_MOVE);
        undo.push(() -> BackupFiles.deleteQuietly(home.config()));
    }

    /**
     * As the CA: every key of the restored inventory's hierarchy must be in its token with the
     * certificate's public key; then the restore is appended to the restored audit chain and a
     * checkpoint signed with the restored audit key (which proves the token and its PIN work).
     */
    private long recordRestore(BackupVerifier.VerifiedBackup backup, Map<String, BigInteger> seen,
                               Map<String, String> newer, List<RestoreApprovals.Approver> approvers, boolean force,
                               String operator) {
        try (PkiContext context = PkiContext.open(home, DatabaseRole.CA)) {
            Hierarchy hierarchy = context.hierarchy();
            // Keys destroyed by key retirement are gone on purpose: their records say so.
            java.util.Set<String> destroyed = new java.util.HashSet<>();
            org.medpki.inventory.pg.PgKeyDestructions.over(context.database()).all()
                    .forEach(d -> destroyed.add(d.keyLabel()));
            for (CaCertificate ca : hierarchy.all()) {
                if (destroyed.contains(ca.keyLabel())) {
                    continue;
                }
                SigningKeys keys = ca.record().role() == CaRole.OCSP_SIGNER ? context.ocspKeys() : context.keys();
                Optional<KeyPairInfo> key = keys.find(ca.keyLabel());
                if (key.isEmpty() || !samePublicKey(key.get().publicKey(), ca.publicKey())) {
                    throw new PkiException(ErrorKind.KEY_NOT_FOUND, "the restored token '" + keys.token().label()
                            + "' does not hold the key of " + ca.name() + " ('" + ca.keyLabel() + "')");
                }
            }
            Map<String, String> facts = new LinkedHashMap<>();
            BackupManifest m = backup.manifest();
            facts.put("from", backup.dir().toString());
            facts.put("manifestSha256", backup.manifestSha256());
            facts.put("backupCreatedAt", m.createdAt());
            facts.put("backupHighestAuditSeq", Long.toString(m.highestAuditSeq()));
            facts.put("crlNumberGap", CRL_NUMBER_GAP.toString());
            seen.forEach((ca, n) -> facts.put("seenCrlNumber." + ca, n.toString()));
            facts.put("forced", Boolean.toString(force && !newer.isEmpty()));
            for (int i = 0; i < approvers.size(); i++) {
                facts.put("approver." + (i + 1), approvers.get(i).subject() + " (serial "
                        + approvers.get(i).serial().toString(16) + ")");
            }
            long seq = context.audit().record(AuditEvent.success(clock.instant(), "backup.restored", operator, facts))
                    .seq();
            CaCertificate auditSigner = hierarchy.auditSigner().orElseThrow(() -> new PkiException(
                    ErrorKind.NOT_FOUND, "the restored PKI has no audit signer"));
            context.audit().checkpoint(HsmAuditSigner.of(context.keys(), auditSigner));
            return seq;
        }
    }

    private static boolean samePublicKey(PublicKey a, PublicKey b) {
        return java.util.Arrays.equals(a.getEncoded(), b.getEncoded());
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, "no free port for the embedded PostgreSQL");
        }
    }

}
