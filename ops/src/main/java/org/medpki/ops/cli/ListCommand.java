package org.medpki.ops.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.core.inventory.CertificateQuery;
import org.medpki.core.inventory.CertificateRecord;
import org.medpki.core.inventory.CertificateStatus;
import org.medpki.ops.install.DatabaseRole;
import org.medpki.ops.install.PkiContext;
import org.medpki.ops.install.PkiHome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "list", description = "List certificates in the inventory.")
public final class ListCommand implements Callable<Integer> {

    @Option(names = "--profile", description = "Only this profile.")
    String profile;

    @Option(names = "--status", description = "Only this status: pending, issued, revoked.")
    String status;

    @Option(names = "--expiring-within", paramLabel = "DAYS", description = "Only issued certificates that expire within DAYS days.")
    Integer expiringWithin;

    @Option(names = "--limit", defaultValue = "1000", description = "At most this many (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--json", description = "A JSON array.")
    boolean json;

    @Override
    public Integer call() {
        CertificateStatus wanted = null;
        if (status != null) {
            try {
                wanted = CertificateStatus.valueOf(status.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--status '" + status + "' must be pending, issued or revoked");
            }
        }
        if (expiringWithin != null && expiringWithin < 0) {
            throw new IllegalArgumentException("--expiring-within must not be negative");
        }
        Instant before = expiringWithin == null ? null : Instant.now().plus(Duration.ofDays(expiringWithin));
        try (PkiContext context = PkiContext.open(PkiHome.fromEnvironment(), DatabaseRole.AUDITOR)) {
            if (profile != null) {
                context.profiles().get(profile); // an unknown profile is an error, not an empty list
            }
            List<CertificateRecord> records = context.inventory().list(new CertificateQuery(profile, wanted, before, limit));
            Hierarchy hierarchy = context.hierarchy();
            if (json) {
                System.out.println(Json.write(records.stream().map(r -> CertificateJson.of(r,
                        hierarchy.byId(r.caId()).map(CaCertificate::name).orElse("?"), false)).toList()));
                return 0;
            }
            System.out.printf("%-40s %-13s %-8s %-20s %s%n", "SERIAL", "PROFILE", "STATUS", "NOT AFTER", "SUBJECT");
            for (CertificateRecord r : records) {
                System.out.printf("%-40s %-13s %-8s %-20s %s%n", r.serialHex(), r.profile(),
                        r.status().name().toLowerCase(Locale.ROOT), r.notAfter().toString().replace("T", " ").substring(0, 19),
                        r.subject());
            }
        }
        return 0;
    }
}
