package org.medpki.ops.cli;

import org.medpki.inventory.pg.PgAcmeRepository;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.medpki.acme.EabKey;
import org.medpki.acme.EabKeys;
import org.medpki.core.audit.AuditEvent;
import org.medpki.ops.install.DatabaseRole;
import org.medpki.ops.install.PkiContext;
import org.medpki.ops.install.PkiHome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** 'pki eab new': an External Account Binding key for ACME clients (RFC 8555 7.3.4). */
@Command(name = "eab", description = "External Account Binding keys for ACME clients.",
        subcommands = EabCommand.New.class)
public final class EabCommand implements Runnable {

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "name a subcommand: new");
    }

    @Command(name = "new", description = "Make an EAB key bound to a profile and name patterns; prints the key id and "
            + "the HMAC key (base64url) once - they are not shown again and never logged.")
    public static final class New implements Callable<Integer> {
        @Option(names = "--profile", split = ",", description = "Profiles the account may order, the first by default "
                + "(an order that names none); repeat or separate with commas (default: tls-server).")
        List<String> profiles = List.of("tls-server");

        @Option(names = "--names", arity = "1..*", required = true,
                description = "Name patterns the account may order: www.example.org, or *.example.org for any name below.")
        List<String> names;

        @Option(names = "--json", description = "Print {\"kid\":...,\"hmacKey\":...} instead of two lines.")
        boolean json;

        @Override
        public Integer call() {
            PkiHome home = PkiHome.fromEnvironment();
            try (PkiContext context = PkiContext.open(home, DatabaseRole.CA)) {
                profiles.forEach(context.profiles()::get);
                EabKey key = EabKeys.generate(profiles, names);
                PgAcmeRepository.over(context.database()).createEabKey(key);
                context.audit().record(AuditEvent.success(context.clock().instant(), "acme.eab_key_created",
                        Actors.cli(), Map.of("kid", key.kid(), "profiles", String.join(" ", key.profiles()), "names", String.join(" ", key.namePatterns()))));
                String hmac = EabKeys.encode(key.hmacKey());
                if (json) {
                    System.out.println(Json.write(Map.of("kid", key.kid(), "hmacKey", hmac)));
                } else {
                    System.out.println("kid:     " + key.kid());
                    System.out.println("hmacKey: " + hmac);
                }
            }
            return 0;
        }
    }
}
