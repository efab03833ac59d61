package org.medpki.ops.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.ops.adminclient.ClientIdentity;
import org.medpki.ops.adminclient.PemIdentity;
import org.medpki.ops.adminclient.TokenIdentity;
import org.medpki.ops.backup.BackupVerifier;
import org.medpki.ops.backup.RestoreApprovals;
import org.medpki.ops.backup.Restorer;
import org.medpki.ops.install.PkiHome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** 'pki restore --from DIR' into a new PKI_HOME, and 'pki restore approve' for a forced one: see {@link Restorer}. */
@Command(name = "restore", mixinStandardHelpOptions = true, subcommands = RestoreCommand.Approve.class,
        description = "Restore a backup made by 'pki backup' into a new installation (PKI_HOME without one, an empty "
                + "database): checks the manifest's signature and every file's SHA-256 first, and refuses a backup "
                + "older than a CRL the target can see unless forced with two administrators' approvals. Audited.")
public final class RestoreCommand implements Callable<Integer> {
    // Not required by picocli: 'pki restore approve' would then need it before its own name.
    @Option(names = "--from", paramLabel = "DIR", description = "The backup's directory (required).")
    Path from;

    @Option(names = "--force", description = "Restore even a backup older than a CRL the target can see; needs two "
            + "--approval files by different administrators.")
    boolean force;

    @Option(names = "--approval", paramLabel = "FILE", description = "An approval of this restore made with "
            + "'pki restore approve' (with --force; twice, by different administrators).")
    List<Path> approvals = new ArrayList<>();

    @Override
    public Integer call() {
        if (from == null) {
            throw new IllegalArgumentException("--from DIR is required: the backup to restore");
        }
        if (!approvals.isEmpty() && !force) {
            throw new IllegalArgumentException("--approval goes with --force");
        }
        Restorer.Restored r = new Restorer(PkiHome.fromEnvironment()).restore(from, force, approvals, Actors.cli());
        System.out.println("restored the backup made " + r.backup().manifest().createdAt() + " (manifest SHA-256 "
                + r.backup().manifestSha256() + ") into " + PkiHome.fromEnvironment().dir() + ": "
                + r.backup().manifest().certificates() + " certificates, audit log to entry " + r.auditSeq()
                + " (the restore), CRL counters moved forward by " + Restorer.CRL_NUMBER_GAP
                + (r.approvers().isEmpty() ? "" : ", forced with the approvals of " + String.join(" and ",
                r.approvers().stream().map(RestoreApprovals.Approver::subject).toList())));
        System.out.println("root certificate SHA-256 " + r.backup().manifest().rootSha256()
                + ": compare it with the one on record before 'pki up'");
        return 0;
    }

    @Command(name = "approve", mixinStandardHelpOptions = true, description = "As an administrator: sign your "
            + "approval of a forced restore of the backup in DIR with your admin API identity (--cert/--key, or "
            + "--pkcs11-module/--token-label), into FILE.")
    static final class Approve implements Callable<Integer> {
        @Option(names = "--from", required = true, paramLabel = "DIR", description = "The backup to restore.")
        Path from;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "The approval to write (must not exist).")
        Path out;

        @Option(names = "--cert", paramLabel = "FILE", description = "Your client certificate chain (PEM, leaf first).")
        Path cert;

        @Option(names = "--key", paramLabel = "FILE", description = "The private key of --cert (PEM; if encrypted, the "
                + "passphrase comes from $" + PemIdentity.PASSPHRASE_VARIABLE + " or the terminal).")
        Path key;

        @Option(names = "--pkcs11-module", paramLabel = "LIB", description = "Instead of --cert/--key: the PKCS#11 "
                + "library of the token with your key (PIN from $" + TokenIdentity.PIN_VARIABLE + " or the terminal).")
        Path pkcs11Module;

        @Option(names = "--token-label", paramLabel = "LABEL", description = "The token's label (with --pkcs11-module).")
        String tokenLabel;

        @Option(names = "--key-label", paramLabel = "LABEL", description = "The key's label, when the token holds more than one.")
        String keyLabel;

        @Override
        public Integer call() throws Exception {
            ClientIdentity identity = identity();
            BackupVerifier.VerifiedBackup backup = BackupVerifier.verify(from);
            if (Files.exists(out)) {
                throw new PkiException(ErrorKind.CONFLICT, "--out " + out + " exists");
            }
            byte[] approval = RestoreApprovals.approve(backup, identity);
            Files.createFile(out, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
            Files.write(out, approval);
            System.out.println("approval of the restore of " + backup.dir() + " (manifest SHA-256 "
                    + backup.manifestSha256() + ") written to " + out);
            return 0;
        }

        private ClientIdentity identity() {
            if ((cert != null || key != null) && (pkcs11Module != null || tokenLabel != null)) {
                throw new IllegalArgumentException("give either --cert/--key or --pkcs11-module/--token-label, not both");
            }
            if (pkcs11Module != null || tokenLabel != null) {
                if (pkcs11Module == null || tokenLabel == null) {
                    throw new IllegalArgumentException("a token identity needs both --pkcs11-module and --token-label");
                }
                return new TokenIdentity(pkcs11Module, tokenLabel, keyLabel, System.getenv());
            }
            if (cert == null || key == null) {
                throw new IllegalArgumentException("no identity: give --cert FILE --key FILE, or --pkcs11-module LIB "
                        + "--token-label LABEL");
            }
            return new PemIdentity(cert, key, System.getenv());
        }
    }
}
