package org.medpki.ops.cli;

import java.security.PublicKey;
import java.util.concurrent.Callable;
import org.medpki.core.audit.AuditCheckpoint;
import org.medpki.core.audit.AuditReport;
import org.medpki.core.audit.AuditVerifier;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.hierarchy.HsmAuditSigner;
import org.medpki.ops.install.DatabaseRole;
import org.medpki.ops.install.PkiContext;
import org.medpki.ops.install.PkiHome;
import picocli.CommandLine.Command;

@Command(name = "audit", description = "Verify or checkpoint the hash-chained audit log.",
        subcommands = {AuditCommand.Verify.class, AuditCommand.Checkpoint.class})
public final class AuditCommand implements Runnable {

    @Override
    public void run() {
        throw new IllegalArgumentException("name an audit command: verify or checkpoint");
    }

    @Command(name = "verify", description = "Check every entry's hash, the chain links and the signed checkpoints; "
            + "names each edited, deleted or reordered entry.")
    public static final class Verify implements Callable<Integer> {
        @Override
        public Integer call() {
            try (PkiContext context = PkiContext.open(PkiHome.fromEnvironment(), DatabaseRole.AUDITOR)) {
                PublicKey auditKey = context.hierarchy().auditSigner().map(CaCertificate::publicKey).orElse(null);
                AuditReport report = new AuditVerifier(context.database().auditStore()).verify(auditKey);
                report.problems().forEach(p -> System.out.println("PROBLEM " + p));
                System.out.println((report.ok() ? "audit log OK: " : "audit log FAILED: ") + report.entries()
                        + " entries, " + report.checkpointsVerified() + " signed checkpoints verified"
                        + report.oldest().map(e -> ", oldest entry " + e.seq() + " at " + e.at()).orElse(""));
                if (!report.ok()) {
                    System.err.println("pki: audit verification failed: " + report.problems().getFirst());
                    return 10;
                }
            }
            return 0;
        }
    }

    @Command(name = "checkpoint", description = "Sign the current head of the audit chain with the audit key in the token.")
    public static final class Checkpoint implements Callable<Integer> {
        @Override
        public Integer call() {
            try (PkiContext context = PkiContext.open(PkiHome.fromEnvironment(), DatabaseRole.CA)) {
                CaCertificate signer = context.hierarchy().auditSigner().orElseThrow(() -> new org.medpki.core.error
                        .PkiException(org.medpki.core.error.ErrorKind.NOT_FOUND, "this PKI has no audit signer"));
                AuditCheckpoint c = context.audit().checkpoint(HsmAuditSigner.of(context.keys(), signer));
                System.out.println("checkpoint signed at entry " + c.seq());
            }
            return 0;
        }
    }
}
