package org.medpki.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.Set;

import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.junit.jupiter.api.Test;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.profile.EcCurve;
import org.medpki.core.profile.KeyFamily;
import org.medpki.core.profile.KeyRules;
import org.medpki.core.testpki.TestKeys;
import org.medpki.core.testpki.TestPki;

class KeyPolicyTest {
    private static final KeyRules ALL = new KeyRules(2048, Set.of(EcCurve.P256, EcCurve.P384), true);

    @Test
    void acceptsGoodKeys() {
        assertThat(KeyPolicy.check(TestPki.spki(TestKeys.rsa(2048)), ALL, "t")).isEqualTo(KeyFamily.RSA);
        assertThat(KeyPolicy.check(TestPki.spki(TestKeys.ec("secp256r1")), ALL, "t")).isEqualTo(KeyFamily.EC);
        assertThat(KeyPolicy.check(TestPki.spki(TestKeys.ec("secp384r1")), ALL, "t")).isEqualTo(KeyFamily.EC);
        assertThat(KeyPolicy.check(TestPki.spki(TestKeys.ed25519()), ALL, "t")).isEqualTo(KeyFamily.ED25519);
    }

    @Test
    void rejectsExplicitCurveParameters() {
        SubjectPublicKeyInfo named = TestPki.spki(TestKeys.ec("secp256r1"));
        X9ECParameters explicit = ECNamedCurveTable.getByName("secp256r1");
        var spki = new SubjectPublicKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, explicit),
                named.getPublicKeyData().getBytes());
        reject(spki, "explicit curve parameters");
    }

    @Test
    void rejectsPointNotOnCurve() {
        SubjectPublicKeyInfo named = TestPki.spki(TestKeys.ec("secp256r1"));
        byte[] point = named.getPublicKeyData().getBytes();
        point[point.length - 1] ^= 0x01; // y no longer matches x
        reject(new SubjectPublicKeyInfo(named.getAlgorithm(), point), "not on curve");
    }

    @Test
    void rejectsBrokenModuli() {
        BigInteger n = ((java.security.interfaces.RSAPublicKey) TestKeys.rsa(2048).getPublic()).getModulus();
        reject(rsa(n.add(BigInteger.ONE), BigInteger.valueOf(65537)), "even");
        // p*q with q = nextPrime(p): Fermat finds it at once.
        BigInteger p;
        do { // large enough that p * nextPrime(p) has the full 2048 bits
            p = BigInteger.probablePrime(1024, new java.security.SecureRandom());
        } while (p.multiply(p).bitLength() < 2048);
        reject(rsa(p.multiply(p.nextProbablePrime()), BigInteger.valueOf(65537)), "too close");
        BigInteger seven = BigInteger.valueOf(7);
        BigInteger composite = BigInteger.ONE.shiftLeft(2047).add(seven.subtract(BigInteger.ONE.shiftLeft(2047).mod(seven)));
        reject(rsa(composite.testBit(0) ? composite : composite.add(seven), BigInteger.valueOf(65537)), "small prime factor");
        reject(rsa(n, BigInteger.valueOf(65539)), "exponent");
        reject(rsa(BigInteger.ONE.shiftLeft(9000).add(BigInteger.ONE), BigInteger.valueOf(65537)), "at most 8192");
    }

    @Test
    void ruleSetDecides() {
        var ecOnly = new KeyRules(0, Set.of(EcCurve.P384), false);
        reject(TestPki.spki(TestKeys.rsa(2048)), ecOnly, "RSA keys are not allowed");
        reject(TestPki.spki(TestKeys.ed25519()), ecOnly, "Ed25519 keys are not allowed");
        reject(TestPki.spki(TestKeys.ec("secp256r1")), ecOnly, "allowed: EC P-384");
    }

    @Test
    void rocaFingerprintOfTheSmallPrimes() {
        // 65537^a mod M itself (k = 0) is a ROCA-structured number; its square too.
        BigInteger m = RocaKeys.primorial();
        BigInteger r = BigInteger.valueOf(65537).modPow(BigInteger.valueOf(12345), m);
        assertThat(RocaFingerprint.matches(r)).isTrue();
        assertThat(RocaFingerprint.matches(r.multiply(r))).isTrue();
        assertThat(RocaFingerprint.matches(r.add(BigInteger.TWO))).isFalse();
    }

    private static SubjectPublicKeyInfo rsa(BigInteger n, BigInteger e) {
        try {
            return new SubjectPublicKeyInfo(new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption,
                    org.bouncycastle.asn1.DERNull.INSTANCE), new RSAPublicKey(n, e));
        } catch (java.io.IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static void reject(SubjectPublicKeyInfo spki, String message) {
        reject(spki, ALL, message);
    }

    private static void reject(SubjectPublicKeyInfo spki, KeyRules rules, String message) {
        assertThatThrownBy(() -> KeyPolicy.check(spki, rules, "t"))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.BAD_PUBLIC_KEY))
                .hasMessageContaining(message);
    }
}
