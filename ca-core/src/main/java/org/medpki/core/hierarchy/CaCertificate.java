package org.medpki.core.hierarchy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Objects;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.medpki.core.inventory.CaRecord;
import org.medpki.core.keys.KeyAlgorithm;
import org.medpki.core.keys.SignatureAlgorithm;
import org.medpki.core.keys.PublicKeys;
import org.medpki.core.template.IssuerInfo;
import org.medpki.core.template.SignatureAlgorithms;

/**
 * A certificate of the PKI itself together with its inventory record: what the signing code needs
 * to sign with the matching key in the token.
 */
public record CaCertificate(CaRecord record, X509CertificateHolder certificate, X509Certificate x509,
                            KeyAlgorithm keyAlgorithm) {

    public CaCertificate {
        Objects.requireNonNull(record, "record");
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(x509, "x509");
        Objects.requireNonNull(keyAlgorithm, "keyAlgorithm");
    }

    public static CaCertificate of(CaRecord record) {
        try {
            X509CertificateHolder holder = new X509CertificateHolder(record.certificate());
            X509Certificate x509 = new JcaX509CertificateConverter().getCertificate(holder);
            return new CaCertificate(record, holder, x509, PublicKeys.algorithmOf(x509.getPublicKey()));
        } catch (IOException e) {
            throw new UncheckedIOException("CA certificate '" + record.name() + "' in the inventory is not DER", e);
        } catch (CertificateException e) {
            throw new IllegalStateException("CA certificate '" + record.name() + "' cannot be read", e);
        }
    }

    public String name() {
        return record.name();
    }

    public String keyLabel() {
        return record.keyLabel();
    }

    public PublicKey publicKey() {
        return x509.getPublicKey();
    }

    /** The scheme this CA signs with: the default for its key type. */
    public SignatureAlgorithm signatureAlgorithm() {
        return keyAlgorithm.defaultSignatureAlgorithm();
    }

    public IssuerInfo issuerInfo() {
        return new IssuerInfo(name(), certificate, SignatureAlgorithms.forAlgorithm(signatureAlgorithm()));
    }
}
