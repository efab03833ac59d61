package org.medpki.ops.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.bouncycastle.cert.X509CertificateHolder;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.core.inventory.CertificateRecord;
import org.medpki.core.pem.Pem;
import org.medpki.ops.install.DatabaseRole;
import org.medpki.ops.install.PkiContext;
import org.medpki.ops.install.PkiHome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "show", description = "Show what the inventory knows of a certificate, and its PEM.")
public final class ShowCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "SERIAL", description = "Serial number in hex.")
    String serial;

    @Option(names = "--json", description = "One JSON object per certificate.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        try (PkiContext context = PkiContext.open(PkiHome.fromEnvironment(), DatabaseRole.AUDITOR)) {
            List<CertificateRecord> records = context.inventory().certificatesWithSerial(Serials.parse(serial));
            if (records.isEmpty()) {
                throw new PkiException(ErrorKind.NOT_FOUND, "no certificate has serial " + serial);
            }
            Hierarchy hierarchy = context.hierarchy();
            for (CertificateRecord r : records) {
                String issuer = hierarchy.byId(r.caId()).map(CaCertificate::name).orElse("?");
                if (json) {
                    System.out.println(Json.write(CertificateJson.of(r, issuer, true)));
                    continue;
                }
                System.out.println("serial:      " + r.serialHex());
                System.out.println("issuer:      " + issuer);
                System.out.println("profile:     " + r.profile());
                System.out.println("subject:     " + r.subject());
                System.out.println("names:       " + String.join(", ", r.sans()));
                System.out.println("not before:  " + r.notBefore());
                System.out.println("not after:   " + r.notAfter());
                System.out.println("status:      " + r.status().name().toLowerCase(java.util.Locale.ROOT));
                if (r.revokedAt() != null) {
                    System.out.println("revoked at:  " + r.revokedAt());
                    System.out.println("reason:      " + r.reason().rfcName());
                }
                System.out.println("requester:   " + r.requester());
                if (r.der() != null) {
                    System.out.print(Pem.certificate(new X509CertificateHolder(r.der())));
                }
            }
        }
        return 0;
    }
}
