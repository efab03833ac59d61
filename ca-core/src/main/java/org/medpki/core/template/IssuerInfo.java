package org.medpki.core.template;

import java.util.Objects;

import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * The CA that signs: its name (as profiles and URLs know it, e.g. "server-ca"), its certificate,
 * and the signature algorithm it signs with (which must fit its key).
 */
public record IssuerInfo(String name, X509CertificateHolder certificate, AlgorithmIdentifier signatureAlgorithm) {
    public IssuerInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(signatureAlgorithm, "signatureAlgorithm");
        if (name.isBlank()) {
            throw new IllegalArgumentException("issuer name must not be blank");
        }
        if (!SignatureAlgorithms.fits(signatureAlgorithm, certificate.getSubjectPublicKeyInfo())) {
            throw new IllegalArgumentException("signature algorithm " + signatureAlgorithm.getAlgorithm().getId()
                    + " does not fit the key of issuer " + name + " or is not supported");
        }
    }
}
