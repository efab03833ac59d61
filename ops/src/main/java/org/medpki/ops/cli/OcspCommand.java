package org.medpki.ops.cli;

import org.medpki.inventory.pg.PgOcspRepository;
import org.medpki.ops.install.OcspSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.hierarchy.CaOcspSignerCertifier;
import org.medpki.core.hierarchy.OcspSignerCertifier;
import org.medpki.core.hierarchy.OcspSignerRotation;
import org.medpki.ocsp.OcspRepository;
import org.medpki.ocsp.OcspResponder;
import org.medpki.ocsp.OcspServer;
import org.medpki.ocsp.StaplingExport;
import org.medpki.ops.install.DatabaseRole;
import org.medpki.ops.install.PkiContext;
import org.medpki.ops.install.PkiHome;
import org.medpki.ops.install.TokenRole;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "ocsp", description = "OCSP responses and signers: export stapling files, rotate the OCSP signers.",
        subcommands = {OcspCommand.Export.class, OcspCommand.Rotate.class})
public final class OcspCommand implements Runnable {

    @Override
    public void run() {
        throw new IllegalArgumentException("name an ocsp command: export or rotate");
    }

    @Command(name = "export", description = "Write the current DER OCSP response of every certificate to DIR as "
            + "<serial-hex>.ocsp (for nginx ssl_stapling_file, HAProxy <cert>.ocsp); signs missing or old ones first.")
    public static final class Export implements Callable<Integer> {
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write to.")
        Path out;

        @Override
        public Integer call() {
            try (PkiContext context = PkiContext.open(PkiHome.fromEnvironment(), DatabaseRole.CA)) {
                OcspRepository repository = PgOcspRepository.over(context.database());
                OcspResponder responder = OcspServer.responder(context.inventory(), repository, context.ocspKeys(),
                        OcspSettings.config(context.settings()), context.clock());
                int signed = responder.refreshDue();
                Map<Long, String> names = context.hierarchy().all().stream()
                        .collect(Collectors.toMap(c -> c.record().id(), CaCertificate::name));
                List<StaplingExport.Written> written = StaplingExport.write(repository, names, out,
                        context.clock().instant());
                System.out.println("wrote " + written.size() + " OCSP responses to " + out + " (" + signed
                        + " signed now)");
            }
            return 0;
        }
    }

    @Command(name = "rotate", description = "Issue a new OCSP signer (new key in the OCSP token, certificate signed "
            + "with the issuing CA's key in the CA token) for every issuing CA whose signer expires within --margin-days "
            + "or has its key outside the OCSP token, or for all with --force. Needs both tokens' PINs (run it on the CA "
            + "host). Running responders pick it up within a minute and re-sign.")
    public static final class Rotate implements Callable<Integer> {
        @Option(names = "--margin-days", description = "Rotate signers expiring within this many days (default 30).")
        Integer marginDays;

        @Option(names = "--force", description = "Rotate every issuing CA's signer now.")
        boolean force;

        @Override
        public Integer call() {
            try (PkiContext context = PkiContext.open(PkiHome.fromEnvironment(), DatabaseRole.CA)) {
                context.ensureSoftHsmToken(TokenRole.OCSP); // an installation made before the OCSP token
                var margin = marginDays == null ? OcspSettings.signerMargin(context.settings()) : java.time.Duration.ofDays(marginDays);
                OcspSignerCertifier certifier = new CaOcspSignerCertifier(context.keys(), context.inventory(),
                        context.audit(), context.clock());
                List<OcspSignerRotation.Rotated> rotated = new OcspSignerRotation(context.ocspKeys(),
                        context.inventory(), certifier, context.clock()).rotateDue(margin, force, Actors.cli());
                if (rotated.isEmpty()) {
                    System.out.println("no OCSP signer expires within " + margin.toDays() + " days; nothing rotated");
                }
                for (OcspSignerRotation.Rotated r : rotated) {
                    System.out.println("rotated the OCSP signer of " + r.issuingCa() + ": " + r.newSigner()
                            + " (key " + r.keyLabel() + " in the OCSP token, valid until " + r.notAfter() + ")" + (r.oldSigner() == null ? "" : ", replaces "
                            + r.oldSigner()));
                }
            }
            return 0;
        }
    }
}
