package org.medpki.ops.cli;

import java.util.concurrent.Callable;
import org.medpki.ops.install.DatabaseRole;
import org.medpki.ops.install.PkiContext;
import org.medpki.ops.install.PkiHome;
import picocli.CommandLine.Command;

@Command(name = "db", description = "The inventory database.", subcommands = {DbCommand.Migrate.class})
public final class DbCommand implements Runnable {

    @Override
    public void run() {
        throw new IllegalArgumentException("name a db command: migrate");
    }

    @Command(name = "migrate", description = "Apply pending schema migrations as the owner's login "
            + "(PKI_HOME/secrets/db-owner.password); the services' logins never change the schema.")
    public static final class Migrate implements Callable<Integer> {
        @Override
        public Integer call() {
            try (PkiContext context = PkiContext.open(PkiHome.fromEnvironment(), DatabaseRole.OWNER)) {
                context.migrate();
                System.out.println("the inventory database at " + context.databaseDescription() + " is migrated (as "
                        + context.databaseUrl(DatabaseRole.OWNER).user() + ")");
            }
            return 0;
        }
    }
}
