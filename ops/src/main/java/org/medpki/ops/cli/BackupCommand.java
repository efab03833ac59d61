package org.medpki.ops.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.medpki.ops.PkiMain;
import org.medpki.ops.backup.BackupWriter;
import org.medpki.ops.install.DatabaseRole;
import org.medpki.ops.install.PkiContext;
import org.medpki.ops.install.PkiHome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** 'pki backup --out DIR' on the CA host: see {@link BackupWriter}. */
@Command(name = "backup", mixinStandardHelpOptions = true, description = "On the CA host: write a backup of this "
        + "installation into DIR (mode 700; it must not exist or be empty): the database (pg_dump), the settings and "
        + "profiles, the CA certificates, the SoftHSM2 token store (keys encrypted under the token PIN; no PIN), and a "
        + "manifest with the SHA-256 of every file signed by the audit key in the token. Audited.")
public final class BackupCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write, outside PKI_HOME.")
    Path out;

    @Override
    public Integer call() {
        try (PkiContext context = PkiContext.open(PkiHome.fromEnvironment(), DatabaseRole.CA)) {
            BackupWriter.Written w = new BackupWriter(context, PkiMain.version()).write(out, Actors.cli());
            System.out.println("backup written to " + w.dir() + ": " + w.manifest().files().size() + " files, "
                    + w.manifest().certificates() + " certificates, audit log to entry "
                    + w.manifest().highestAuditSeq() + ", newest CRL numbers " + w.manifest().newestCrlNumbers()
                    + "; manifest SHA-256 " + w.manifestSha256());
        }
        return 0;
    }
}
