package org.medpki.core.inventory;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.medpki.core.revocation.RevocationReason;

/**
 * Port: the certificate inventory shared by every service. Calls block; callers keep them off
 * event loops. Uniqueness (serial per issuer, CA names) is enforced by the store itself, not by
 * callers. Failures are {@link org.medpki.core.error.PkiException}s: CONFLICT for a duplicate,
 * NOT_FOUND, ALREADY_REVOKED, DATABASE_UNAVAILABLE.
 */
public interface Inventory {

    /** Name of the PostgreSQL NOTIFY channel on which each revocation is announced. */
    String REVOCATION_CHANNEL = "pki_revocation";
    /** Name of the NOTIFY channel on which each issuance is announced. */
    String ISSUANCE_CHANNEL = "pki_issuance";
    /**
     * Name of the NOTIFY channel on which each revocation of a CA or OCSP signer certificate is
     * announced; the payload is {@code <caId of the revoked certificate>:<serial in lower-case hex>}.
     */
    String CA_REVOCATION_CHANNEL = "pki_ca_revocation";

    CaRecord saveCa(NewCa ca);

    List<CaRecord> cas();

    Optional<CaRecord> ca(String name);

    Optional<CaRecord> ca(long id);

    /** Writes the intent row (status PENDING). CONFLICT when the serial exists for that CA. */
    void recordIntent(CertificateIntent intent);

    /** Turns a PENDING row into ISSUED with the signed certificate; announces it. */
    void recordIssued(long caId, BigInteger serial, byte[] der);

    Optional<CertificateRecord> certificate(long caId, BigInteger serial);

    /** Certificates with this serial under any CA (serials are unique per CA only). */
    List<CertificateRecord> certificatesWithSerial(BigInteger serial);

    /**
     * Whether a certificate for this key (SHA-256 of its SubjectPublicKeyInfo) was revoked for
     * keyCompromise: such a key is never certified again (CA/Browser Forum BR 6.1.1.3).
     */
    boolean keyCompromised(byte[] spkiSha256);

    List<CertificateRecord> list(CertificateQuery query);

    /** Counts of certificates per profile and status, for status and compliance reports. */
    List<ProfileCount> countByProfile();

    /**
     * Marks an ISSUED certificate REVOKED and announces it on {@link #REVOCATION_CHANNEL} in the
     * same transaction. NOT_FOUND if unknown or never issued, ALREADY_REVOKED if revoked before.
     */
    CertificateRecord revoke(long caId, BigInteger serial, RevocationReason reason, Instant revokedAt,
                             Instant invalidityDate);

    /**
     * Records the revocation of an issuing CA or OCSP signer certificate (table ca) and announces
     * it on {@link #CA_REVOCATION_CHANNEL}, in one transaction. NOT_FOUND for an unknown CA,
     * ALREADY_REVOKED when it was revoked before; the store refuses a root.
     */
    CaRevocation revokeCa(CaRevocation revocation);

    /** Every revocation of a CA or OCSP signer certificate, by CA id. */
    List<CaRevocation> caRevocations();

    /** One line of {@link #countByProfile()}. */
    record ProfileCount(String profile, CertificateStatus status, long count) {
    }
}
