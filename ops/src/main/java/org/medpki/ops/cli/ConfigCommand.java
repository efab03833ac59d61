package org.medpki.ops.cli;

import java.util.List;
import org.medpki.admin.notice.ExpiryNoticeConfig;
import org.medpki.ops.install.NoticesSettings;
import org.medpki.ops.install.SettingsFiles;
import org.medpki.ops.install.ServiceListeners;
import org.medpki.ops.install.Settings;
import org.medpki.ops.install.OcspSettings;
import org.medpki.ops.install.AcmeSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.medpki.acme.AcmeConfig;
import org.medpki.core.crl.CrlPolicy;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.crl.CrlSettings;
import org.medpki.listener.ListenerLimits;
import org.medpki.ocsp.OcspConfig;
import org.medpki.ops.EnvironmentVariables;
import org.medpki.ops.install.InstallationConfig;
import org.medpki.ops.install.PkiContext;
import org.medpki.ops.install.PkiHome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * 'pki config show' and 'pki config check': the effective settings of this installation (files
 * under PKI_HOME and the environment), read by the same code the services use, without starting
 * anything or touching the token or the database. A secret is never printed: variables that hold
 * one and the database URL's password show as ***.
 */
@Command(name = "config", description = "The effective settings: show them, or check them without starting anything.",
        subcommands = {ConfigCommand.Show.class, ConfigCommand.Check.class, ConfigCommand.Migrate.class})
public final class ConfigCommand implements Runnable {

    @Override
    public void run() {
        throw new IllegalArgumentException("name a subcommand: show, check or migrate");
    }

    @Command(name = "show", description = "Print the effective settings (secrets masked).")
    static final class Show implements Callable<Integer> {
        @Option(names = "--json", description = "One JSON object.")
        boolean json;

        @Override
        public Integer call() {
            Map<String, Object> effective = effective(PkiHome.fromEnvironment());
            if (json) {
                System.out.println(Json.write(effective));
            } else {
                print("", effective);
            }
            return 0;
        }

        @SuppressWarnings("unchecked")
        private static void print(String prefix, Map<String, Object> map) {
            map.forEach((k, v) -> {
                if (v instanceof Map<?, ?> m) {
                    print(prefix + k + ".", (Map<String, Object>) m);
                } else {
                    System.out.println(prefix + k + " = " + v);
                }
            });
        }
    }

    @Command(name = "check", description = "Validate every setting (medpki.yaml with the environment, the profiles); "
            + "exit 8 naming the first bad key.")
    static final class Check implements Callable<Integer> {
        @Override
        public Integer call() {
            PkiHome home = PkiHome.fromEnvironment();
            effective(home);
            try (PkiContext context = new PkiContext(home, SettingsFiles.load(home).installation())) {
                System.out.println("settings in " + home.dir() + " are valid (" + context.profiles().names().size()
                        + " profiles)");
            }
            return 0;
        }
    }

    @Command(name = "migrate", description = "Merge config.yaml, acme.yaml and crl.yaml of an installation from "
            + "before medpki.yaml into medpki.yaml (the old files kept as NAME.migrated).")
    static final class Migrate implements Callable<Integer> {
        @Override
        public Integer call() {
            PkiHome home = PkiHome.fromEnvironment();
            if (!SettingsFiles.exists(home)) {
                throw new PkiException(ErrorKind.CONFIGURATION, "no installation in " + home.dir() + ": run 'pki init'");
            }
            List<String> lines = SettingsFiles.migrate(home);
            lines.forEach(System.out::println);
            if (lines.isEmpty()) {
                System.out.println("nothing to migrate: " + home.config() + " holds every setting");
            }
            return 0;
        }
    }

    /** Every setting as the services would read it; CONFIGURATION naming the key when one is bad. */
    static Map<String, Object> effective(PkiHome home) {
        if (!SettingsFiles.exists(home)) {
            throw new PkiException(ErrorKind.CONFIGURATION, "no installation in " + home.dir() + " (no "
                    + SettingsFiles.FILE + ")");
        }
        Settings settings = SettingsFiles.load(home);
        InstallationConfig config = settings.installation();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("home", home.dir().toString());
        out.put("file", settings.file().toString());
        out.put("installation", Json.mapper().convertValue(withoutPassword(config), Map.class));
        InstallationConfig.CaApi api = config.caApiOrDefault();
        out.put("caApi", Map.of("url", api.url(), "callers", Json.mapper().convertValue(api.callers(), Map.class)));
        out.put("acme", acme(AcmeSettings.config(settings)));
        out.put("ocsp", ocsp(OcspSettings.config(settings), OcspSettings.signerMargin(settings)));
        CrlSettings crl;
        try {
            crl = CrlSettings.of(settings.crl(), home.dir());
        } catch (IllegalArgumentException e) {
            throw settings.invalid(e);
        }
        Map<String, Object> crlShown = crl(crl);
        listener(crlShown, ServiceListeners.repository(settings));
        out.put("crl", crlShown);
        out.put("notices", notices(NoticesSettings.config(settings, System.getenv()).orElse(null)));
        Map<String, Object> overrides = new TreeMap<>();
        settings.fromEnvironment().forEach((key, variable) -> overrides.put(key, variable));
        out.put("fromEnvironment", overrides);
        out.put("environment", environment());
        return out;
    }

    private static InstallationConfig withoutPassword(InstallationConfig c) {
        String url = c.database().url();
        return url == null ? c : c.withDatabase(new InstallationConfig.Database(mask(url), c.database().embeddedPort(),
                c.database().poolSize(), c.database().rolePrefix()));
    }

    private static String mask(String url) {
        return url.replaceAll("//([^:/@]+):[^@]*@", "//$1:***@").replaceAll("(?i)([?&]password=)[^&#]*", "$1***");
    }

    private static Map<String, Object> acme(AcmeConfig a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("directory", a.directoryUrl());
        m.put("listen", a.listenHost() + ":" + a.port());
        m.put("profile", a.profile());
        m.put("http01Port", a.http01Port());
        m.put("tlsAlpn01Port", a.tlsAlpn01Port());
        m.put("dnsServer", a.dnsServer() == null ? "the first nameserver of /etc/resolv.conf" : a.dnsServer().toString());
        m.put("hostsFile", a.hostsFile() == null ? null : a.hostsFile().toString());
        m.put("eabRequired", a.eabRequired());
        m.put("deniedRanges", a.deniedRanges().stream().map(Object::toString).toList());
        m.put("caaIdentities", a.caaIdentities());
        m.put("orderLifetime", a.orderLifetime().toString());
        m.put("authorizationLifetime", a.authorizationLifetime().toString());
        m.put("authorizationReuse", a.authorizationReuse().toString());
        m.put("validationTimeout", a.validationTimeout().toString());
        m.put("caaRecheckAfter", a.caaRecheckAfter().toString());
        m.put("renewalExplanation", a.renewalExplanation());
        m.put("maxPayloadBytes", a.maxPayloadBytes());
        m.put("ordersPerAccountPerHour", a.ordersPerAccountPerHour());
        m.put("ordersPerNamePerHour", a.ordersPerNamePerHour());
        m.put("eabOrdersPerAccountPerHour", a.eabOrdersPerAccountPerHour());
        m.put("eabOrdersPerNamePerHour", a.eabOrdersPerNamePerHour());
        m.put("maxConcurrentValidations", a.maxConcurrentValidations());
        m.put("validationsPerAccountPerHour", a.validationsPerAccountPerHour());
        m.put("allowLoopback", a.allowLoopback());
        m.put("purgeAfter", a.purgeAfter().toString());
        m.put("deniedPortsOfThisHost", a.deniedPorts());
        listener(m, a.listener());
        return m;
    }

    private static void listener(Map<String, Object> m, ListenerLimits l) {
        m.put("idleTimeout", l.idleTimeout().toString());
        m.put("requestHeadTimeout", l.headTimeout().toString());
        m.put("requestBodyTimeout", l.bodyTimeout().toString());
        m.put("maxConnections", l.maxConnections());
    }

    private static Map<String, Object> ocsp(OcspConfig o, Duration signerMargin) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("listen", o.host() + ":" + o.port());
        m.put("instances", o.instances());
        m.put("validity", o.validity().toString());
        m.put("refreshAfter", o.refreshAfter().toString());
        m.put("refreshInterval", o.refreshInterval().toString());
        m.put("nonce", o.nonce());
        m.put("signerMargin", signerMargin.toString());
        listener(m, o.listener());
        return m;
    }

    private static Map<String, Object> crl(CrlSettings c) {
        CrlPolicy p = c.policy();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("fullInterval", p.fullInterval().toString());
        m.put("fullNextUpdateMargin", p.fullNextUpdateMargin().toString());
        m.put("deltaInterval", p.deltaInterval().toString());
        m.put("deltaNextUpdateMargin", p.deltaNextUpdateMargin().toString());
        m.put("deltaOverlap", p.deltaOverlap().toString());
        m.put("keepExpired", p.keepExpired().toString());
        m.put("rootValidity", p.rootValidity().toString());
        m.put("onRevocation", c.onRevocation().name().toLowerCase(java.util.Locale.ROOT));
        m.put("revocationCoalesce", c.revocationCoalesce().toString());
        m.put("fullOnRevocationMaxEntries", c.fullOnRevocationMaxEntries());
        m.put("directory", c.directory().toString());
        Map<String, Object> shards = new TreeMap<>();
        c.distributions().byCa().forEach((ca, d) -> shards.put(ca, Map.of("shards", d.shards(), "deltas", d.deltas())));
        m.put("distributions", shards);
        m.put("default", Map.of("shards", c.distributions().defaults().shards(),
                "deltas", c.distributions().defaults().deltas()));
        return m;
    }

    /** The notices' settings; the SMTP password and the webhook secret only as set or not, the URL's query masked. */
    private static Map<String, Object> notices(ExpiryNoticeConfig n) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("enabled", n != null);
        if (n == null) {
            return m;
        }
        m.put("windowsDays", n.windowsDays());
        m.put("checkEvery", n.checkEvery().toString());
        m.put("defaultRecipients", n.defaultRecipients());
        if (n.smtp() != null) {
            m.put("smtpHost", n.smtp().host());
            m.put("smtpPort", n.smtp().port());
            m.put("smtpStartTls", n.smtp().startTls().name().toLowerCase(java.util.Locale.ROOT));
            m.put("smtpFrom", n.smtp().from());
            m.put("smtpUsername", n.smtp().username());
            m.put("smtpPassword", n.smtp().password() == null ? "not set" : "***");
        }
        if (n.webhook() != null) {
            m.put("webhookUrl", n.webhook().shown() + (n.webhook().url().getRawQuery() == null ? "" : "?***"));
            m.put("webhookSecret", "***");
        }
        return m;
    }

    /** The product's variables that are set: secrets as ***, files that hold secrets by path only. */
    private static Map<String, Object> environment() {
        Map<String, Object> env = new TreeMap<>();
        for (String name : EnvironmentVariables.PKI) {
            String value = System.getenv(name);
            if (value == null) {
                continue;
            }
            env.put(name, EnvironmentVariables.SECRET_VALUES.contains(name) ? "***"
                    : name.equals("PKI_DATABASE_URL") ? mask(value) : value);
        }
        String softhsm = System.getenv("SOFTHSM2_CONF");
        if (softhsm != null) {
            env.put("SOFTHSM2_CONF", Path.of(softhsm).toString());
        }
        return env;
    }
}
