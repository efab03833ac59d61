package org.medpki.ops;

import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.ops.cli.AuditCommand;
import org.medpki.ops.cli.BenchCommand;
import org.medpki.ops.cli.CrlCommand;
import org.medpki.ops.cli.InitCommand;
import org.medpki.ops.cli.IssueCli;
import org.medpki.ops.cli.ListCommand;
import org.medpki.ops.cli.OcspCommand;
import org.medpki.ops.cli.RevokeCommand;
import org.medpki.ops.cli.ShowCommand;
import org.medpki.ops.cli.StatusCommand;
import org.medpki.ops.cli.UpCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The 'pki' command line. Exit status 0 on success; otherwise one line on stderr saying why and a
 * status by kind of failure (see {@link #exitCode(ErrorKind)}). Stack traces go to the log at debug
 * level only, never to the user.
 */
@Command(name = "pki", mixinStandardHelpOptions = true, version = "medpki 0.1.0",
        description = "HSM-backed private CA: key ceremony, services, issuance, revocation, inventory, audit.",
        subcommands = {InitCommand.class, UpCommand.class, org.medpki.ops.cli.ServeCommand.class,
                org.medpki.ops.cli.ConfigCommand.class, StatusCommand.class, IssueCli.class, RevokeCommand.class,
                ShowCommand.class, ListCommand.class, AuditCommand.class, BenchCommand.class, OcspCommand.class,
                CrlCommand.class, org.medpki.ops.cli.ReportCommand.class,
                org.medpki.ops.cli.EabCommand.class, org.medpki.ops.cli.DbCommand.class,
                org.medpki.ops.cli.ServiceCommand.class, org.medpki.ops.cli.AdminCommand.class,
                org.medpki.ops.cli.CaCommand.class,
                org.medpki.ops.cli.BackupCommand.class, org.medpki.ops.cli.RestoreCommand.class,
                org.medpki.ops.cli.DeviceCommand.class})
public final class PkiMain implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(PkiMain.class);

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "name a command (see 'pki --help')");
    }

    /** The product's version, as 'pki --version' prints it (recorded in backups). */
    public static String version() {
        return PkiMain.class.getAnnotation(Command.class).version()[0];
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs one command line and returns the exit status; used by main and by tests. */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new PkiMain());
        // A usage error is one line too (picocli would print the whole usage after it).
        cli.setParameterExceptionHandler((e, arguments) -> {
            String message = e.getMessage() == null ? "bad arguments" : e.getMessage().strip().replace('\n', ' ');
            CommandLine failed = e.getCommandLine();
            String help = " (see '" + failed.getCommandSpec().qualifiedName() + " --help')";
            failed.getErr().println("pki: " + message + (message.contains("--help") ? "" : help));
            return 2;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            Throwable t = e;
            while (!(t instanceof PkiException) && t.getCause() != null && t != t.getCause()) {
                t = t.getCause();
            }
            if (t instanceof PkiException p) {
                LOG.debug("command failed", p);
                commandLine.getErr().println("pki: " + p.publicDetail());
                return exitCode(p.kind());
            }
            for (Throwable c = e; c != null && c != c.getCause(); c = c.getCause()) {
                // java.net.BindException (NIO) or Netty's NativeIoException (epoll): a port is taken.
                if (c instanceof java.net.BindException || (c instanceof java.io.IOException
                        && c.getMessage() != null && c.getMessage().contains("Address already in use"))) {
                    commandLine.getErr().println("pki: cannot listen: an address this installation is configured"
                            + " to listen on is already in use (" + c.getMessage() + ")");
                    return exitCode(ErrorKind.CONFIGURATION);
                }
            }
            if (e instanceof IllegalArgumentException) {
                commandLine.getErr().println("pki: " + e.getMessage());
                return 2;
            }
            LOG.error("unexpected failure", e);
            commandLine.getErr().println("pki: internal error (" + e.getClass().getSimpleName() + "); see the log");
            return 1;
        });
        return cli.execute(args);
    }

    /** Exit statuses by kind, documented in the README. */
    public static int exitCode(ErrorKind kind) {
        return switch (kind) {
            case MALFORMED, BAD_CSR, BAD_PUBLIC_KEY, BAD_SIGNATURE_ALGORITHM, REJECTED_IDENTIFIER, UNKNOWN_PROFILE,
                 BAD_REVOCATION_REASON -> 3;
            case NOT_FOUND, KEY_NOT_FOUND -> 4;
            case ALREADY_REVOKED, CONFLICT -> 5;
            case TOKEN_UNAVAILABLE, TOKEN_LOGIN_FAILED, CA_UNAVAILABLE -> 6;
            case DATABASE_UNAVAILABLE -> 7;
            case CONFIGURATION -> 8;
            case UNAUTHORIZED -> 9;
            case LINT_FAILED, INTERNAL -> 1;
        };
    }
}
