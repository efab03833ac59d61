package org.medpki.core.policy;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.security.spec.RSAPublicKeySpec;

/**
 * Builds an RSA key with the ROCA structure: both primes p = k*M + (65537^a mod M), M the
 * primorial of the first 39 primes (2..167, the 512-bit key class of the paper).
 */
final class RocaKeys {
    private static final BigInteger E = BigInteger.valueOf(65537);

    private RocaKeys() {
    }

    static BigInteger primorial() {
        BigInteger m = BigInteger.ONE;
        for (int n = 2, count = 0; count < 39; n++) {
            if (BigInteger.valueOf(n).isProbablePrime(30)) {
                m = m.multiply(BigInteger.valueOf(n));
                count++;
            }
        }
        return m;
    }

    static BigInteger rocaPrime(SecureRandom random, BigInteger m) {
        while (true) {
            BigInteger k = new BigInteger(810, random).setBit(809);
            BigInteger a = new BigInteger(32, random);
            BigInteger p = k.multiply(m).add(E.modPow(a, m));
            if (p.isProbablePrime(40) && !p.subtract(BigInteger.ONE).gcd(E).equals(E)) {
                return p;
            }
        }
    }

    static KeyPair vulnerable() {
        SecureRandom random = new SecureRandom();
        BigInteger m = primorial();
        BigInteger p = rocaPrime(random, m);
        BigInteger q = rocaPrime(random, m);
        BigInteger n = p.multiply(q);
        BigInteger phi = p.subtract(BigInteger.ONE).multiply(q.subtract(BigInteger.ONE));
        BigInteger d = E.modInverse(phi);
        try {
            KeyFactory kf = KeyFactory.getInstance("RSA");
            return new KeyPair(kf.generatePublic(new RSAPublicKeySpec(n, E)),
                    kf.generatePrivate(new RSAPrivateCrtKeySpec(n, E, d, p, q,
                            d.mod(p.subtract(BigInteger.ONE)), d.mod(q.subtract(BigInteger.ONE)), q.modInverse(p))));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
