package org.medpki.ops.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.medpki.core.audit.AuditEvent;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.core.hierarchy.HsmAuditSigner;
import org.medpki.core.pem.Pem;
import org.medpki.inventory.pg.PgBackups;
import org.medpki.ops.install.DatabaseLogins;
import org.medpki.ops.install.DatabaseRole;
import org.medpki.ops.install.InstallationConfig;
import org.medpki.ops.install.PkiContext;
import org.medpki.ops.install.SettingsFiles;
import org.medpki.ops.install.SoftHsmTokens;
import org.medpki.ops.install.TokenRole;

/**
 * 'pki backup --out DIR' on the CA host. Writes into DIR (mode 700, files 600):
 * <ul>
 * <li>{@code database.dump}: pg_dump (custom format) of the inventory as the owner, in a snapshot
 * whose figures the manifest records; with the tables' grants to the service group roles;</li>
 * <li>{@code medpki.yaml} and {@code profiles/}: the configuration;</li>
 * <li>{@code pki/}: the PEM files of the hierarchy as in PKI_HOME, and {@code certificates/}: every
 * CA, OCSP signer and audit certificate as the inventory holds it;</li>
 * <li>{@code tokens/<uuid>/}: with SoftHSM2, the store of the CA token and of the OCSP token, whose
 * keys stay encrypted under the token's PIN (no PIN is in the backup);</li>
 * <li>{@code manifest.json} (last but one) and {@code manifest.sig}, its signature by the audit key
 * in the token (last: a backup without it is incomplete and restore refuses it).</li>
 * </ul>
 * Not in it: PINs, database passwords, the service certificates' keys (new ones are issued at the
 * first 'pki up' after a restore), the database server's own files.
 */
public final class BackupWriter {
    static final String DUMP = "database.dump";
    static final String CERTIFICATES = "certificates";

    private final PkiContext context;
    private final String product;

    public BackupWriter(PkiContext context, String product) {
        this.context = context;
        this.product = product;
    }

    /** What a finished backup says of itself, for the command's output. */
    public record Written(Path dir, BackupManifest manifest, String manifestSha256) {
    }

    public Written write(Path outDir, String operator) {
        Path out = outDir.toAbsolutePath().normalize();
        if (out.startsWith(context.home().dir())) {
            throw new PkiException(ErrorKind.CONFIGURATION, "--out " + out + " is inside PKI_HOME "
                    + context.home().dir() + ": write the backup outside it");
        }
        Hierarchy hierarchy = context.hierarchy();
        CaCertificate auditSigner = hierarchy.auditSigner().orElseThrow(() -> new PkiException(ErrorKind.NOT_FOUND,
                "this PKI has no audit signer, whose key signs the backup's manifest"));
        // The token first: a wrong PIN stops the backup before anything is written.
        HsmAuditSigner signer = HsmAuditSigner.of(context.keys(), auditSigner);
        if (context.keys().find(auditSigner.keyLabel()).isEmpty()) {
            throw new PkiException(ErrorKind.KEY_NOT_FOUND, "the audit key '" + auditSigner.keyLabel()
                    + "' is not in the CA token: the manifest cannot be signed");
        }
        BackupFiles.createEmptyDirectory(out, "--out");
        try {
            Written written = writeInto(out, hierarchy, auditSigner, signer);
            context.audit().record(AuditEvent.success(context.clock().instant(), "backup.created", operator,
                    facts(written)));
            return written;
        } catch (RuntimeException | IOException e) {
            // Nothing half done: a backup that failed leaves no directory that looks like one.
            BackupFiles.deleteQuietly(out);
            context.audit().recordQuietly(AuditEvent.failure(context.clock().instant(), "backup.created", operator,
                    Map.of("out", out.toString(), "reason", e instanceof PkiException p ? p.publicDetail()
                            : e.getClass().getSimpleName())));
            if (e instanceof PkiException p) {
                throw p;
            }
            throw new PkiException(ErrorKind.CONFIGURATION, "cannot write the backup to " + out + ": "
                    + e.getClass().getSimpleName() + " " + e.getMessage());
        }
    }

    private Written writeInto(Path out, Hierarchy hierarchy, CaCertificate auditSigner, HsmAuditSigner signer)
            throws IOException {
        Instant now = context.clock().instant();
        PgBackups.Figures figures;
        try (PgBackups.Snapshot snapshot = PgBackups.snapshot(context.databaseUrl(DatabaseRole.OWNER),
                DatabaseLogins.applicationName(DatabaseRole.OWNER))) {
            figures = snapshot.figures();
            PostgresTools.run("pg_dump", context.databaseUrl(DatabaseRole.OWNER), List.of("--format=custom",
                    "--snapshot=" + snapshot.id(), "--file=" + out.resolve(DUMP)), out);
        }
        BackupFiles.copy(context.home().config(), out.resolve(SettingsFiles.FILE));
        BackupFiles.copyTree(context.profilesDirectory(), out.resolve("profiles"),
                p -> p.getFileName().toString().endsWith(".yaml"));
        BackupFiles.copyTree(context.home().pemDir(), out.resolve("pki"),
                p -> p.getFileName().toString().endsWith(".pem"));
        for (CaCertificate ca : hierarchy.all()) {
            Path pem = out.resolve(CERTIFICATES).resolve(ca.name() + ".pem");
            BackupFiles.mkdirs(pem.getParent());
            Files.writeString(pem, Pem.certificate(ca.certificate()));
            Files.setPosixFilePermissions(pem, java.nio.file.attribute.PosixFilePermissions.fromString(
                    BackupFiles.FILE_MODE));
        }
        Map<String, BackupManifest.Token> tokens = new LinkedHashMap<>();
        for (TokenRole role : TokenRole.values()) {
            InstallationConfig.Token t = context.config().token(role);
            if (role == TokenRole.ENROLL && (!SoftHsmTokens.isSoftHsm(t.module()) || !SoftHsmTokens.labels()
                    .contains(t.label()))) {
                // Made only where SCEP runs, and holds nothing the PKI cannot make again (the RA key).
                continue;
            }
            tokens.put(role.name().toLowerCase(java.util.Locale.ROOT), copyToken(context.config().token(role), out));
        }
        Map<String, String> files = new LinkedHashMap<>();
        for (Path file : BackupFiles.regularFiles(out)) {
            files.put(out.relativize(file).toString(), BackupFiles.sha256(file));
        }
        BackupManifest manifest = new BackupManifest(BackupManifest.FORMAT, product, now.toString(),
                context.config().domain(), hierarchy.root().name(),
                BackupFiles.sha256(hierarchy.root().certificate().getEncoded()), auditSigner.name(),
                figures.newestCrlNumbers(), figures.highestAuditSeq(), figures.certificates(),
                figures.highestSerial().toString(16), tokens, files);
        byte[] json = manifest.toJson();
        byte[] signature = signer.sign(BackupManifest.signedBytes(json));
        writeSecretFile(out.resolve(BackupManifest.FILE), json);
        writeSecretFile(out.resolve(BackupManifest.SIGNATURE_FILE), new BackupManifest.Signature(auditSigner.name(),
                signer.algorithm(), Base64.getEncoder().encodeToString(signature)).toJson());
        return new Written(out, manifest, BackupFiles.sha256(json));
    }

    /**
     * With SoftHSM2: the token's directory of its file store, into tokens/. A hardware HSM's keys
     * are backed up by its vendor's procedure (wrapped under a key of the HSM); the manifest then
     * names the token's label only.
     */
    private static BackupManifest.Token copyToken(InstallationConfig.Token token, Path out) throws IOException {
        if (!SoftHsmTokens.isSoftHsm(token.module()) || token.softhsmConfig() == null) {
            return new BackupManifest.Token(token.label(), null);
        }
        Optional<Path> store = SoftHsmTokens.tokenStore(Path.of(token.softhsmConfig()));
        Optional<Path> dir = store.isEmpty() ? Optional.empty() : SoftHsmTokens.tokenDirectory(store.get(), token.label());
        if (dir.isEmpty()) {
            throw new PkiException(ErrorKind.TOKEN_UNAVAILABLE, "no SoftHSM2 token labelled '" + token.label()
                    + "' in the store that " + token.softhsmConfig() + " names");
        }
        String relative = "tokens/" + dir.get().getFileName();
        BackupFiles.copyTree(dir.get(), out.resolve(relative), p -> true);
        return new BackupManifest.Token(token.label(), relative);
    }

    private static void writeSecretFile(Path file, byte[] content) throws IOException {
        Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString(BackupFiles.FILE_MODE)));
        Files.write(file, content);
    }

    private static Map<String, String> facts(Written written) {
        BackupManifest m = written.manifest();
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("out", written.dir().toString());
        facts.put("manifestSha256", written.manifestSha256());
        facts.put("createdAt", m.createdAt());
        facts.put("highestAuditSeq", Long.toString(m.highestAuditSeq()));
        facts.put("certificates", Long.toString(m.certificates()));
        m.newestCrlNumbers().forEach((ca, number) -> facts.put("crlNumber." + ca, number.toString()));
        m.tokens().forEach((role, t) -> facts.put("token." + role, t.label()
                + (t.directory() == null ? " (not copied: the HSM vendor's backup)" : " (SoftHSM2 store copied)")));
        return facts;
    }

}
