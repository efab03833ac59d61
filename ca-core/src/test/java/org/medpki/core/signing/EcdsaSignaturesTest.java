package org.medpki.core.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Sequence;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Both ECDSA implementations (AWS-LC where it loads, BouncyCastle everywhere) accept exactly the
 * same signatures: genuine ones, and no forged, altered, out-of-range or loosely encoded one.
 */
class EcdsaSignaturesTest {
    private static final byte[] DATA = "to be signed".getBytes(StandardCharsets.US_ASCII);
    private static KeyPair p256;
    private static KeyPair p384;
    private static KeyPair other;
    /** A genuine P-256 / SHA-256 signature over DATA, and the curve's order. */
    private static byte[] good256;
    private static BigInteger n;

    /** One implementation's DER check, so that every case runs through both. */
    interface DerCheck {
        boolean verifies(EcdsaSignatures.Key key, String digest, byte[] data, byte[] signature);
    }

    @BeforeAll
    static void keys() throws Exception {
        p256 = generate("secp256r1");
        p384 = generate("secp384r1");
        other = generate("secp256r1");
        good256 = sign(p256, "SHA-256");
        n = ((ECPublicKey) p256.getPublic()).getParams().getOrder();
    }

    @Test
    void awsLcVerifiesOnLinuxX8664() {
        boolean linuxX64 = System.getProperty("os.name").startsWith("Linux")
                && System.getProperty("os.arch").equals("amd64");
        boolean wanted = Boolean.parseBoolean(System.getProperty("medpki.ecdsa.native", "true"));
        assertThat(EcdsaSignatures.nativeAvailable()).as(EcdsaSignatures.implementation()).isEqualTo(linuxX64 && wanted);
    }

    @Test
    void genuineSignaturesVerifyWithEveryDigestAndCurve() throws Exception {
        for (DerCheck check : checks()) {
            for (String digest : List.of("SHA-256", "SHA-384", "SHA-512")) {
                assertThat(check.verifies(key(p256), digest, DATA, sign(p256, digest))).as(digest).isTrue();
                assertThat(check.verifies(key(p384), digest, DATA, sign(p384, digest))).as(digest).isTrue();
            }
            assertThat(EcdsaSignatures.verifyDer(key(p256), "SHA-256", DATA, sign(p256, "SHA-256"))).isTrue();
        }
    }

    @Test
    void alteredForgedAndLooselyEncodedSignaturesDoNotVerify() throws Exception {
        byte[] good = good256;
        BigInteger r = component(good, 0);
        BigInteger s = component(good, 1);
        byte[] flipped = good.clone();
        flipped[flipped.length - 1] ^= 1;
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        byte[] longLength = new byte[good.length + 1]; // SEQUENCE length in long form: BER, not DER
        longLength[0] = 0x30;
        longLength[1] = (byte) 0x81;
        longLength[2] = good[1];
        System.arraycopy(good, 2, longLength, 3, good.length - 2);
        byte[] otherData = "something else".getBytes(StandardCharsets.US_ASCII);
        for (DerCheck check : checks()) {
            assertThat(check.verifies(key(p256), "SHA-256", DATA, flipped)).isFalse();
            assertThat(check.verifies(key(p256), "SHA-256", DATA, trailing)).isFalse();
            assertThat(check.verifies(key(p256), "SHA-256", DATA, longLength)).isFalse();
            assertThat(check.verifies(key(p256), "SHA-256", otherData, good)).isFalse();
            assertThat(check.verifies(key(other), "SHA-256", DATA, good)).isFalse();
            assertThat(check.verifies(key(p256), "SHA-384", DATA, good)).isFalse();
            assertThat(check.verifies(key(p256), "SHA-256", DATA, der(BigInteger.ZERO, s))).isFalse();
            assertThat(check.verifies(key(p256), "SHA-256", DATA, der(r, BigInteger.ZERO))).isFalse();
            assertThat(check.verifies(key(p256), "SHA-256", DATA, der(r, s.add(n)))).isFalse(); // s + n: same mod n
            assertThat(check.verifies(key(p256), "SHA-256", DATA, new byte[0])).isFalse();
            assertThat(check.verifies(key(p256), "SHA-256", DATA, raw(r, s, 32))).isFalse();
        }
    }

    @Test
    void concatenatedSignaturesAreCheckedForSizeAndRange() throws Exception {
        BigInteger r = component(good256, 0);
        BigInteger s = component(good256, 1);
        EcdsaSignatures.Key key = key(p256);
        assertThat(EcdsaSignatures.verifyConcatenated(key, "SHA-256", DATA, raw(r, s, 32), 32)).isTrue();
        assertThat(EcdsaSignatures.verifyConcatenated(key, "SHA-256", DATA, raw(r, s, 33), 32)).isFalse();
        assertThat(EcdsaSignatures.verifyConcatenated(key, "SHA-256", DATA, raw(r, s, 32), 48)).isFalse();
        assertThat(EcdsaSignatures.verifyConcatenated(key, "SHA-256", DATA, raw(BigInteger.ZERO, s, 32), 32)).isFalse();
        assertThat(EcdsaSignatures.lightweightVerifies(key, "SHA-256", DATA, r, s)).isTrue();
        assertThat(EcdsaSignatures.lightweightVerifies(key, "SHA-256", DATA, r.add(n), s)).isFalse();
    }

    @Test
    void keysMustBeEcWithAPointOnTheCurve() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        assertThatThrownBy(() -> EcdsaSignatures.key(rsa.generateKeyPair().getPublic().getEncoded()))
                .isInstanceOf(IOException.class);
        byte[] offCurve = p256.getPublic().getEncoded().clone();
        offCurve[offCurve.length - 1] ^= 1; // last octet of y: the point leaves the curve
        assertThatThrownBy(() -> EcdsaSignatures.key(offCurve)).isInstanceOf(IOException.class);
        // and the other implementation alike, whichever verifies here
        assertThatThrownBy(() -> EcdsaSignatures.lightweightKey(offCurve)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> EcdsaSignatures.lightweightKey(rsa.generateKeyPair().getPublic().getEncoded()))
                .isInstanceOf(IOException.class);
    }

    private static List<DerCheck> checks() {
        return EcdsaSignatures.nativeAvailable()
                ? List.of(EcdsaSignatures::nativeVerifies, EcdsaSignatures::lightweightVerifiesDer)
                : List.of(EcdsaSignatures::lightweightVerifiesDer);
    }

    private static EcdsaSignatures.Key key(KeyPair k) throws IOException {
        return EcdsaSignatures.key(k.getPublic().getEncoded());
    }

    private static byte[] sign(KeyPair k, String digest) throws Exception {
        Signature s = Signature.getInstance(digest.replace("-", "") + "withECDSA");
        s.initSign(k.getPrivate());
        s.update(DATA);
        return s.sign();
    }

    /** r (0) or s (1) of a DER ECDSA signature. */
    private static BigInteger component(byte[] der, int index) {
        return ASN1Integer.getInstance(ASN1Sequence.getInstance(der).getObjectAt(index)).getValue();
    }

    private static byte[] der(BigInteger r, BigInteger s) throws IOException {
        return new org.bouncycastle.asn1.DERSequence(new ASN1Integer[] {new ASN1Integer(r), new ASN1Integer(s)})
                .getEncoded();
    }

    private static byte[] raw(BigInteger r, BigInteger s, int half) {
        byte[] out = new byte[2 * half];
        byte[] rb = r.toByteArray();
        byte[] sb = s.toByteArray();
        int rl = Math.min(rb.length, half);
        int sl = Math.min(sb.length, half);
        System.arraycopy(rb, rb.length - rl, out, half - rl, rl);
        System.arraycopy(sb, sb.length - sl, out, 2 * half - sl, sl);
        return out;
    }

    private static KeyPair generate(String curve) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec(curve));
        return g.generateKeyPair();
    }
}
