package org.medpki.ops.install;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bouncycastle.cert.X509CertificateHolder;
import org.medpki.core.audit.AuditEvent;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.hierarchy.Ceremony;
import org.medpki.core.hierarchy.CeremonyPlan;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.core.keys.PublicKeys;
import org.medpki.core.pem.Pem;
import org.medpki.core.profile.CertificatePolicyTables;
import org.medpki.core.profile.CertificateProfile;
import org.medpki.core.profile.HierarchyViolation;
import org.medpki.core.profile.PolicyConformance;
import org.medpki.core.profile.ProfileCatalog;

/**
 * 'pki init': writes the installation's configuration, pins the certificate profiles into
 * PKI_HOME, creates the two SoftHSM2 tokens (CA keys; OCSP signers' keys, each with a PIN of its
 * own) when SoftHSM2 stands in for the HSM, and runs the key ceremony of the CP's hierarchy table
 * (policies/cp-tables.yaml: the issuing CAs and how long each certificate is valid). Each step is
 * recorded in the audit log.
 */
public final class Installer {
    private final PkiHome home;
    private final Path policiesDir;

    public Installer(PkiHome home, Path policiesDir) {
        this.home = home;
        this.policiesDir = policiesDir;
    }

    public boolean isInitialised() {
        return SettingsFiles.exists(home) && Files.isDirectory(home.pemDir());
    }

    /** {@code services}: the ACME profile and the names of the services that serve TLS (see ServiceSettings). */
    public Hierarchy initialise(InitOptions options, String operator, ServiceSettings services) {
        if (isInitialised()) {
            throw new PkiException(ErrorKind.CONFLICT, "the PKI in " + home.dir() + " is already initialised");
        }
        // Before anything is written: a missing or self-contradicting CP stops 'pki init' here.
        Path cpTables = cpTablesFile();
        CertificatePolicyTables cp = CertificatePolicyTables.load(cpTables);
        List<HierarchyViolation> contradictions = PolicyConformance.checkHierarchy(cp);
        if (!contradictions.isEmpty()) {
            throw new PkiException(ErrorKind.CONFIGURATION, "the CP's tables in " + cpTables + " contradict each "
                    + "other, no ceremony from them: " + String.join("; ",
                    contradictions.stream().map(HierarchyViolation::toString).toList()));
        }
        // Settings written before the ceremony (medpki.yaml, or the files from before it) are kept,
        // merged into medpki.yaml; the environment is applied when read, never written.
        SettingsFiles.migrate(home).forEach(System.err::println);
        InstallationConfig config = SettingsFiles.exists(home) ? SettingsFiles.readInstallation(home)
                : newConfig(options, shipped(services.acmeProfiles()), services.deviceProfiles());
        SettingsFiles.writeInstallation(home, config);
        config = SettingsFiles.load(home).installation();
        copyProfiles(config);
        // The ceremony runs as the owner: it creates the logins (with the administrator's login,
        // the only use of it), migrates, and records the hierarchy.
        try (PkiContext context = new PkiContext(home, config, DatabaseRole.OWNER)) {
            context.ensureLabPin(TokenRole.CA);
            context.ensureLabPin(TokenRole.OCSP);
            ProfileCatalog profiles = context.profiles(); // a broken profile stops the ceremony before any key exists
            context.createLogins();
            context.migrate();
            // Both tokens before either is opened: SoftHSM2 reads its token list once per process.
            context.ensureSoftHsmToken(TokenRole.CA);
            context.ensureSoftHsmToken(TokenRole.OCSP);
            context.audit().record(AuditEvent.success(context.clock().instant(), "configuration.created", operator,
                    configFacts(context, cpTables)));
            Ceremony ceremony = new Ceremony(context.keys(), context.ocspKeys(), context.inventory(), context.audit(),
                    context.clock(), context.database().crlStore(), context.crlSettings().policy());
            Hierarchy hierarchy = ceremony.run(plan(config, options, profiles, cp), operator);
            writePems(hierarchy);
            new ServiceCredentials(home).issueMissing(context, operator, services.servers().apply(context));
            return hierarchy;
        }
    }

    /** Of the profiles ACME is to offer, those with a profile file to install (the first always). */
    private List<String> shipped(List<String> acmeProfiles) {
        Path dir = policiesDir == null ? null : policiesDir.resolve("profiles");
        return acmeProfiles.stream().filter(p -> p.equals(acmeProfiles.getFirst())
                || dir == null || Files.isRegularFile(dir.resolve(p + ".yaml"))).toList();
    }

    /**
     * The configuration of a new installation. The CA grants ACME {@code acmeProfiles} only (the acme
     * section's at the ceremony), and the enrollment front ends {@code deviceProfiles} (devices.profiles
     * at the ceremony); offering more later means changing caApi.callers too, on the CA host.
     */
    private InstallationConfig newConfig(InitOptions o, List<String> acmeProfiles, List<String> deviceProfiles) {
        boolean softhsm = SoftHsmTokens.isSoftHsm(o.module());
        int port = o.httpPort();
        String base = "http://" + hostForUrl(o.httpHost()) + ":";
        String given = System.getenv("PKI_DATABASE_URL");
        boolean embedded = given == null || given.isBlank();
        Integer embeddedPort = embedded ? freePort() : null;
        String prefix = DatabaseLogins.defaultPrefix(embedded ? "postgres"
                : org.medpki.inventory.pg.DatabaseUrl.parse(given.trim()).database(), embedded);
        return new InstallationConfig(o.domain().toLowerCase(Locale.ROOT), o.organisation(),
                new InstallationConfig.Token(o.module(), o.tokenLabel(),
                        softhsm ? home.softhsmConfig().toString() : null, null),
                new InstallationConfig.Token(o.module(), o.ocspTokenLabel(),
                        softhsm ? home.softhsmConfig().toString() : null, null),
                new InstallationConfig.Database(null, embeddedPort == null ? freePort() : embeddedPort, 16, prefix),
                new InstallationConfig.Urls(base + (port + 1) + "/ocsp", base + port + "/crl", base + port + "/ca"),
                new InstallationConfig.Listen(o.httpHost(), port), null,
                InstallationConfig.CaApi.defaults(o.caApiHost(), o.caApiPort(), acmeProfiles, deviceProfiles));
    }

    private static String hostForUrl(String host) {
        return "0.0.0.0".equals(host) ? "127.0.0.1" : host;
    }

    /** The ceremony of the CP's hierarchy table: its issuing CAs, each certificate valid as long as it says. */
    private static CeremonyPlan plan(InstallationConfig config, InitOptions options, ProfileCatalog profiles,
                                     CertificatePolicyTables cp) {
        return CeremonyPlan.of(cp.caHierarchy(), config.organisation(), options.rootKey(), options.issuingKey(),
                options.delegateKey(), issuingPolicies(profiles, cp), config.urls().crlBase(),
                config.urls().caIssuersBase());
    }

    /**
     * Each issuing CA asserts the policy OIDs of the profiles issued under it (the CP's OID when
     * none is), so that the path of every certificate carries its policy for relying parties that
     * require an explicit policy.
     */
    private static Map<String, List<String>> issuingPolicies(ProfileCatalog profiles, CertificatePolicyTables cp) {
        Map<String, List<String>> policies = new LinkedHashMap<>();
        for (String ca : cp.caHierarchy().issuingCaNames()) {
            List<String> oids = profiles.all().stream().filter(p -> p.issuer().equals(ca))
                    .map(CertificateProfile::policyOid).distinct().sorted().toList();
            policies.put(ca, oids.isEmpty() ? List.of(cp.cpOid()) : oids);
        }
        return policies;
    }

    /** policies/cp-tables.yaml of this distribution, the file 'pki report compliance' also reads by default. */
    private Path cpTablesFile() {
        Path file = policiesDir == null ? null : policiesDir.resolve("cp-tables.yaml");
        if (file == null || !Files.isRegularFile(file)) {
            throw new PkiException(ErrorKind.CONFIGURATION, "cannot find the CP's tables (policies/cp-tables.yaml), "
                    + "which name the CA hierarchy: run the PKI through ops/pki");
        }
        return file;
    }

    private void copyProfiles(InstallationConfig config) {
        if (config.profilesDirectory() != null) {
            return;
        }
        Path target = home.dir().resolve("profiles");
        if (policiesDir == null || !Files.isDirectory(policiesDir.resolve("profiles"))) {
            throw new PkiException(ErrorKind.CONFIGURATION, "cannot find the certificate profiles (policies/profiles): "
                    + "run the PKI through ops/pki");
        }
        try {
            Files.createDirectories(target);
            try (DirectoryStream<Path> files = Files.newDirectoryStream(policiesDir.resolve("profiles"), "*.yaml")) {
                for (Path f : files) {
                    Files.copy(f, target.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, "cannot copy the profiles to " + target + ": " + e.getMessage());
        }
    }

    private Map<String, String> configFacts(PkiContext context, Path cpTables) {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("home", home.dir().toString());
        facts.put("configSha256", sha256(home.config()));
        facts.put("cpTables", cpTables.toString());
        facts.put("cpTablesSha256", sha256(cpTables));
        try (DirectoryStream<Path> files = Files.newDirectoryStream(context.profilesDirectory(), "*.yaml")) {
            for (Path f : files) {
                facts.put("profile." + f.getFileName(), sha256(f));
            }
        } catch (IOException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, "cannot read the profiles: " + e.getMessage());
        }
        facts.put("database", context.databaseDescription());
        facts.put("tokenLabel", context.config().token().label());
        facts.put("ocspTokenLabel", context.config().ocspTokenOrDefault().label());
        return facts;
    }

    private static String sha256(Path file) {
        try {
            return HexFormat.of().formatHex(PublicKeys.sha256(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, "cannot read " + file + ": " + e.getMessage());
        }
    }

    private void writePems(Hierarchy hierarchy) {
        try {
            Files.createDirectories(home.pemDir());
            for (CaCertificate ca : hierarchy.all()) {
                Files.writeString(home.pemDir().resolve(ca.name() + ".pem"), Pem.certificate(ca.certificate()));
            }
            for (CaCertificate issuing : hierarchy.withRole(org.medpki.core.inventory.CaRole.ISSUING)) {
                List<X509CertificateHolder> chain = new ArrayList<>(hierarchy.chainAbove(issuing));
                chain.add(hierarchy.root().certificate());
                Files.writeString(home.pemDir().resolve(issuing.name() + "-chain.pem"), Pem.certificates(chain));
            }
        } catch (IOException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, "cannot write the PEM files to " + home.pemDir()
                    + ": " + e.getMessage());
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            return 54329;
        }
    }
}
