package org.medpki.core.testpki;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;

import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.cert.X509CertificateHolder;
import org.medpki.core.keys.SignatureAlgorithm;
import org.medpki.core.template.CertificateAssembler;

/** Test stand-in for the HSM: signs a TBS with a software key, then assembles the certificate. */
public final class SoftwareSigner {
    private SoftwareSigner() {
    }

    public static X509CertificateHolder sign(TBSCertificate tbs, PrivateKey key, SignatureAlgorithm alg) {
        try {
            Signature s = Signature.getInstance(alg.jcaName(), TestKeys.BC);
            s.initSign(key);
            s.update(tbs.getEncoded(ASN1Encoding.DER));
            return CertificateAssembler.assemble(tbs, s.sign());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static X509Certificate jdk(X509CertificateHolder holder) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(holder.getEncoded()));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
