package org.medpki.acme;

import java.math.BigInteger;
import java.util.List;
import org.bouncycastle.asn1.x509.GeneralName;
import org.medpki.core.issuance.IssuedCertificate;
import org.medpki.core.revocation.RevocationReason;

/**
 * What the ACME front end needs from the CA, and nothing more: issue for a checked order, find a
 * certificate it issued, revoke. Implemented remotely over the CA API ('pki serve acme') and
 * in-process over ca-core (tests, tools), without any difference to a handler.
 */
public interface CertificateAuthority {

    /** Issues under {@code profile}; the CSR's names must equal {@code names} exactly. Blocks. */
    IssuedCertificate issue(String profile, byte[] csr, String requester, List<GeneralName> names);

    /** The DER of an issued (not pending) certificate with this serial, if the CA knows one. */
    java.util.Optional<byte[]> issued(BigInteger serial);

    /**
     * The description of a profile ACME offers, for the directory's {@code meta.profiles}; throws
     * IllegalArgumentException naming the reason when the profile does not exist or cannot be
     * issued over ACME (ACME validates DNS names and IP addresses only).
     */
    default String acmeProfileDescription(String profile) {
        return profile;
    }

    /** Whether the profile exists and allows the identifier; throws rejectedIdentifier with the reason. */
    void checkIdentifier(String profile, Identifier identifier);

    /**
     * Since when the certificate with this serial is no longer to be relied on: its own revocation
     * time, or its issuing CA's when that CA was revoked first; empty while it stands. Blocks.
     */
    java.util.Optional<java.time.Instant> revokedAt(BigInteger serial);

    void revoke(BigInteger serial, RevocationReason reason, String actor);

    /**
     * When the issuing CA of the certificate with this serial was (or will be) superseded by a new
     * generation after a rollover: the switch time; empty when its CA is the newest. Blocks.
     */
    default java.util.Optional<java.time.Instant> issuerSupersededAt(BigInteger serial) {
        return java.util.Optional.empty();
    }

    /** Why the CA cannot serve now (for /health), or empty when it can. Blocks. */
    default java.util.Optional<String> unavailable() {
        return java.util.Optional.empty();
    }
}
