package org.medpki.core.inventory;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What the CA plans to sign, recorded before the signature: serial, to-be-signed certificate and
 * the facts an operator searches by.
 */
public record CertificateIntent(long caId, BigInteger serial, String profile, String subject,
                                List<String> sans, Instant notBefore, Instant notAfter,
                                byte[] tbsCertificate, byte[] spkiSha256, String requester) {
    public CertificateIntent {
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
