package org.medpki.ops.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.medpki.core.crl.CrlDistribution;
import org.medpki.core.crl.CrlIssuer;
import org.medpki.core.crl.CrlKind;
import org.medpki.core.crl.CrlScope;
import org.medpki.core.crl.PublishedCrl;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.core.inventory.CaRole;
import org.medpki.crl.CrlSettings;
import org.medpki.ops.install.DatabaseRole;
import org.medpki.ops.install.PkiContext;
import org.medpki.ops.install.PkiHome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * 'pki crl': CRLs on demand. 'root' signs a new CRL of the root (ARL, valid for rootValidity);
 * 'publish' signs complete (and delta) CRLs of the issuing CAs now; 'show' lists the newest stored
 * CRLs. A running 'pki up' serves new ones within its standby refresh (10 s) or at once when active.
 */
@Command(name = "crl", description = "Certificate revocation lists: sign the root's CRL, publish now, show.",
        subcommands = {CrlCommand.Root.class, CrlCommand.Publish.class, CrlCommand.Show.class, CrlBench.class})
public final class CrlCommand implements Runnable {

    @Override
    public void run() {
        throw new IllegalArgumentException("name a subcommand: root, publish or show (see 'pki crl --help')");
    }

    static CrlIssuer issuer(PkiContext context, CrlSettings settings) {
        return new CrlIssuer(context.database().crlStore(), context.keys(), settings.policy(),
                context.config().urls().crlBase(), context.clock());
    }

    static void write(CrlSettings settings, String stem, PublishedCrl crl) throws java.io.IOException {
        Path dir = settings.directory();
        Files.createDirectories(dir);
        // A temporary name of this process: the running publisher may write the same CRL at once.
        Path tmp = dir.resolve("." + stem + ".crl." + ProcessHandle.current().pid() + ".tmp");
        Files.write(tmp, crl.der());
        Files.move(tmp, dir.resolve(stem + ".crl"), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    static void print(String stem, PublishedCrl c) {
        System.out.printf("%-24s %-5s #%-6s thisUpdate %s  nextUpdate %s  %d entries  %d bytes%n", stem,
                c.kind().wireName(), c.number(), c.thisUpdate(), c.nextUpdate(), c.entries(), c.der().length);
    }

    @Command(name = "root", description = "Sign a new CRL of the root CA (ARL) with the root key and store it.")
    static final class Root implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            try (PkiContext context = PkiContext.open(PkiHome.fromEnvironment(), DatabaseRole.CA)) {
                CrlSettings settings = context.crlSettings();
                CaCertificate root = context.hierarchy().root();
                PublishedCrl crl = issuer(context, settings).publishRoot(root);
                write(settings, root.name(), crl);
                print(root.name(), crl);
            }
            return 0;
        }
    }

    /** Every configured scope, and each shard beyond the configured count that still holds certificates. */
    @Command(name = "publish", description = "Sign and store complete CRLs (and deltas, when enabled) of issuing CAs now.")
    static final class Publish implements Callable<Integer> {
        @Option(names = "--ca", paramLabel = "NAME", description = "Only this issuing CA (default: all).")
        String ca;

        @Override
        public Integer call() throws Exception {
            try (PkiContext context = PkiContext.open(PkiHome.fromEnvironment(), DatabaseRole.CA)) {
                CrlSettings settings = context.crlSettings();
                Hierarchy hierarchy = context.hierarchy();
                List<CaCertificate> cas = ca == null ? hierarchy.withRole(CaRole.ISSUING) : List.of(hierarchy.issuing(ca));
                CrlIssuer issuer = issuer(context, settings);
                for (CaCertificate c : cas) {
                    publish(issuer, settings, c);
                }
            }
            return 0;
        }
    }

    /** Signs, stores, writes and prints every scope's complete CRL (and delta) of one issuing CA. */
    static void publish(CrlIssuer issuer, CrlSettings settings, CaCertificate c) throws java.io.IOException {
        CrlDistribution distribution = settings.distributions().of(c.name());
        for (CrlScope scope : issuer.scopes(c, distribution)) {
            List<CrlKind> kinds = new ArrayList<>(List.of(CrlKind.FULL));
            if (distribution.deltas()) {
                kinds.add(CrlKind.DELTA);
            }
            for (CrlKind kind : kinds) {
                PublishedCrl crl = issuer.publish(c, scope, kind, distribution);
                write(settings, scope.stem(kind), crl);
                print(scope.stem(kind), crl);
            }
        }
    }

    @Command(name = "show", description = "List the newest stored CRL of each CA, shard and kind.")
    static final class Show implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            try (PkiContext context = PkiContext.open(PkiHome.fromEnvironment(), DatabaseRole.AUDITOR)) {
                Hierarchy hierarchy = context.hierarchy();
                for (PublishedCrl c : context.database().crlStore().latest()) {
                    String name = hierarchy.byId(c.caId()).map(CaCertificate::name).orElse("ca-" + c.caId());
                    print(new CrlScope(name, c.shard()).stem(c.kind()), c);
                }
            }
            return 0;
        }
    }
}
