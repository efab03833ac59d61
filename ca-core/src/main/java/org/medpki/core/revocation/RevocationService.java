package org.medpki.core.revocation;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.medpki.core.audit.AuditEvent;
import org.medpki.core.audit.AuditLog;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.core.inventory.CertificateRecord;
import org.medpki.core.inventory.CertificateStatus;
import org.medpki.core.inventory.Inventory;

/**
 * Revokes end-entity certificates (CP/CPS 4.9). The inventory marks the certificate revoked and
 * announces it on the revocation channel in one transaction, so OCSP responders and the CRL
 * publisher hear of it at once. Every attempt, refused or not, is audited.
 */
public final class RevocationService {
    /**
     * Reasons an end-entity certificate may be revoked with. certificateHold is not offered
     * (revocation is final under the CP), removeFromCRL only appears in delta CRLs, and
     * cACompromise/aACompromise do not apply to end-entity certificates.
     */
    public static final Set<RevocationReason> ALLOWED = Set.of(RevocationReason.UNSPECIFIED,
            RevocationReason.KEY_COMPROMISE, RevocationReason.AFFILIATION_CHANGED, RevocationReason.SUPERSEDED,
            RevocationReason.CESSATION_OF_OPERATION, RevocationReason.PRIVILEGE_WITHDRAWN);

    private final org.medpki.core.hierarchy.ActiveIssuers issuers;
    private final Inventory inventory;
    private final AuditLog audit;
    private final Clock clock;

    public RevocationService(Hierarchy hierarchy, Inventory inventory, AuditLog audit, Clock clock) {
        this(org.medpki.core.hierarchy.ActiveIssuers.fixed(hierarchy), inventory, audit, clock);
    }

    /** {@code issuers}: the hierarchy as it is now, later generations of issuing CAs included. */
    public RevocationService(org.medpki.core.hierarchy.ActiveIssuers issuers, Inventory inventory, AuditLog audit,
                             Clock clock) {
        this.issuers = issuers;
        this.inventory = inventory;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * Revokes the certificate with this serial. {@code issuerName} may be null when the serial is
     * unique across the issuing CAs. {@code invalidityDate} may be null.
     */
    public CertificateRecord revoke(String issuerName, BigInteger serial, RevocationReason reason, String actor,
                                    Instant invalidityDate) {
        return revoke(issuerName, serial, reason, actor, invalidityDate, Map.of());
    }

    /**
     * As {@link #revoke(String, BigInteger, RevocationReason, String, Instant)}, with {@code auditContext}
     * added to the details of the audit entry, refused or not: how the revocation came about (the
     * on-host command marks itself {@code breakGlass}, so that a review finds it beside the
     * dual-controlled ones).
     */
    public CertificateRecord revoke(String issuerName, BigInteger serial, RevocationReason reason, String actor,
                                    Instant invalidityDate, Map<String, String> auditContext) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("serial", serial.toString(16));
        details.put("reason", reason.rfcName());
        details.putAll(auditContext);
        try {
            if (!ALLOWED.contains(reason)) {
                throw new PkiException(ErrorKind.BAD_REVOCATION_REASON, "revocation reason " + reason.rfcName()
                        + " may not be used for end-entity certificates");
            }
            CertificateRecord target = locate(issuerName, serial);
            details.put("issuer", issuers.current().hierarchy().byId(target.caId()).map(CaCertificate::name).orElse("?"));
            Instant now = clock.instant();
            if (invalidityDate != null && invalidityDate.isAfter(now)) {
                throw new PkiException(ErrorKind.MALFORMED, "the invalidity date lies in the future");
            }
            CertificateRecord revoked = inventory.revoke(target.caId(), serial, reason, now, invalidityDate);
            audit.record(AuditEvent.success(now, "certificate.revoked", actor, details));
            return revoked;
        } catch (PkiException e) {
            details.put("kind", e.kind().name());
            details.put("why", e.publicDetail());
            audit.recordQuietly(AuditEvent.failure(clock.instant(), "certificate.revocation_refused", actor, details));
            throw e;
        }
    }

    private CertificateRecord locate(String issuerName, BigInteger serial) {
        if (issuerName != null) {
            CaCertificate issuer = issuers.current().hierarchy().issuing(issuerName);
            return inventory.certificate(issuer.record().id(), serial)
                    .orElseThrow(() -> notFound(serial));
        }
        List<CertificateRecord> matches = inventory.certificatesWithSerial(serial).stream()
                .filter(r -> r.status() != CertificateStatus.PENDING).toList();
        if (matches.isEmpty()) {
            throw notFound(serial);
        }
        if (matches.size() > 1) {
            throw new PkiException(ErrorKind.CONFLICT, "serial " + serial.toString(16)
                    + " exists under several issuing CAs: name the CA");
        }
        return matches.getFirst();
    }

    private static PkiException notFound(BigInteger serial) {
        return new PkiException(ErrorKind.NOT_FOUND, "no issued certificate has serial " + serial.toString(16));
    }
}
