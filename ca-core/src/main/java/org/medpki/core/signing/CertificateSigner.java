package org.medpki.core.signing;

import java.io.IOException;
import java.security.PublicKey;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.keys.SignatureAlgorithm;
import org.medpki.core.keys.SigningKeys;
import org.medpki.core.template.CertificateAssembler;

/**
 * Signs to-be-signed certificates with a key in the HSM and checks the result against the
 * signer's public key before anyone sees it, so that a token fault can never hand out a
 * certificate with a bad signature.
 */
public final class CertificateSigner {
    private final SigningKeys keys;

    public CertificateSigner(SigningKeys keys) {
        this.keys = keys;
    }

    public X509CertificateHolder sign(TBSCertificate tbs, String keyLabel, SignatureAlgorithm algorithm,
                                      PublicKey signerPublicKey) {
        byte[] tbsDer;
        try {
            tbsDer = tbs.getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new PkiException(ErrorKind.INTERNAL, "cannot encode the to-be-signed certificate", e);
        }
        byte[] signature = keys.sign(keyLabel, algorithm, tbsDer);
        X509CertificateHolder certificate = CertificateAssembler.assemble(tbs, signature);
        if (!verifies(certificate, signerPublicKey)) {
            throw new PkiException(ErrorKind.INTERNAL,
                    "the token returned a signature that does not verify under key '" + keyLabel + "'");
        }
        return certificate;
    }

    static boolean verifies(X509CertificateHolder certificate, PublicKey signerPublicKey) {
        try {
            ContentVerifierProvider verifier = new JcaContentVerifierProviderBuilder()
                    .setProvider(BouncyCastleHolder.PROVIDER).build(signerPublicKey);
            return certificate.isSignatureValid(verifier);
        } catch (Exception e) {
            return false;
        }
    }
}
