package org.medpki.core.signing;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.DSADigestSigner;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every ECDSA check the PKI makes (the token's signature before release, a CSR's proof of
 * possession, an ACME request's JWS). Where AWS-LC loads (Amazon Corretto Crypto Provider, Linux
 * x86-64) it verifies: about a third of the cost of BouncyCastle's lightweight ECDSA, which in
 * turn costs a third of the JDK's P-256 on this kind of CPU; elsewhere BouncyCastle does. Both are
 * strict: a signature is DER SEQUENCE{r, s} in its one DER form (or R || S of exactly the curve's
 * size), r and s in [1, n-1]; the key's point must lie on its named curve. Anything malformed is
 * simply "does not verify". Keep the {@link Key} of a key seen again: it is parsed once.
 */
public final class EcdsaSignatures {
    private static final Logger LOG = LoggerFactory.getLogger(EcdsaSignatures.class);
    private static final Provider NATIVE = nativeProvider();

    private EcdsaSignatures() {
    }

    /**
     * A checked EC public key, parsed once by the implementation that verifies here. (The other
     * form is made on first use: only the tests compare both implementations on one key.)
     */
    public static final class Key {
        private final byte[] subjectPublicKeyInfo;
        private final PublicKey nativeKey;
        private volatile ECPublicKeyParameters parameters;

        private Key(byte[] subjectPublicKeyInfo, PublicKey nativeKey, ECPublicKeyParameters parameters) {
            this.subjectPublicKeyInfo = subjectPublicKeyInfo;
            this.nativeKey = nativeKey;
            this.parameters = parameters;
        }

        ECPublicKeyParameters parameters() {
            ECPublicKeyParameters p = parameters;
            if (p == null) {
                try {
                    p = lightweightKey(subjectPublicKeyInfo);
                } catch (IOException e) {
                    throw new IllegalArgumentException(e.getMessage(), e); // both implementations accepted it
                }
                parameters = p;
            }
            return p;
        }
    }

    /** Which implementation verifies here (for the log and the tests). */
    public static String implementation() {
        return NATIVE != null ? "AWS-LC (" + NATIVE.getName() + ")" : "BouncyCastle";
    }

    /** The key of an EC SubjectPublicKeyInfo; the point is checked to lie on its named curve. */
    public static Key key(byte[] subjectPublicKeyInfo) throws IOException {
        byte[] spki = subjectPublicKeyInfo.clone();
        if (NATIVE == null) {
            return new Key(spki, null, lightweightKey(spki));
        }
        try {
            return new Key(spki, KeyFactory.getInstance("EC", NATIVE).generatePublic(new X509EncodedKeySpec(spki)),
                    null);
        } catch (GeneralSecurityException | RuntimeException e) { // not EC, off the curve, unknown curve
            throw new IOException("not a valid EC public key", e);
        }
    }

    static ECPublicKeyParameters lightweightKey(byte[] subjectPublicKeyInfo) throws IOException {
        try {
            if (PublicKeyFactory.createKey(subjectPublicKeyInfo) instanceof ECPublicKeyParameters ec) {
                return ec;
            }
            throw new IOException("not an EC public key");
        } catch (IllegalArgumentException e) { // a point off the curve, an unknown curve
            throw new IOException("not a valid EC public key", e);
        }
    }

    /** A DER SEQUENCE{r, s} signature (X.509, PKCS#10) with SHA-256, SHA-384 or SHA-512 (JCA names). */
    public static boolean verifyDer(Key key, String digest, byte[] data, byte[] signature) {
        return key.nativeKey != null ? nativeVerifies(key, digest, data, signature)
                : lightweightVerifiesDer(key, digest, data, signature);
    }

    /** An R || S signature with each half exactly {@code half} octets (JWS, RFC 7518 3.4). */
    public static boolean verifyConcatenated(Key key, String digest, byte[] data, byte[] signature, int half) {
        if (signature.length != 2 * half) {
            return false;
        }
        BigInteger r = new BigInteger(1, Arrays.copyOfRange(signature, 0, half));
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(signature, half, 2 * half));
        if (key.nativeKey == null) {
            return lightweightVerifies(key, digest, data, r, s);
        }
        try {
            byte[] der = new DERSequence(new ASN1Integer[] {new ASN1Integer(r), new ASN1Integer(s)})
                    .getEncoded(ASN1Encoding.DER);
            return nativeVerifies(key, digest, data, der);
        } catch (IOException e) {
            return false;
        }
    }

    static boolean nativeVerifies(Key key, String digest, byte[] data, byte[] derSignature) {
        try {
            Signature verifier = Signature.getInstance(jcaAlgorithm(digest), NATIVE);
            verifier.initVerify(key.nativeKey);
            verifier.update(data);
            return verifier.verify(derSignature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    static boolean lightweightVerifiesDer(Key key, String digest, byte[] data, byte[] derSignature) {
        try {
            DSADigestSigner verifier = new DSADigestSigner(new ECDSASigner(), lightweightDigest(digest));
            verifier.init(false, key.parameters());
            verifier.update(data, 0, data.length);
            return verifier.verifySignature(derSignature);
        } catch (RuntimeException e) {
            return false;
        }
    }

    static boolean lightweightVerifies(Key key, String digest, byte[] data, BigInteger r, BigInteger s) {
        try {
            Digest d = lightweightDigest(digest);
            byte[] hash = new byte[d.getDigestSize()];
            d.update(data, 0, data.length);
            d.doFinal(hash, 0);
            ECDSASigner verifier = new ECDSASigner();
            verifier.init(false, key.parameters());
            return verifier.verifySignature(hash, r, s);
        } catch (RuntimeException e) {
            return false;
        }
    }

    static boolean nativeAvailable() {
        return NATIVE != null;
    }

    private static String jcaAlgorithm(String digest) {
        return switch (digest) {
            case "SHA-256" -> "SHA256withECDSA";
            case "SHA-384" -> "SHA384withECDSA";
            case "SHA-512" -> "SHA512withECDSA";
            default -> throw new IllegalArgumentException("no ECDSA digest " + digest);
        };
    }

    private static Digest lightweightDigest(String digest) {
        return switch (digest) {
            case "SHA-256" -> new SHA256Digest();
            case "SHA-384" -> new SHA384Digest();
            case "SHA-512" -> new SHA512Digest();
            default -> throw new IllegalArgumentException("no ECDSA digest " + digest);
        };
    }

    /**
     * AWS-LC when its library loads and passes its self-tests, unless the system property
     * medpki.ecdsa.native is false (a site that wants no native code in the CA process); otherwise
     * null, and BouncyCastle verifies.
     */
    private static Provider nativeProvider() {
        if (!Boolean.parseBoolean(System.getProperty("medpki.ecdsa.native", "true"))) {
            LOG.info("ECDSA checks use BouncyCastle: medpki.ecdsa.native=false");
            return null;
        }
        try {
            AmazonCorrettoCryptoProvider provider = AmazonCorrettoCryptoProvider.INSTANCE;
            if (provider.getLoadingError() != null) {
                LOG.info("ECDSA checks use BouncyCastle: AWS-LC did not load ({})", provider.getLoadingError().toString());
                return null;
            }
            provider.assertHealthy();
            return provider;
        } catch (LinkageError | RuntimeException e) {
            LOG.info("ECDSA checks use BouncyCastle: AWS-LC is not usable here ({})", e.toString());
            return null;
        }
    }
}
