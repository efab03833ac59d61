package org.medpki.core.testpki;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.bouncycastle.jce.provider.BouncyCastleProvider;

/** Software keys for unit tests of pure logic (the real PKI keys live in the HSM). Cached per JVM. */
public final class TestKeys {
    public static final Provider BC = new BouncyCastleProvider();
    private static final Map<String, KeyPair> CACHE = new ConcurrentHashMap<>();

    private TestKeys() {
    }

    public static KeyPair rsa(int bits) {
        return CACHE.computeIfAbsent("rsa" + bits, k -> generate("RSA", new RSAKeyGenParameterSpec(bits, RSAKeyGenParameterSpec.F4), null));
    }

    public static KeyPair rsaWithExponent(int bits, BigInteger e) {
        return CACHE.computeIfAbsent("rsa" + bits + "e" + e, k -> generate("RSA", new RSAKeyGenParameterSpec(bits, e), null));
    }

    /** JDK curves: secp256r1, secp384r1, secp521r1. */
    public static KeyPair ec(String curve) {
        return CACHE.computeIfAbsent("ec" + curve, k -> generate("EC", new ECGenParameterSpec(curve), null));
    }

    /** Curves the JDK no longer has (secp256k1), from BouncyCastle. */
    public static KeyPair ecBc(String curve) {
        return CACHE.computeIfAbsent("bc" + curve, k -> generate("EC", new ECGenParameterSpec(curve), BC));
    }

    public static KeyPair ed25519() {
        return CACHE.computeIfAbsent("ed25519", k -> generate("Ed25519", null, null));
    }

    /** A fresh key, not cached (when a test needs a second, different key). */
    public static KeyPair freshEc(String curve) {
        return generate("EC", new ECGenParameterSpec(curve), null);
    }

    private static KeyPair generate(String alg, java.security.spec.AlgorithmParameterSpec spec, Provider provider) {
        try {
            KeyPairGenerator g = provider == null ? KeyPairGenerator.getInstance(alg) : KeyPairGenerator.getInstance(alg, provider);
            if (spec != null) {
                g.initialize(spec);
            }
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
