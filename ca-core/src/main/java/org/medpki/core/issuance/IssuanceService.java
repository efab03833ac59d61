package org.medpki.core.issuance;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.cert.X509CertificateHolder;
import org.medpki.core.audit.AuditEvent;
import org.medpki.core.audit.AuditLog;
import org.medpki.core.crl.CrlDistribution;
import org.medpki.core.crl.CrlDistributions;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.hierarchy.ActiveIssuers;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.core.inventory.CertificateIntent;
import org.medpki.core.inventory.Inventory;
import org.medpki.core.lint.CertificateLinter;
import org.medpki.core.policy.RequestValidator;
import org.medpki.core.policy.ValidatedRequest;
import org.medpki.core.profile.CertificateProfile;
import org.medpki.core.profile.ProfileCatalog;
import org.medpki.core.signing.CertificateSigner;
import org.medpki.core.template.EndEntityTemplate;
import org.medpki.core.template.SerialNumbers;

/**
 * Issues end-entity certificates in two phases (CP/CPS 4.3, 6.1):
 * <ol>
 * <li>{@link #prepare}: the CSR and its key and names are checked against the profile, a random
 * serial is drawn, the to-be-signed certificate is built and linted, and the intent row
 * (serial + TBS) is written to the inventory. Nothing has been signed yet.</li>
 * <li>{@link #issue(PreparedIssuance)}: the HSM signs, the signature is verified, the signed
 * certificate is recorded and the issuance audited.</li>
 * </ol>
 * Because the intent row precedes the signature, a crash at any moment leaves no certificate the
 * inventory does not know. Every refusal is audited. Thread-safe; calls block (HSM and database).
 */
public final class IssuanceService {
    private final ProfileCatalog profiles;
    private final ActiveIssuers issuers;
    private final CertificateSigner signer;
    private final Inventory inventory;
    private final AuditLog audit;
    private final Clock clock;
    private final CrlDistributions crlDistributions;
    private final RequestValidator validator = new RequestValidator();
    private final EndEntityTemplate template = new EndEntityTemplate();
    private final CertificateLinter linter = new CertificateLinter();
    private final SerialNumbers serials = new SerialNumbers();
    private final org.medpki.core.revocation.RevokedCas revokedCas;

    public IssuanceService(ProfileCatalog profiles, Hierarchy hierarchy, CertificateSigner signer,
                           Inventory inventory, AuditLog audit, Clock clock) {
        this(profiles, hierarchy, signer, inventory, audit, clock, null);
    }

    /**
     * {@code crlDistributions}: each issuing CA's CRL layout (shard count, delta CRLs), which
     * decides the CDP and Freshest CRL of its certificates and the shard recorded with them;
     * null keeps the profile's CDP unchanged and adds no Freshest CRL (shard 0).
     */
    public IssuanceService(ProfileCatalog profiles, Hierarchy hierarchy, CertificateSigner signer,
                           Inventory inventory, AuditLog audit, Clock clock, CrlDistributions crlDistributions) {
        this(profiles, ActiveIssuers.fixed(hierarchy), signer, inventory, audit, clock, crlDistributions);
    }

    /**
     * {@code issuers}: the hierarchy with each issuing CA's generations; a profile's issuer is the
     * generation that is active when the certificate is prepared (see {@link ActiveIssuers}).
     */
    public IssuanceService(ProfileCatalog profiles, ActiveIssuers issuers, CertificateSigner signer,
                           Inventory inventory, AuditLog audit, Clock clock, CrlDistributions crlDistributions) {
        this.crlDistributions = crlDistributions;
        this.revokedCas = new org.medpki.core.revocation.RevokedCas(inventory);
        this.profiles = profiles;
        this.issuers = issuers;
        this.signer = signer;
        this.inventory = inventory;
        this.audit = audit;
        this.clock = clock;
    }

    /** Both phases at once: what the CLI and most callers want. */
    public IssuedCertificate issue(IssueCommand command) {
        return issue(prepare(command));
    }

    public PreparedIssuance prepare(IssueCommand command) {
        try {
            CertificateProfile profile = profiles.get(command.profile());
            CaCertificate issuer = issuers.active(profile.issuer(), clock.instant());
            revokedCas.refuseIfRevoked(issuer);
            ValidatedRequest request = command.assigned() != null
                    ? validator.validateAssigned(command.csr(), profile, command.assigned())
                    : command.expectedNames() == null
                    ? validator.validate(command.csr(), profile)
                    : validator.validate(command.csr(), profile, command.expectedNames(), command.namesOnly());
            if (inventory.keyCompromised(request.spkiSha256())) {
                throw new PkiException(ErrorKind.BAD_CSR, "the CSR's key is known to be compromised (a certificate "
                        + "for it was revoked for keyCompromise): it is never certified again");
            }
            Instant now = clock.instant();
            CrlDistribution crl = crlDistributions == null ? null : crlDistributions.of(issuer.name());
            BigInteger serial = serials.next();
            TBSCertificate tbs = template.build(profile, request, issuer.issuerInfo(), serial, now,
                    command.validity(), command.optionalUsages(), crl);
            linter.check(tbs, profile, issuer.certificate());
            inventory.recordIntent(intentOf(tbs, profile, issuer, request, command.requester(),
                    crl == null ? 0 : crl.shardOf(serial)));
            return new PreparedIssuance(issuer, profile, tbs, command.requester());
        } catch (PkiException e) {
            audit.recordQuietly(AuditEvent.failure(clock.instant(), "certificate.refused", command.requester(),
                    Map.of("profile", command.profile(), "kind", e.kind().name(), "reason", e.publicDetail())));
            throw e;
        }
    }

    public IssuedCertificate issue(PreparedIssuance prepared) {
        if (!prepared.spend()) {
            throw new PkiException(ErrorKind.CONFLICT,
                    "serial " + prepared.serial().toString(16) + " was already signed or abandoned");
        }
        CaCertificate issuer = prepared.issuer();
        X509CertificateHolder certificate;
        try {
            // Checked again before the key is used: the CA may have been revoked since the intent.
            revokedCas.refuseIfRevoked(issuer);
            certificate = signer.sign(prepared.tbs(), issuer.keyLabel(), issuer.signatureAlgorithm(),
                    issuer.publicKey());
            inventory.recordIssued(issuer.record().id(), prepared.serial(), certificate.getEncoded());
        } catch (PkiException | IOException e) {
            audit.recordQuietly(AuditEvent.failure(clock.instant(), "certificate.signing_failed",
                    prepared.requester(), Map.of("issuer", issuer.name(), "serial", prepared.serial().toString(16),
                            "reason", e instanceof PkiException p ? p.publicDetail() : "encoding")));
            throw e instanceof PkiException p ? p
                    : new PkiException(ErrorKind.INTERNAL, "cannot encode the signed certificate", e);
        }
        Map<String, String> details = new LinkedHashMap<>();
        details.put("issuer", issuer.name());
        details.put("serial", prepared.serial().toString(16));
        details.put("profile", prepared.profile().name());
        details.put("subject", certificate.getSubject().toString());
        details.put("notAfter", certificate.getNotAfter().toInstant().toString());
        audit.record(AuditEvent.success(clock.instant(), "certificate.issued", prepared.requester(), details));
        List<X509CertificateHolder> chain = issuers.current().hierarchy().chainAbove(issuer);
        return new IssuedCertificate(prepared.serial(), prepared.profile().name(), issuer.name(), certificate, chain);
    }

    private static CertificateIntent intentOf(TBSCertificate tbs, CertificateProfile profile, CaCertificate issuer,
                                              ValidatedRequest request, String requester, int shard) {
        byte[] der;
        try {
            der = tbs.getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new PkiException(ErrorKind.INTERNAL, "cannot encode the to-be-signed certificate", e);
        }
        BigInteger serial = tbs.getSerialNumber().getValue();
        return new CertificateIntent(issuer.record().id(), serial, profile.name(), tbs.getSubject().toString(),
                request.subjectAltNameStrings(), tbs.getStartDate().getDate().toInstant(),
                tbs.getEndDate().getDate().toInstant(), der, request.spkiSha256(), requester, shard);
    }
}
