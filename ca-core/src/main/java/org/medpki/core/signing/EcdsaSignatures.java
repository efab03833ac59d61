package org.medpki.core.signing;

import java.io.IOException;
import java.math.BigInteger;
import java.util.Arrays;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.DSADigestSigner;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.util.PublicKeyFactory;

/**
 * Every ECDSA check the PKI makes (the token's signature before release, a CSR's proof of
 * possession, an ACME request's JWS) goes through BouncyCastle's lightweight API: on this kind of
 * CPU it costs half of the JCA route and a third of the JDK's own P-256. Keeping the
 * {@link ECPublicKeyParameters} of a key seen again keeps its point precomputation as well.
 * r and s must lie in [1, n-1]; a malformed signature or key is simply "does not verify".
 */
public final class EcdsaSignatures {
    private EcdsaSignatures() {
    }

    /** The parameters of an EC SubjectPublicKeyInfo (the point is checked to lie on its curve). */
    public static ECPublicKeyParameters key(byte[] subjectPublicKeyInfo) throws IOException {
        if (!(PublicKeyFactory.createKey(subjectPublicKeyInfo) instanceof ECPublicKeyParameters ec)) {
            throw new IOException("not an EC public key");
        }
        return ec;
    }

    /** SHA-256, SHA-384 or SHA-512 by JCA name. */
    public static Digest digest(String jcaName) {
        return switch (jcaName) {
            case "SHA-256" -> new SHA256Digest();
            case "SHA-384" -> new SHA384Digest();
            case "SHA-512" -> new SHA512Digest();
            default -> throw new IllegalArgumentException("no ECDSA digest " + jcaName);
        };
    }

    /** A DER SEQUENCE{r, s} signature (X.509, PKCS#10), decoded strictly. */
    public static boolean verifyDer(ECPublicKeyParameters key, Digest digest, byte[] data, byte[] signature) {
        try {
            DSADigestSigner verifier = new DSADigestSigner(new ECDSASigner(), digest);
            verifier.init(false, key);
            verifier.update(data, 0, data.length);
            return verifier.verifySignature(signature);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** An R || S signature with each half exactly {@code half} octets (JWS, RFC 7518 3.4). */
    public static boolean verifyConcatenated(ECPublicKeyParameters key, Digest digest, byte[] data, byte[] signature,
                                             int half) {
        if (signature.length != 2 * half) {
            return false;
        }
        try {
            byte[] hash = new byte[digest.getDigestSize()];
            digest.update(data, 0, data.length);
            digest.doFinal(hash, 0);
            ECDSASigner verifier = new ECDSASigner();
            verifier.init(false, key);
            return verifier.verifySignature(hash, new BigInteger(1, Arrays.copyOfRange(signature, 0, half)),
                    new BigInteger(1, Arrays.copyOfRange(signature, half, 2 * half)));
        } catch (RuntimeException e) {
            return false;
        }
    }
}
