package org.medpki.ops.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.issuance.IssueCommand;
import org.medpki.core.issuance.IssuedCertificate;
import org.medpki.ops.install.DatabaseRole;
import org.medpki.ops.install.PkiContext;
import org.medpki.ops.install.PkiHome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "issue", description = "Issue a certificate for a CSR under a profile; prints the PEM chain, leaf first.")
public final class IssueCli implements Callable<Integer> {

    @Option(names = "--profile", required = true, description = "Profile name (pki status lists them): tls-server, shortlived, tls-client, atna-node, sdc-participant, udap-client, user, device, code-signing, ...")
    String profile;

    @Option(names = "--csr", required = true, description = "PKCS#10 request, PEM or DER.")
    Path csr;

    @Option(names = "--out", description = "Write the PEM chain to this file instead of standard output.")
    Path out;

    @Option(names = "--days", description = "Validity in days (default: the profile's; capped by its maximum).")
    Integer days;

    @Option(names = "--usage", description = "An optional extended key usage of the profile to include, e.g. clientAuth.")
    List<String> usages = List.of();

    @Override
    public Integer call() throws IOException {
        byte[] request;
        try {
            request = Files.readAllBytes(csr);
        } catch (IOException e) {
            throw new PkiException(ErrorKind.MALFORMED, "cannot read the CSR file " + csr);
        }
        try (PkiContext context = PkiContext.open(PkiHome.fromEnvironment(), DatabaseRole.CA)) {
            Duration validity = days == null ? null : Duration.ofDays(days);
            IssuedCertificate issued = context.issuance().issue(new IssueCommand(profile, request, Actors.cli(),
                    validity, null, Set.copyOf(usages)));
            if (out != null) {
                Files.writeString(out, issued.pemChain());
                System.err.println("issued serial " + issued.serial().toString(16) + " by " + issued.issuer()
                        + "; chain written to " + out);
            } else {
                System.out.print(issued.pemChain());
            }
        }
        return 0;
    }
}
