package org.medpki.core.revocation;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.medpki.core.audit.AuditEvent;
import org.medpki.core.audit.AuditLog;
import org.medpki.core.crl.CrlSigning;
import org.medpki.core.crl.PublishedCrl;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.core.inventory.CaRevocation;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.inventory.Inventory;

/**
 * Revokes one of the PKI's own certificates below the root (CP/CPS 4.9.1, 5.7): an issuing CA,
 * or an OCSP signer. The revocation is recorded in the inventory and announced on
 * {@link Inventory#CA_REVOCATION_CHANNEL} in one transaction, and audited ({@code ca.revoked};
 * a refusal {@code ca.revocation_refused}). For an issuing CA, the root's CRL (ARL) listing it is
 * signed with the root key and stored at once, which every CRL server then serves; an OCSP
 * signer's entry is on its issuing CA's next complete CRL, and the OCSP service, hearing of the
 * revocation, replaces the signer. From then on the issuing CA signs no certificate
 * ({@link RevokedCas}). The root itself is refused: no CRL it signs can withdraw trust in it.
 * Runs in the process that holds the CA keys (the CA service, or 'pki ca revoke' on the CA host).
 * Blocking; thread-safe.
 */
public final class CaRevocationService {
    /** Reasons for an issuing CA certificate. certificateHold is refused (revocation is final), removeFromCRL and aACompromise do not apply. */
    public static final Set<RevocationReason> ALLOWED_FOR_CA = Set.copyOf(EnumSet.of(RevocationReason.UNSPECIFIED,
            RevocationReason.KEY_COMPROMISE, RevocationReason.CA_COMPROMISE, RevocationReason.AFFILIATION_CHANGED,
            RevocationReason.SUPERSEDED, RevocationReason.CESSATION_OF_OPERATION, RevocationReason.PRIVILEGE_WITHDRAWN));
    /** Reasons for an OCSP signer certificate: as for a CA but cACompromise (a signer is no CA). */
    public static final Set<RevocationReason> ALLOWED_FOR_SIGNER = Set.copyOf(EnumSet.of(RevocationReason.UNSPECIFIED,
            RevocationReason.KEY_COMPROMISE, RevocationReason.AFFILIATION_CHANGED, RevocationReason.SUPERSEDED,
            RevocationReason.CESSATION_OF_OPERATION, RevocationReason.PRIVILEGE_WITHDRAWN));

    private final Inventory inventory;
    private final AuditLog audit;
    private final Clock clock;
    private final CrlSigning crls;

    /** {@code crls}: signs the root's CRL at once after an issuing CA's revocation; null leaves it to the CRL publisher. */
    public CaRevocationService(Inventory inventory, AuditLog audit, Clock clock, CrlSigning crls) {
        this.inventory = Objects.requireNonNull(inventory, "inventory");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.crls = crls;
    }

    /**
     * What was revoked, and the root's CRL signed for it ({@code arl}, null for an OCSP signer or
     * when it could not be signed now: {@code arlFailure} says why, and the CRL publisher signs it
     * within its next round).
     */
    public record Revoked(String name, CaRole role, String issuer, BigInteger serial, RevocationReason reason,
                          Instant revokedAt, PublishedCrl arl, String arlFailure) {
    }

    /**
     * Revokes the issuing CA or OCSP signer certificate named {@code name}. NOT_FOUND for an
     * unknown name (naming the revocable ones), MALFORMED for the root or the audit signer,
     * BAD_REVOCATION_REASON for a reason that does not apply, ALREADY_REVOKED when it was.
     */
    public Revoked revoke(String name, RevocationReason reason, Instant invalidityDate, String actor) {
        Objects.requireNonNull(actor, "actor");
        Map<String, String> details = new LinkedHashMap<>();
        details.put("ca", cut(String.valueOf(name)));
        details.put("reason", reason == null ? "" : reason.rfcName());
        if (actor.startsWith("break-glass:")) {
            details.put("breakGlass", "true");
        }
        try {
            Hierarchy hierarchy = Hierarchy.load(inventory);
            CaCertificate target = revocable(hierarchy, name);
            details.put("role", target.record().role().wireName());
            check(target.record().role(), reason);
            Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
            if (invalidityDate != null && invalidityDate.isAfter(clock.instant())) {
                throw new PkiException(ErrorKind.MALFORMED, "the invalidity date lies in the future");
            }
            CaCertificate issuer = hierarchy.byId(target.record().parentId()).orElseThrow(() -> new PkiException(
                    ErrorKind.INTERNAL, "the issuer of " + target.name() + " is not in the inventory"));
            BigInteger serial = target.x509().getSerialNumber();
            details.put("issuer", issuer.name());
            details.put("serial", serial.toString(16));
            if (invalidityDate != null) {
                details.put("invalidityDate", invalidityDate.toString());
            }
            inventory.revokeCa(new CaRevocation(target.record().id(), serial, now, reason, invalidityDate, actor));
            audit.record(AuditEvent.success(now, "ca.revoked", actor, details));
            PublishedCrl arl = null;
            String failure = null;
            if (issuer.record().role() == CaRole.ROOT) {
                if (crls == null) {
                    failure = "the root's CRL is signed by the CRL publisher's next round";
                } else {
                    try {
                        arl = crls.publishRoot(issuer);
                    } catch (PkiException e) {
                        failure = e.publicDetail();
                        audit.recordQuietly(AuditEvent.failure(clock.instant(), "crl.root_failed", actor,
                                Map.of("ca", issuer.name(), "reason", e.publicDetail())));
                    }
                }
            }
            return new Revoked(target.name(), target.record().role(), issuer.name(), serial, reason, now, arl, failure);
        } catch (PkiException e) {
            details.put("kind", e.kind().name());
            details.put("why", e.publicDetail());
            audit.recordQuietly(AuditEvent.failure(clock.instant(), "ca.revocation_refused", actor, details));
            throw e;
        }
    }

    /** The certificate that {@code name} names if it may be revoked here; else why not. */
    public static CaCertificate revocable(Hierarchy hierarchy, String name) {
        if (name == null || name.isBlank()) {
            throw new PkiException(ErrorKind.MALFORMED, "name the CA or OCSP signer to revoke");
        }
        CaCertificate ca = hierarchy.byName(name).orElseThrow(() -> new PkiException(ErrorKind.NOT_FOUND,
                "no CA or OCSP signer named '" + cut(name) + "' (issuing CAs: " + String.join(", ",
                        names(hierarchy.withRole(CaRole.ISSUING))) + "; OCSP signers in use: " + String.join(", ",
                        names(hierarchy.withRole(CaRole.ISSUING).stream()
                                .flatMap(i -> hierarchy.ocspSignerOf(i).stream()).toList())) + ")"));
        return switch (ca.record().role()) {
            case ROOT -> throw new PkiException(ErrorKind.MALFORMED, "'" + ca.name() + "' is the root CA: a root "
                    + "cannot be revoked by a CRL it signs itself; relying parties remove it from their trust stores "
                    + "and a new hierarchy is built (ops/runbooks/ca-key-compromise.md)");
            case AUDIT -> throw new PkiException(ErrorKind.MALFORMED, "'" + ca.name() + "' is the audit signer, "
                    + "not an issuing CA or OCSP signer: it is replaced at a key ceremony");
            case ISSUING, OCSP_SIGNER -> ca;
        };
    }

    /** BAD_REVOCATION_REASON unless {@code reason} applies to a certificate of {@code role}. */
    public static void check(CaRole role, RevocationReason reason) {
        if (reason == null) {
            throw new PkiException(ErrorKind.BAD_REVOCATION_REASON, "give a revocation reason");
        }
        Set<RevocationReason> allowed = role == CaRole.OCSP_SIGNER ? ALLOWED_FOR_SIGNER : ALLOWED_FOR_CA;
        if (!allowed.contains(reason)) {
            throw new PkiException(ErrorKind.BAD_REVOCATION_REASON, "revocation reason " + reason.rfcName()
                    + " does not apply to " + (role == CaRole.OCSP_SIGNER ? "an OCSP signer" : "a CA")
                    + " certificate (use one of " + String.join(", ", allowed.stream()
                    .sorted().map(RevocationReason::rfcName).toList()) + ")");
        }
    }

    private static List<String> names(List<CaCertificate> cas) {
        return cas.stream().map(CaCertificate::name).toList();
    }

    private static String cut(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
