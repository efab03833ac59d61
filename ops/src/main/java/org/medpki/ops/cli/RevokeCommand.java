package org.medpki.ops.cli;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.inventory.CertificateRecord;
import org.medpki.core.revocation.RevocationReason;
import org.medpki.ops.install.DatabaseRole;
import org.medpki.ops.install.PkiContext;
import org.medpki.ops.install.PkiHome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "revoke", description = "Revoke a certificate by serial (hex) with an RFC 5280 reason.")
public final class RevokeCommand implements Callable<Integer> {
    /**
     * On the CA host this bypasses the admin API's dual control: it is break-glass, and its audit
     * entries say so (actor {@code break-glass:cli:USER}, detail {@code breakGlass}), as 'pki admin
     * enroll' does.
     */
    private static final java.util.Map<String, String> BREAK_GLASS = java.util.Map.of("breakGlass", "true");

    @Parameters(index = "0", arity = "0..1", paramLabel = "SERIAL", description = "Serial number in hex.")
    String serial;

    @Option(names = "--from", paramLabel = "FILE", description = "Revoke every certificate listed in FILE ('-' for "
            + "standard input), one per line: SERIAL or 'CA SERIAL'; blank lines and # comments are skipped. "
            + "Goes on after a failure; exit status 5 if any line failed (mass revocation, see ops/runbooks).")
    java.nio.file.Path from;

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
        RevocationReason why;
        try {
            why = RevocationReason.parse(reason);
        } catch (IllegalArgumentException e) {
            // A bad reason is a bad request (exit 3), like a bad CSR or profile, not a usage error.
            throw new PkiException(ErrorKind.BAD_REVOCATION_REASON, "--reason: " + e.getMessage());
        }
        Instant invalid = null;
        if (invalidityDate != null) {
            try {
                invalid = Instant.parse(invalidityDate);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("--invalidity-date '" + invalidityDate
                        + "' is not an ISO-8601 instant such as 2026-11-26T10:15:30Z");
            }
        }
        if ((serial == null) == (from == null)) {
            throw new IllegalArgumentException("give either a SERIAL or --from FILE");
        }
        try (PkiContext context = PkiContext.open(PkiHome.fromEnvironment(), DatabaseRole.CA)) {
            if (from != null) {
                return revokeAll(context, why, invalid);
            }
            CertificateRecord r = context.revocation().revoke(ca, Serials.parse(serial), why, actor(), invalid,
                    BREAK_GLASS);
            System.out.println("revoked " + r.serialHex() + " (" + r.subject() + ") reason " + why.rfcName()
                    + " at " + r.revokedAt());
        }
        return 0;
    }

    /** One revocation per line, each audited on its own; a bad line is reported and the rest still revoked. */
    private int revokeAll(PkiContext context, RevocationReason why, Instant invalid) {
        java.util.List<String> lines;
        try {
            lines = from.toString().equals("-")
                    ? new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
                            java.nio.charset.StandardCharsets.UTF_8)).lines().toList()
                    : java.nio.file.Files.readAllLines(from);
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            throw new IllegalArgumentException("--from " + from + " cannot be read: " + e.getMessage());
        }
        var revocation = context.revocation();
        int done = 0;
        int failed = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] words = line.split("\\s+");
            try {
                if (words.length > 2) {
                    throw new IllegalArgumentException("expected SERIAL or 'CA SERIAL'");
                }
                String issuer = words.length == 2 ? words[0] : ca;
                CertificateRecord r = revocation.revoke(issuer, Serials.parse(words[words.length - 1]), why,
                        actor(), invalid, BREAK_GLASS);
                System.out.println("revoked " + r.serialHex() + " (" + r.subject() + ") reason " + why.rfcName()
                        + " at " + r.revokedAt());
                done++;
            } catch (org.medpki.core.error.PkiException | IllegalArgumentException e) {
                failed++;
                String why2 = e instanceof org.medpki.core.error.PkiException p ? p.publicDetail() : e.getMessage();
                System.err.println("pki: line " + (i + 1) + " (" + line + "): " + why2);
            }
        }
        System.out.println("revoked " + done + ", failed " + failed);
        return failed == 0 ? 0 : 5;
    }

    private static String actor() {
        return "break-glass:" + Actors.cli();
    }
}
