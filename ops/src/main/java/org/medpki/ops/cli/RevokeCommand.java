package org.medpki.ops.cli;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import org.medpki.core.inventory.CertificateRecord;
import org.medpki.core.revocation.RevocationReason;
import org.medpki.ops.install.PkiContext;
import org.medpki.ops.install.PkiHome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "revoke", description = "Revoke a certificate by serial (hex) with an RFC 5280 reason.")
public final class RevokeCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "SERIAL", description = "Serial number in hex.")
    String serial;

    @Option(names = "--reason", required = true,
            description = "RFC 5280 reason: unspecified, keyCompromise, affiliationChanged, superseded, "
                    + "cessationOfOperation, privilegeWithdrawn.")
    String reason;

    @Option(names = "--ca", description = "Issuing CA, when the serial exists under more than one.")
    String ca;

    @Option(names = "--invalidity-date", description = "When the key is known or suspected to have been compromised (ISO-8601).")
    String invalidityDate;

    @Override
    public Integer call() {
        RevocationReason why = RevocationReason.parse(reason);
        Instant invalid = null;
        if (invalidityDate != null) {
            try {
                invalid = Instant.parse(invalidityDate);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("--invalidity-date '" + invalidityDate
                        + "' is not an ISO-8601 instant such as 2026-11-26T10:15:30Z");
            }
        }
        try (PkiContext context = PkiContext.open(PkiHome.fromEnvironment())) {
            CertificateRecord r = context.revocation().revoke(ca, Serials.parse(serial), why, Actors.cli(), invalid);
            System.out.println("revoked " + r.serialHex() + " (" + r.subject() + ") reason " + why.rfcName()
                    + " at " + r.revokedAt());
        }
        return 0;
    }
}
