package org.medpki.core.inventory;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What the CA plans to sign, recorded before the signature: serial, to-be-signed certificate and
 * the facts an operator searches by; {@code shard} is the CRL partition whose CRL the
 * certificate's CDP names (0: the CA's complete CRL, i.e. not partitioned).
 */
public record CertificateIntent(long caId, BigInteger serial, String profile, String subject,
                                List<String> sans, Instant notBefore, Instant notAfter,
                                byte[] tbsCertificate, byte[] spkiSha256, String requester, int shard) {
    /** An intent of a CA whose CRLs are not partitioned (shard 0). */
    public CertificateIntent(long caId, BigInteger serial, String profile, String subject, List<String> sans,
                             Instant notBefore, Instant notAfter, byte[] tbsCertificate, byte[] spkiSha256,
                             String requester) {
        this(caId, serial, profile, subject, sans, notBefore, notAfter, tbsCertificate, spkiSha256, requester, 0);
    }

    public CertificateIntent {
        if (shard < 0 || shard > Short.MAX_VALUE) {
            throw new IllegalArgumentException("shard must be between 0 and " + Short.MAX_VALUE);
        }
        Objects.requireNonNull(serial, "serial");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(notBefore, "notBefore");
        Objects.requireNonNull(notAfter, "notAfter");
        Objects.requireNonNull(tbsCertificate, "tbsCertificate");
        Objects.requireNonNull(spkiSha256, "spkiSha256");
        Objects.requireNonNull(requester, "requester");
        if (serial.signum() <= 0) {
            throw new IllegalArgumentException("serial must be positive");
        }
        sans = List.copyOf(sans);
        tbsCertificate = tbsCertificate.clone();
        spkiSha256 = spkiSha256.clone();
    }

    @Override
    public byte[] tbsCertificate() {
        return tbsCertificate.clone();
    }

    @Override
    public byte[] spkiSha256() {
        return spkiSha256.clone();
    }
}
