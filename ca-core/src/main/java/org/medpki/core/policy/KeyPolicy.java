package org.medpki.core.policy;

import java.io.IOException;
import java.math.BigInteger;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Null;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.profile.EcCurve;
import org.medpki.core.profile.KeyFamily;
import org.medpki.core.profile.KeyRules;

/**
 * Subject key checks (CP 6.1.5/6.1.6): RSA of at least 2048 bits and the profile's minimum, at
 * most 8192, public exponent exactly 65537, a modulus that is odd, has no factor below 1000, is
 * not the product of two close primes (Fermat) and has no ROCA fingerprint; EC on a named curve
 * (P-256/P-384, never explicit parameters) with a point that lies on the curve; Ed25519 with a
 * valid point. Failures are BAD_PUBLIC_KEY naming the reason.
 */
public final class KeyPolicy {
    private static final BigInteger F4 = BigInteger.valueOf(65537);
    private static final int FERMAT_ROUNDS = 100;
    private static final BigInteger SMALL_PRIMES_PRODUCT;

    static {
        BigInteger product = BigInteger.ONE;
        for (int n = 3; n < 1000; n += 2) {
            if (BigInteger.valueOf(n).isProbablePrime(40)) {
                product = product.multiply(BigInteger.valueOf(n));
            }
        }
        SMALL_PRIMES_PRODUCT = product;
    }

    private KeyPolicy() {
    }

    /** Checks the key against the floor and the profile's rules and returns its family. */
    public static KeyFamily check(SubjectPublicKeyInfo spki, KeyRules rules, String profileName) {
        KeyFamily family = KeyFamily.of(spki);
        if (family == null) {
            throw reject("the key type " + spki.getAlgorithm().getAlgorithm().getId() + " is not supported "
                    + "(profile " + profileName + " allows " + rules.describe() + ")");
        }
        if (spki.getPublicKeyData().getPadBits() != 0) {
            throw reject("the public key bit string has unused bits");
        }
        switch (family) {
            case RSA -> checkRsa(spki, rules, profileName);
            case EC -> checkEc(spki, rules, profileName);
            case ED25519 -> checkEd25519(spki, rules, profileName);
        }
        return family;
    }

    private static void checkRsa(SubjectPublicKeyInfo spki, KeyRules rules, String profileName) {
        ASN1Encodable params = spki.getAlgorithm().getParameters();
        if (params != null && !(params.toASN1Primitive() instanceof ASN1Null)) {
            throw reject("RSA key algorithm parameters must be NULL");
        }
        if (!rules.rsaAllowed()) {
            throw reject("RSA keys are not allowed by profile " + profileName + " (allowed: " + rules.describe() + ")");
        }
        RSAPublicKey key;
        try {
            key = RSAPublicKey.getInstance(spki.parsePublicKey());
        } catch (IOException | RuntimeException e) {
            throw reject("the RSA public key is not valid DER");
        }
        BigInteger n = key.getModulus();
        BigInteger e = key.getPublicExponent();
        int bits = n.bitLength();
        int min = Math.max(KeyRules.RSA_FLOOR_BITS, rules.rsaMinBits());
        if (n.signum() <= 0 || bits < min) {
            throw reject("the RSA key has " + bits + " bits; profile " + profileName + " needs at least " + min);
        }
        if (bits > KeyRules.RSA_CEILING_BITS) {
            throw reject("the RSA key has " + bits + " bits; at most " + KeyRules.RSA_CEILING_BITS + " are accepted");
        }
        if (!e.equals(F4)) {
            throw reject("the RSA public exponent is " + e + "; only 65537 is accepted");
        }
        if (!n.testBit(0)) {
            throw reject("the RSA modulus is even");
        }
        if (!n.gcd(SMALL_PRIMES_PRODUCT).equals(BigInteger.ONE)) {
            throw reject("the RSA modulus has a small prime factor");
        }
        if (closePrimes(n)) {
            throw reject("the RSA modulus is the product of two primes too close together (Fermat factorisable)");
        }
        if (RocaFingerprint.matches(n)) {
            throw reject("the RSA key has the ROCA fingerprint (CVE-2017-15361, weak Infineon key generation)");
        }
    }

    /** Fermat's method for a few rounds: finds n = (a-b)(a+b) when the primes are very close. */
    private static boolean closePrimes(BigInteger n) {
        BigInteger a = n.sqrt();
        if (a.multiply(a).compareTo(n) < 0) {
            a = a.add(BigInteger.ONE);
        }
        for (int i = 0; i < FERMAT_ROUNDS; i++) {
            BigInteger b2 = a.multiply(a).subtract(n);
            BigInteger b = b2.sqrt();
            if (b.multiply(b).equals(b2)) {
                return true;
            }
            a = a.add(BigInteger.ONE);
        }
        return false;
    }

    private static void checkEc(SubjectPublicKeyInfo spki, KeyRules rules, String profileName) {
        ASN1Encodable raw = spki.getAlgorithm().getParameters();
        var params = raw == null ? null : raw.toASN1Primitive();
        if (params instanceof ASN1Sequence) {
            throw reject("the EC key has explicit curve parameters; only named curves are accepted");
        }
        if (!(params instanceof ASN1ObjectIdentifier oid)) {
            throw reject("the EC key names no curve; only named curves are accepted");
        }
        EcCurve curve = EcCurve.ofOid(oid);
        if (curve == null || !rules.ecCurves().contains(curve)) {
            String name = curve != null ? curve.yamlName() : ECNamedCurveTable.getName(oid);
            throw reject("the EC curve " + (name == null ? "" : name + " ") + "(" + oid.getId()
                    + ") is not allowed by profile " + profileName + " (allowed: " + rules.describe() + ")");
        }
        X9ECParameters x9 = ECNamedCurveTable.getByOID(oid);
        try {
            ECPoint point = x9.getCurve().decodePoint(spki.getPublicKeyData().getOctets());
            if (point.isInfinity() || !point.isValid()) {
                throw reject("the EC public point is not a valid point of " + curve);
            }
        } catch (IllegalArgumentException e) {
            throw reject("the EC public point is not on curve " + curve);
        }
    }

    private static void checkEd25519(SubjectPublicKeyInfo spki, KeyRules rules, String profileName) {
        if (spki.getAlgorithm().getParameters() != null) {
            throw reject("Ed25519 key algorithm parameters must be absent");
        }
        if (!rules.ed25519()) {
            throw reject("Ed25519 keys are not allowed by profile " + profileName + " (allowed: " + rules.describe() + ")");
        }
        byte[] key = spki.getPublicKeyData().getOctets();
        if (key.length != Ed25519.PUBLIC_KEY_SIZE || !Ed25519.validatePublicKeyFull(key, 0)) {
            throw reject("the Ed25519 public key is not a valid point");
        }
    }

    private static PkiException reject(String reason) {
        return new PkiException(ErrorKind.BAD_PUBLIC_KEY, reason);
    }
}
