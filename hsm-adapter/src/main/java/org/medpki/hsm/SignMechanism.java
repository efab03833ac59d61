package org.medpki.hsm;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.*;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.DigestInfo;
import org.medpki.core.keys.SignatureAlgorithm;
import org.xipki.pkcs11.wrapper.Mechanism;
import org.xipki.pkcs11.wrapper.params.RSA_PKCS_PSS_PARAMS;

/**
 * One way to make a signature on a token: the PKCS#11 mechanism, what the token is fed (the
 * message, its hash, or a PKCS#1 DigestInfo when only raw CKM_RSA_PKCS is there), whether it takes
 * PSS parameters, and how its output becomes what X.509 wants.
 */
record SignMechanism(long code, Input input, boolean pssParams, Output output) {

    enum Input { MESSAGE, DIGEST, DIGEST_INFO }

    enum Output {
        AS_IS,
        /** The wrapper hands ECDSA signatures back as r||s; X.509 wants DER SEQUENCE{r, s}. */
        ECDSA_PLAIN_TO_DER
    }

    /** The wrapper's mechanism object for a signature with {@code algorithm}. */
    Mechanism toMechanism(SignatureAlgorithm algorithm) {
        if (!pssParams) {
            return new Mechanism(code);
        }
        // RFC 4055 defaults as CAs use them: MGF1 with the same hash, salt as long as the hash.
        long hash = switch (algorithm.digest()) {
            case "SHA-256" -> CKM_SHA256;
            case "SHA-384" -> CKM_SHA384;
            case "SHA-512" -> CKM_SHA512;
            default -> throw new IllegalArgumentException("no PSS hash for " + algorithm);
        };
        long mgf = switch (algorithm.digest()) {
            case "SHA-256" -> CKG_MGF1_SHA256;
            case "SHA-384" -> CKG_MGF1_SHA384;
            default -> CKG_MGF1_SHA512;
        };
        return new Mechanism(code, new RSA_PKCS_PSS_PARAMS(hash, mgf, digestLength(algorithm)));
    }

    /** What goes into C_Sign. */
    byte[] prepare(SignatureAlgorithm algorithm, byte[] data) {
        return switch (input) {
            case MESSAGE -> data;
            case DIGEST -> digest(algorithm, data);
            case DIGEST_INFO -> digestInfo(algorithm, digest(algorithm, data));
        };
    }

    /** What the caller gets back. */
    byte[] finish(byte[] signature) {
        return switch (output) {
            case AS_IS -> signature;
            case ECDSA_PLAIN_TO_DER -> ecdsaPlainToDer(signature);
        };
    }

    private static byte[] digest(SignatureAlgorithm algorithm, byte[] data) {
        try {
            return MessageDigest.getInstance(algorithm.digest()).digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks " + algorithm.digest(), e);
        }
    }

    private static int digestLength(SignatureAlgorithm algorithm) {
        try {
            return MessageDigest.getInstance(algorithm.digest()).getDigestLength();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks " + algorithm.digest(), e);
        }
    }

    private static byte[] digestInfo(SignatureAlgorithm algorithm, byte[] hash) {
        var oid = switch (algorithm.digest()) {
            case "SHA-256" -> NISTObjectIdentifiers.id_sha256;
            case "SHA-384" -> NISTObjectIdentifiers.id_sha384;
            case "SHA-512" -> NISTObjectIdentifiers.id_sha512;
            default -> throw new IllegalArgumentException("no DigestInfo for " + algorithm);
        };
        try {
            return new DigestInfo(new AlgorithmIdentifier(oid, DERNull.INSTANCE), hash).getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] ecdsaPlainToDer(byte[] plain) {
        if (plain.length == 0 || plain.length % 2 != 0) {
            throw new IllegalStateException("the token returned an ECDSA signature of odd length " + plain.length);
        }
        int half = plain.length / 2;
        BigInteger r = new BigInteger(1, Arrays.copyOfRange(plain, 0, half));
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(plain, half, plain.length));
        try {
            return new DERSequence(new ASN1Integer[] {new ASN1Integer(r), new ASN1Integer(s)}).getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
