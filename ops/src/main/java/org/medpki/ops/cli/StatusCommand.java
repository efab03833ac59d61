package org.medpki.ops.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.ops.install.InstallationConfig;
import org.medpki.ops.install.DatabaseRole;
import org.medpki.ops.install.PkiContext;
import org.medpki.ops.install.PkiHome;
import org.medpki.ops.services.RunningServices;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "status", description = "Show the installation: home, database, token, CAs, profiles, running services.")
public final class StatusCommand implements Callable<Integer> {

    @Option(names = "--json", description = "One JSON object (the shape is documented in the README).")
    boolean json;

    @Override
    public Integer call() {
        PkiHome home = PkiHome.fromEnvironment();
        try (PkiContext context = PkiContext.open(home, DatabaseRole.AUDITOR)) {
            Map<String, Object> status = status(context);
            if (json) {
                System.out.println(Json.write(status));
            } else {
                print(status);
            }
        }
        return 0;
    }

    static Map<String, Object> status(PkiContext context) {
        InstallationConfig config = context.config();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("home", context.home().dir().toString());
        s.put("domain", config.domain());
        s.put("database", context.databaseDescription());
        Map<String, Object> token = new LinkedHashMap<>();
        token.put("module", config.token().module());
        token.put("label", config.token().label());
        // SoftHSM2 reads the SOFTHSM2_CONF of the process; ops/pki sets it to PKI_HOME/softhsm2.conf.
        String softhsm = System.getenv("SOFTHSM2_CONF");
        token.put("config", org.medpki.ops.install.SoftHsmTokens.isSoftHsm(config.token().module())
                ? (softhsm != null ? softhsm : config.token().softhsmConfig()) : null);
        s.put("token", token);
        InstallationConfig.Token ocsp = config.ocspTokenOrDefault();
        Map<String, Object> ocspToken = new LinkedHashMap<>();
        ocspToken.put("module", ocsp.module());
        ocspToken.put("label", ocsp.label());
        ocspToken.put("config", org.medpki.ops.install.SoftHsmTokens.isSoftHsm(ocsp.module())
                ? (softhsm != null ? softhsm : ocsp.softhsmConfig()) : null);
        s.put("ocspToken", ocspToken);
        Hierarchy hierarchy = Hierarchy.load(context.inventory());
        Map<Long, org.medpki.core.inventory.CaRevocation> revoked = new java.util.HashMap<>();
        context.inventory().caRevocations().forEach(r -> revoked.put(r.caId(), r));
        List<Map<String, Object>> cas = new ArrayList<>();
        for (CaCertificate ca : hierarchy.all()) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("name", ca.name());
            c.put("role", ca.record().role().wireName());
            c.put("certificate", context.home().pemDir().resolve(ca.name() + ".pem").toString());
            c.put("keyLabel", ca.keyLabel());
            c.put("notAfter", ca.record().notAfter() == null ? null : ca.record().notAfter().toString());
            c.put("serial", ca.x509().getSerialNumber().toString(16));
            org.medpki.core.inventory.CaRevocation r = revoked.get(ca.record().id());
            c.put("revokedAt", r == null ? null : r.revokedAt().toString());
            c.put("revocationReason", r == null ? null : r.reason().rfcName());
            cas.add(c);
        }
        s.put("cas", cas);
        s.put("profiles", context.profiles().names());
        s.put("services", RunningServices.read(context.home()));
        return s;
    }

    @SuppressWarnings("unchecked")
    private static void print(Map<String, Object> s) {
        System.out.println("home:      " + s.get("home"));
        System.out.println("domain:    " + s.get("domain"));
        System.out.println("database:  " + s.get("database"));
        Map<String, Object> token = (Map<String, Object>) s.get("token");
        System.out.println("token:     " + token.get("label") + " via " + token.get("module"));
        Map<String, Object> ocspToken = (Map<String, Object>) s.get("ocspToken");
        System.out.println("OCSP token: " + ocspToken.get("label") + " via " + ocspToken.get("module"));
        System.out.println("CAs:");
        for (Map<String, Object> c : (List<Map<String, Object>>) s.get("cas")) {
            System.out.printf("  %-12s %-30s %s%s%n", c.get("role"), c.get("name"), c.get("certificate"),
                    c.get("revokedAt") == null ? "" : "  REVOKED " + c.get("revokedAt") + " " + c.get("revocationReason"));
        }
        System.out.println("profiles:  " + String.join(", ", (List<String>) s.get("profiles")));
        List<Map<String, Object>> services = (List<Map<String, Object>>) s.get("services");
        System.out.println("services:  " + (services.isEmpty() ? "none running (start them with 'pki up')" : ""));
        for (Map<String, Object> svc : services) {
            System.out.printf("  %-12s %s%n", svc.get("name"), svc.get("url"));
        }
    }
}
