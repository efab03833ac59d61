package org.medpki.ops.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.medpki.ops.compliance.ComplianceAuditor;
import org.medpki.ops.compliance.ComplianceReport;
import org.medpki.ops.install.DatabaseRole;
import org.medpki.ops.install.PkiContext;
import org.medpki.ops.install.PkiHome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "report", description = "Reports for auditors.", subcommands = ReportCommand.Compliance.class)
public final class ReportCommand implements Runnable {

    @Override
    public void run() {
        throw new IllegalArgumentException("name a report: compliance");
    }

    @Command(name = "compliance", description = {
            "Evidence for the HIPAA Security Rule technical safeguards (164.312 a-e), each line from a check run now: "
                    + "CA key attributes read from the token, the audit chain verified end to end, ceremony records, "
                    + "profiles against the CP, stored certificates re-linted, revocation publication and freshness, "
                    + "expiring certificates.",
            "Exit status 0 when no check fails, 11 when any does (other statuses as for every command)."})
    public static final class Compliance implements Callable<Integer> {

        @Option(names = "--json", description = "One JSON object (generatedAt, installation, ok, exitCode, counts, "
                + "safeguards[{section, title, checks[{id, status, summary, details, data}]}]).")
        boolean json;

        @Option(names = "--sample-limit", defaultValue = "10000", paramLabel = "N",
                description = "Re-lint at most N stored certificates (default ${DEFAULT-VALUE}).")
        long sampleLimit;

        @Option(names = "--revocation-sample", defaultValue = "200", paramLabel = "N",
                description = "Measure publication of the N most recent revocations (default ${DEFAULT-VALUE}).")
        int revocationSample;

        @Option(names = "--expiring-within", defaultValue = "30", paramLabel = "DAYS",
                description = "List certificates expiring within DAYS days (default ${DEFAULT-VALUE}).")
        int expiringWithin;

        @Option(names = "--cp-tables", paramLabel = "FILE",
                description = "The CP's tables (default: policies/cp-tables.yaml of this distribution).")
        Path cpTables;

        @Override
        public Integer call() {
            var options = new ComplianceAuditor.Options(sampleLimit, revocationSample, expiringWithin);
            Path tables = cpTables;
            if (tables == null) {
                Path policies = InitCommand.policiesDir();
                if (policies == null || !Files.isRegularFile(policies.resolve("cp-tables.yaml"))) {
                    throw new IllegalArgumentException("cannot find policies/cp-tables.yaml: give --cp-tables FILE");
                }
                tables = policies.resolve("cp-tables.yaml");
            }
            try (PkiContext context = PkiContext.open(PkiHome.fromEnvironment(), DatabaseRole.AUDITOR)) {
                ComplianceReport report = new ComplianceAuditor(context, tables, options).run();
                file(context, report);
                if (json) {
                    System.out.println(Json.write(report.toMap()));
                } else {
                    System.out.print(report.toText());
                }
                if (!report.ok()) {
                    System.err.println("pki: compliance report: " + report.count(
                            org.medpki.ops.compliance.CheckStatus.FAIL) + " check(s) failed");
                }
                return report.exitCode();
            }
        }

        /**
         * Files the report (V62) for the admin API's auditors (the console's audit page). A report
         * that cannot be filed is still printed, with a warning naming why.
         */
        private static void file(PkiContext context, ComplianceReport report) {
            try {
                long id = org.medpki.inventory.pg.PgComplianceReports.over(context.database()).file(
                        report.generatedAt(), report.ok(), (int) report.count(
                                org.medpki.ops.compliance.CheckStatus.FAIL),
                        new io.vertx.core.json.JsonObject(Json.write(report.toMap())));
                System.err.println("pki: compliance report filed as number " + id);
            } catch (org.medpki.core.error.PkiException e) {
                System.err.println("pki: the compliance report could not be filed: " + e.publicDetail());
            }
        }
    }
}
