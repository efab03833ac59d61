package org.medpki.ops.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.medpki.admin.Admin;
import org.medpki.admin.AdminRole;
import org.medpki.core.audit.AuditEvent;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.issuance.IssueCommand;
import org.medpki.core.issuance.IssuedCertificate;
import org.medpki.core.policy.RequestValidator;
import org.medpki.inventory.pg.PgAdminRegistry;
import org.medpki.ops.install.DatabaseRole;
import org.medpki.ops.install.PkiContext;
import org.medpki.ops.install.PkiHome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** 'pki admin': administrators of the admin API, managed on the CA host. */
@Command(name = "admin", mixinStandardHelpOptions = true, description = "The admin API: 'enroll' on the CA host (break-glass); the other commands "
        + "call the API from any host with your client certificate (--cert/--key or a PKCS#11 token).",
        subcommands = {AdminCommand.Enroll.class, AdminApiCommands.Me.class, AdminApiCommands.Certificates.class,
                AdminApiCommands.Revoke.class, AdminApiCommands.Requests.class, AdminApiCommands.Request.class,
                AdminApiCommands.Approve.class, AdminApiCommands.Reject.class, AdminApiCommands.Audit.class})
public final class AdminCommand implements Runnable {

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "name a subcommand: enroll, "
                + "me, certificates, revoke, requests, request, approve, reject, audit");
    }

    @Command(name = "enroll", description = "Issue an administrator's client certificate (admin profile) for a CSR whose "
            + "CN is NAME (made on the administrator's token), and record NAME with its roles. A break-glass action on "
            + "the CA host, audited as such; later administrators are added through the admin API.")
    public static final class Enroll implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME", description = "The administrator's name: the CSR's CN.")
        String name;

        @Option(names = "--role", required = true, split = ",", paramLabel = "ROLE",
                description = "requester, approver, operator, auditor, security-officer; several separated by commas.")
        List<String> roles;

        @Option(names = "--csr", required = true, description = "PKCS#10 request, PEM or DER.")
        Path csr;

        @Option(names = "--out", required = true, description = "Write the PEM chain (leaf first) to this file.")
        Path out;

        @Override
        public Integer call() throws IOException {
            Admin admin;
            try {
                admin = new Admin(name, roles(roles));
            } catch (IllegalArgumentException e) {
                throw new PkiException(ErrorKind.MALFORMED, e.getMessage());
            }
            byte[] request;
            try {
                request = Files.readAllBytes(csr);
            } catch (IOException e) {
                throw new PkiException(ErrorKind.MALFORMED, "cannot read the CSR file " + csr);
            }
            Optional<String> cn = RequestValidator.commonName(request);
            if (cn.isEmpty() || !cn.get().equals(name)) {
                throw new PkiException(ErrorKind.BAD_CSR, "the CSR's CN must be the administrator's name '" + name
                        + "'" + cn.map(c -> ", not '" + c + "'").orElse(" (it has none)"));
            }
            try (PkiContext context = PkiContext.open(PkiHome.fromEnvironment(), DatabaseRole.CA)) {
                if (!context.profiles().names().contains(Admin.PROFILE)) {
                    // Its policy OID must be asserted by the identity CA's certificate, which one
                    // certified before the profile existed does not do: a new installation has it.
                    throw new PkiException(ErrorKind.CONFIGURATION, "this installation has no admin profile (it "
                            + "predates the admin API, and its identity CA does not assert the admin policy): "
                            + "administrators can be enrolled in an installation made with this version");
                }
                String actor = "break-glass:" + Actors.cli();
                IssuedCertificate issued = context.issuance().issue(new IssueCommand(Admin.PROFILE, request, actor,
                        null, null, Set.of()));
                long caId = context.hierarchy().issuing(issued.issuer()).record().id();
                Optional<Admin> before = PgAdminRegistry.over(context.database()).enroll(admin, caId, issued.serial(),
                        actor);
                Map<String, String> details = new LinkedHashMap<>();
                details.put("admin", name);
                details.put("roles", roleList(admin.roles()));
                before.ifPresent(b -> details.put("rolesBefore", roleList(b.roles())));
                details.put("serial", issued.serial().toString(16));
                details.put("breakGlass", "true");
                context.audit().record(AuditEvent.success(context.clock().instant(), "admin.enrolled", actor, details));
                Files.writeString(out, issued.pemChain());
                System.err.println("enrolled administrator " + name + " (" + roleList(admin.roles()) + "), serial "
                        + issued.serial().toString(16) + "; chain written to " + out);
            }
            return 0;
        }

        private static Set<AdminRole> roles(List<String> names) {
            Set<AdminRole> roles = EnumSet.noneOf(AdminRole.class);
            for (String r : names) {
                roles.add(AdminRole.ofWireName(r.trim()).orElseThrow(() -> new PkiException(ErrorKind.MALFORMED,
                        "unknown role '" + r.trim() + "' (known: " + roleList(EnumSet.allOf(AdminRole.class)) + ")")));
            }
            return roles;
        }

        private static String roleList(Set<AdminRole> roles) {
            return roles.stream().map(AdminRole::wireName).sorted().collect(Collectors.joining(","));
        }
    }
}
