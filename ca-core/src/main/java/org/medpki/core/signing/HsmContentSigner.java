package org.medpki.core.signing;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.operator.ContentSigner;
import org.medpki.core.keys.SignatureAlgorithm;
import org.medpki.core.keys.SigningKeys;
import org.medpki.core.template.SignatureAlgorithms;

/**
 * A BouncyCastle {@link ContentSigner} whose key is in the HSM: for the structures BouncyCastle
 * builds and signs itself (OCSP responses, CRLs). One instance per signature; not thread-safe,
 * like every ContentSigner.
 */
public final class HsmContentSigner implements ContentSigner {
    private final SigningKeys keys;
    private final String keyLabel;
    private final SignatureAlgorithm algorithm;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(512);

    public HsmContentSigner(SigningKeys keys, String keyLabel, SignatureAlgorithm algorithm) {
        this.keys = keys;
        this.keyLabel = keyLabel;
        this.algorithm = algorithm;
    }

    @Override
    public AlgorithmIdentifier getAlgorithmIdentifier() {
        return SignatureAlgorithms.forAlgorithm(algorithm);
    }

    @Override
    public OutputStream getOutputStream() {
        return buffer;
    }

    @Override
    public byte[] getSignature() {
        byte[] signature = keys.sign(keyLabel, algorithm, buffer.toByteArray());
        buffer.reset();
        return signature;
    }
}
