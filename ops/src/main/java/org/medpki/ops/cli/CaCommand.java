package org.medpki.ops.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.cert.X509CertificateHolder;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.hierarchy.CaOcspSignerCertifier;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.core.hierarchy.IssuingCaRollover;
import org.medpki.core.hierarchy.OcspSignerRotation;
import org.medpki.core.pem.Pem;
import org.medpki.ops.install.OcspSettings;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.crl.PublishedCrl;
import org.medpki.core.retirement.KeyDestruction;
import org.medpki.core.retirement.KeyRetirementService;
import org.medpki.core.revocation.CaRevocationService;
import org.medpki.core.revocation.RevocationReason;
import org.medpki.crl.CrlSettings;
import org.medpki.ops.install.DatabaseRole;
import org.medpki.ops.install.PkiContext;
import org.medpki.ops.install.PkiHome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * 'pki ca': the PKI's own certificates. 'revoke' revokes an issuing CA or an OCSP signer on the CA
 * host, a break-glass action (audited as {@code ca.revoked} with {@code breakGlass: true} and actor
 * {@code break-glass:cli:USER}); the admin API's way is a CA revocation request under dual control.
 * 'destroy-key' retires a key on the CA host, the ceremony (break-glass) path of key retirement:
 * it opens the CA token, and the OCSP token for an OCSP signer's key.
 */
@Command(name = "ca", description = "The PKI's own certificates: revoke an issuing CA or an OCSP signer (break-glass, "
        + "on the CA host); roll an issuing CA over to a new key (a recorded ceremony on the CA host); retire "
        + "and destroy a CA or OCSP signer key (on the CA host).",
        subcommands = {CaCommand.Revoke.class, CaCommand.Rollover.class, CaCommand.DestroyKey.class})
public final class CaCommand implements Runnable {

    @Override
    public void run() {
        throw new IllegalArgumentException("name a subcommand: revoke, rollover, destroy-key (see 'pki ca --help')");
    }

    @Command(name = "rollover", description = "Roll the issuing CA NAME (as the profiles name it) over to a new key: "
            + "the key generated in the CA token, its certificate signed by the root (the root key's only use here), "
            + "issuance switched to it at --switch-at (default now). The old generation keeps its key, CRLs and OCSP "
            + "signer until its last certificate expires. Recorded in the audit log; a run that stopped half-way is "
            + "resumed by running the command again.")
    static final class Rollover implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME", description = "The issuing CA as the profiles name it "
                + "(e.g. server-ca).")
        String name;

        @Option(names = "--switch-at", paramLabel = "TIME", description = "When issuance switches to the new "
                + "generation (ISO-8601, e.g. 2026-12-24T06:00:00Z; default now, at most a year ahead).")
        String switchAt;

        @Override
        public Integer call() throws Exception {
            Instant at = null;
            if (switchAt != null) {
                try {
                    at = Instant.parse(switchAt);
                } catch (DateTimeParseException e) {
                    throw new PkiException(ErrorKind.MALFORMED, "--switch-at '" + switchAt.substring(0,
                            Math.min(64, switchAt.length())) + "' is not an ISO-8601 instant such as 2026-12-24T06:00:00Z");
                }
            }
            try (PkiContext context = PkiContext.open(PkiHome.fromEnvironment(), DatabaseRole.CA)) {
                IssuingCaRollover.RolledOver r = context.caRollover().rollover(name, at, Actors.cli());
                System.out.println((r.resumed() ? "resumed and completed the rollover of " : "rolled over ")
                        + r.issuerName() + " to generation " + r.generation() + ": " + r.name() + " (key " + r.keyLabel()
                        + ", SHA-256 " + r.keySha256() + "; serial " + r.serial().toString(16) + ", valid until "
                        + r.notAfter() + ", signed by the root); issuance switches from " + r.previous() + " at "
                        + r.switchAt());
                Hierarchy hierarchy = context.hierarchy();
                CaCertificate made = hierarchy.issuing(r.name());
                writePems(context, hierarchy, made);
                CrlSettings settings = context.crlSettings();
                CrlCommand.publish(CrlCommand.issuer(context, settings), settings, made);
                try {
                    context.ensureSoftHsmToken(org.medpki.ops.install.TokenRole.OCSP);
                    new OcspSignerRotation(context.ocspKeys(), context.inventory(), new CaOcspSignerCertifier(
                            context.keys(), context.inventory(), context.audit(), context.clock()), context.clock())
                            .rotateDue(OcspSettings.signerMargin(context.settings()), false, Actors.cli())
                            .forEach(s -> System.out.println("OCSP signer of " + s.issuingCa() + ": " + s.newSigner()));
                } catch (PkiException e) {
                    System.err.println("pki: no OCSP signer for " + r.name() + " yet (" + e.publicDetail()
                            + "): the OCSP service makes it at its start, or run 'pki ocsp rotate' on this host");
                }
            }
            return 0;
        }

        private static void writePems(PkiContext context, Hierarchy hierarchy, CaCertificate made) throws IOException {
            Path dir = context.home().pemDir();
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(made.name() + ".pem"), Pem.certificate(made.certificate()));
            List<X509CertificateHolder> chain = new ArrayList<>(hierarchy.chainAbove(made));
            chain.add(hierarchy.root().certificate());
            Files.writeString(dir.resolve(made.name() + "-chain.pem"), Pem.certificates(chain));
        }
    }

    @Command(name = "revoke", description = "Revoke an issuing CA or an OCSP signer certificate by name (break-glass): "
            + "recorded and audited; for an issuing CA the root's CRL listing it is signed with the root key and "
            + "published at once, and the CA signs nothing more; a revoked OCSP signer is replaced by the OCSP service "
            + "at once. The root itself cannot be revoked (see ops/runbooks/ca-key-compromise.md).")
    static final class Revoke implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME", description = "The issuing CA (e.g. server-ca) or OCSP signer "
                + "(e.g. server-ca-ocsp-20261206t101500) as 'pki status' lists it.")
        String name;

        @Option(names = "--reason", required = true, description = "RFC 5280 reason: keyCompromise, cACompromise "
                + "(issuing CAs only), superseded, cessationOfOperation, affiliationChanged, privilegeWithdrawn, "
                + "unspecified.")
        String reason;

        @Option(names = "--invalidity-date", description = "When the key is known or suspected to have been "
                + "compromised (ISO-8601).")
        String invalidityDate;

        @Override
        public Integer call() throws Exception {
            RevocationReason why;
            try {
                why = RevocationReason.parse(reason);
            } catch (IllegalArgumentException e) {
                throw new PkiException(ErrorKind.BAD_REVOCATION_REASON, "--reason: " + e.getMessage());
            }
            Instant invalid = null;
            if (invalidityDate != null) {
                try {
                    invalid = Instant.parse(invalidityDate);
                } catch (DateTimeParseException e) {
                    throw new IllegalArgumentException("--invalidity-date '" + invalidityDate
                            + "' is not an ISO-8601 instant such as 2026-11-26T10:15:30Z");
                }
            }
            try (PkiContext context = PkiContext.open(PkiHome.fromEnvironment(), DatabaseRole.CA)) {
                CrlSettings settings = context.crlSettings();
                CaRevocationService service = new CaRevocationService(context.inventory(), context.audit(),
                        context.clock(), CrlCommand.issuer(context, settings));
                CaRevocationService.Revoked r = service.revoke(name, why, invalid, "break-glass:" + Actors.cli());
                System.out.println("revoked " + (r.role() == CaRole.ISSUING ? "issuing CA " : "OCSP signer ") + r.name()
                        + " (serial " + r.serial().toString(16) + ", issued by " + r.issuer() + ") reason "
                        + r.reason().rfcName() + " at " + r.revokedAt());
                if (r.arl() != null) {
                    CrlCommand.write(settings, r.issuer(), r.arl());
                    System.out.println("the root's CRL number " + r.arl().number() + " lists it: "
                            + context.config().urls().crlBase() + "/" + r.issuer() + ".crl");
                } else if (r.arlFailure() != null) {
                    System.err.println("pki: the root's CRL was not signed now (" + r.arlFailure()
                            + "): run 'pki crl root' on this host");
                }
                if (r.role() == CaRole.ISSUING) {
                    System.out.println(r.name() + " signs no certificate any more; revoke its certificates "
                            + "(pki revoke --from FILE) and see ops/runbooks/ca-key-compromise.md");
                } else {
                    System.out.println("the OCSP service replaces this signer at once; when it is not running, run "
                            + "'pki ocsp rotate' on this host. The entry is on " + r.issuer() + "'s next complete CRL");
                }
            }
            return 0;
        }
    }

    @Command(name = "destroy-key", description = "Retire a key on the CA host (key ceremony, break-glass): for an "
            + "issuing CA its final CRLs are signed (valid until a day past the last expiry of what it signed) and "
            + "stored, then the key is destroyed in its token (C_DestroyObject) and the destruction recorded and "
            + "audited with the key's SHA-256 and the token's answer. Refused, with nothing done, while a certificate "
            + "of the key or under it is valid (unless it was revoked for keyCompromise or cACompromise), for an "
            + "unknown name or key, the root, the audit key, and a key destroyed already.")
    static final class DestroyKey implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME", description = "The issuing CA (e.g. server-ca) or OCSP signer "
                + "(e.g. server-ca-ocsp-20261206t101500) as 'pki status' lists it.")
        String name;

        @Option(names = "--key-sha256", paramLabel = "HEX", description = "The SHA-256 of the key's "
                + "SubjectPublicKeyInfo (64 hex digits): needed when NAME has had several keys (a rollover); when "
                + "given, it must be NAME's.")
        String keySha256;

        @Override
        public Integer call() throws Exception {
            String key = keySha256 == null ? null : keySha256.toLowerCase(java.util.Locale.ROOT);
            if (key != null && !key.matches("[0-9a-f]{64}")) {
                throw new PkiException(ErrorKind.MALFORMED, "--key-sha256: the key's SHA-256 is 64 hex digits (the "
                        + "SHA-256 of its SubjectPublicKeyInfo)");
            }
            try (PkiContext context = PkiContext.open(PkiHome.fromEnvironment(), DatabaseRole.CA)) {
                CrlSettings settings = context.crlSettings();
                KeyRetirementService checks = ServeCommand.retirement(context, null, null, null, settings);
                String actor = "break-glass:" + Actors.cli();
                CaRole role = checks.check(name, key, actor).ca().record().role();
                // The OCSP token is opened only for an OCSP signer's key (an older installation may hold it in the CA token).
                KeyRetirementService service = ServeCommand.retirement(context, context.keys(),
                        role == CaRole.OCSP_SIGNER ? context.ocspKeys() : null, CrlCommand.issuer(context, settings),
                        settings);
                KeyRetirementService.Retired done = service.retire(name, key, actor, List.of());
                KeyDestruction r = done.record();
                System.out.println("destroyed the key of " + (r.role() == CaRole.ISSUING ? "issuing CA " : "OCSP signer ")
                        + r.ca() + " (SHA-256 " + r.keySha256() + ", label " + r.keyLabel() + ") in the token '"
                        + r.token() + "'; grounds: " + r.grounds() + "; last expiry of what it certified: "
                        + r.lastExpiry());
                System.out.println("token: " + r.tokenAnswer());
                for (PublishedCrl crl : done.finalCrls()) {
                    String stem = crl.shard() == 0 ? r.ca() : r.ca() + "-" + crl.shard();
                    CrlCommand.write(settings, stem, crl);
                    System.out.println("final CRL " + stem + " number " + crl.number() + " valid until "
                            + crl.nextUpdate() + ": " + context.config().urls().crlBase() + "/" + stem + ".crl");
                }
            }
            return 0;
        }
    }
}
