package org.medpki.core.signing;

import java.io.IOException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
 * certificate with a bad signature. The check of an ECDSA signature keeps the CA key, parsed and
 * checked, from one certificate to the next ({@link EcdsaSignatures.Key}).
 */
public final class CertificateSigner {
    private static final int MAX_CACHED_KEYS = 64;

    private final SigningKeys keys;
    private final Map<PublicKey, EcdsaSignatures.Key> ecKeys = new ConcurrentHashMap<>();

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
        boolean valid = algorithm.isEcdsa() && signerPublicKey instanceof ECPublicKey
                ? ecdsaVerifies(tbsDer, signature, algorithm, signerPublicKey)
                : verifies(certificate, signerPublicKey);
        if (!valid) {
            throw new PkiException(ErrorKind.INTERNAL,
                    "the token returned a signature that does not verify under key '" + keyLabel + "'");
        }
        return certificate;
    }

    private boolean ecdsaVerifies(byte[] tbsDer, byte[] signature, SignatureAlgorithm algorithm, PublicKey key) {
        EcdsaSignatures.Key checked = ecKeys.get(key);
        if (checked == null) {
            if (ecKeys.size() >= MAX_CACHED_KEYS) {
                ecKeys.clear();
            }
            try {
                checked = EcdsaSignatures.key(key.getEncoded());
            } catch (IOException e) {
                return false;
            }
            ecKeys.put(key, checked);
        }
        // DER SEQUENCE{r, s}, strictly: the encoding X.509 wants and the token is asked for.
        return EcdsaSignatures.verifyDer(checked, algorithm.digest(), tbsDer, signature);
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
