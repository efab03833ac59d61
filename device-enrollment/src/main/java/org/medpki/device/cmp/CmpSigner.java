package org.medpki.device.cmp;

import java.security.PrivateKey;
import java.security.Provider;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The CMP service's own signing key: it protects the answers to signature-protected requests.
 * {@code chain} is the service certificate first, then its CA certificates; {@code provider} is
 * the JCA provider holding {@code key} (a SunPKCS11 instance for an HSM key) or null for a
 * software key.
 */
public record CmpSigner(X509Certificate[] chain, PrivateKey key, Provider provider) {
    public CmpSigner {
        Objects.requireNonNull(key, "key");
        if (chain == null || chain.length == 0) {
            throw new IllegalArgumentException("the CMP signer needs its certificate");
        }
        chain = chain.clone();
    }

    @Override
    public X509Certificate[] chain() {
        return chain.clone();
    }

    public X509Certificate certificate() {
        return chain[0];
    }

    List<X509CertificateHolder> holders() {
        try {
            List<X509CertificateHolder> out = new java.util.ArrayList<>();
            for (X509Certificate c : chain) {
                out.add(new JcaX509CertificateHolder(c));
            }
            return out;
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException("the CMP signer's certificate cannot be encoded", e);
        }
    }

    /** A signer for one message: the algorithm follows the certificate's key (size of the curve or modulus). */
    ContentSigner contentSigner() {
        try {
            JcaContentSignerBuilder b = new JcaContentSignerBuilder(algorithm());
            if (provider != null) {
                b.setProvider(provider);
            }
            return b.build(key);
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("the CMP signer cannot sign: " + e.getMessage(), e);
        }
    }

    private String algorithm() {
        var pub = chain[0].getPublicKey();
        if (pub instanceof ECPublicKey ec) {
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            return bits > 384 ? "SHA512withECDSA" : bits > 256 ? "SHA384withECDSA" : "SHA256withECDSA";
        }
        if (pub instanceof RSAPublicKey rsa) {
            return rsa.getModulus().bitLength() > 3072 ? "SHA384withRSA" : "SHA256withRSA";
        }
        if ("Ed25519".equalsIgnoreCase(pub.getAlgorithm()) || "EdDSA".equalsIgnoreCase(pub.getAlgorithm())) {
            return "Ed25519";
        }
        throw new IllegalArgumentException("the CMP signer's key type " + pub.getAlgorithm() + " is not supported");
    }
}
