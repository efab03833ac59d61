package org.medpki.core.template;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.cert.X509CertificateHolder;

/** Joins a to-be-signed certificate and the HSM's signature over its DER into a certificate. */
public final class CertificateAssembler {
    private CertificateAssembler() {
    }

    /** {@code signature} in X.509 form: DER SEQUENCE{r,s} for ECDSA, raw octets for RSA and Ed25519. */
    public static X509CertificateHolder assemble(TBSCertificate tbs, byte[] signature) {
        Certificate cert = Certificate.getInstance(new DERSequence(new ASN1Encodable[] {
            tbs, tbs.getSignature(), new DERBitString(signature)}));
        return new X509CertificateHolder(cert);
    }
}
