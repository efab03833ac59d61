package org.medpki.acme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SignatureHandlerTest {

    @Test
    void es256VerifiesAndATamperedSignatureDoesNot() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_256).generate();
        JWSObject o = new JWSObject(new JWSHeader(JWSAlgorithm.ES256), new Payload("{}"));
        o.sign(new ECDSASigner(key));
        String input = new String(o.getSigningInput(), StandardCharsets.US_ASCII);
        byte[] sig = o.getSignature().decode();
        assertThat(SignatureHandler.verify(JWSAlgorithm.ES256, key.toPublicJWK(), input, sig)).isTrue();
        sig[3] ^= 1;
        assertThat(SignatureHandler.verify(JWSAlgorithm.ES256, key.toPublicJWK(), input, sig)).isFalse();
        assertThatThrownBy(() -> SignatureHandler.verify(JWSAlgorithm.ES384, key.toPublicJWK(), input, sig))
                .extracting(e -> ((AcmeException) e).type()).isEqualTo(ProblemType.BAD_PUBLIC_KEY);
    }

    @Test
    void es384VerifiesAndForgedOrMisencodedSignaturesDoNot() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_384).generate();
        ECKey other = new ECKeyGenerator(Curve.P_384).generate();
        JWSObject o = new JWSObject(new JWSHeader(JWSAlgorithm.ES384), new Payload("{\"a\":1}"));
        o.sign(new ECDSASigner(key));
        String input = new String(o.getSigningInput(), StandardCharsets.US_ASCII);
        byte[] sig = o.getSignature().decode();
        assertThat(sig).hasSize(96);
        assertThat(SignatureHandler.verify(JWSAlgorithm.ES384, key.toPublicJWK(), input, sig)).isTrue();
        assertThat(SignatureHandler.verify(JWSAlgorithm.ES384, other.toPublicJWK(), input, sig)).isFalse();
        assertThat(SignatureHandler.verify(JWSAlgorithm.ES384, key.toPublicJWK(), input + "x", sig)).isFalse();
        // r = s = 0 (the "psychic signature"), a truncated one, and the DER form instead of R || S.
        assertThat(SignatureHandler.verify(JWSAlgorithm.ES384, key.toPublicJWK(), input, new byte[96])).isFalse();
        assertThat(SignatureHandler.verify(JWSAlgorithm.ES384, key.toPublicJWK(), input, Arrays.copyOf(sig, 95)))
                .isFalse();
        Signature der = Signature.getInstance("SHA384withECDSA");
        der.initSign(key.toECPrivateKey());
        der.update(input.getBytes(StandardCharsets.US_ASCII));
        assertThat(SignatureHandler.verify(JWSAlgorithm.ES384, key.toPublicJWK(), input, der.sign())).isFalse();
    }

    @Test
    void weakRsaKeysAreBadPublicKeys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(1024);
        KeyPair pair = g.generateKeyPair();
        RSAKey key = new RSAKey.Builder((RSAPublicKey) pair.getPublic()).privateKey((RSAPrivateKey) pair.getPrivate()).build();
        JWSObject o = new JWSObject(new JWSHeader(JWSAlgorithm.RS256), new Payload("{}"));
        o.sign(new RSASSASigner(key.toPrivateKey(), true));
        assertThatThrownBy(() -> SignatureHandler.verify(JWSAlgorithm.RS256, key.toPublicJWK(),
                new String(o.getSigningInput(), StandardCharsets.US_ASCII), o.getSignature().decode()))
                .extracting(e -> ((AcmeException) e).type()).isEqualTo(ProblemType.BAD_PUBLIC_KEY);
    }

    @Test
    void rsaKeysNeedExponent65537AndAModulusOf2048To4096Bits() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(new java.security.spec.RSAKeyGenParameterSpec(2048, java.security.spec.RSAKeyGenParameterSpec.F4));
        KeyPair good = g.generateKeyPair();
        RSAKey key = new RSAKey.Builder((RSAPublicKey) good.getPublic()).privateKey((RSAPrivateKey) good.getPrivate())
                .build();
        JWSObject o = new JWSObject(new JWSHeader(JWSAlgorithm.RS256), new Payload("{}"));
        o.sign(new RSASSASigner(key.toPrivateKey(), true));
        String input = new String(o.getSigningInput(), StandardCharsets.US_ASCII);
        assertThat(SignatureHandler.verify(JWSAlgorithm.RS256, key.toPublicJWK(), input, o.getSignature().decode()))
                .isTrue();

        java.math.BigInteger n = ((RSAPublicKey) good.getPublic()).getModulus();
        RSAKey exponent3 = new RSAKey.Builder(Base64URL.encode(n), Base64URL.encode(java.math.BigInteger.valueOf(3)))
                .build();
        RSAKey exponentHuge = new RSAKey.Builder(Base64URL.encode(n),
                Base64URL.encode(java.math.BigInteger.ONE.shiftLeft(2000).add(java.math.BigInteger.ONE))).build();
        RSAKey modulus4104 = new RSAKey.Builder(Base64URL.encode(java.math.BigInteger.ONE.shiftLeft(4103)
                .add(java.math.BigInteger.ONE)), Base64URL.encode(java.math.BigInteger.valueOf(65537))).build();
        for (RSAKey bad : new RSAKey[] {exponent3, exponentHuge, modulus4104}) {
            assertThatThrownBy(() -> SignatureHandler.verify(JWSAlgorithm.RS256, bad, input, o.getSignature().decode()))
                    .extracting(e -> ((AcmeException) e).type()).isEqualTo(ProblemType.BAD_PUBLIC_KEY);
        }
    }

    @Test
    void ecKeysOnlyOnP256AndP384() throws Exception {
        ECKey p521 = new ECKeyGenerator(Curve.P_521).generate();
        for (JWSAlgorithm alg : new JWSAlgorithm[] {JWSAlgorithm.ES256, JWSAlgorithm.ES384}) {
            assertThatThrownBy(() -> SignatureHandler.verify(alg, p521.toPublicJWK(), "e30.e30", new byte[132]))
                    .extracting(e -> ((AcmeException) e).type()).isEqualTo(ProblemType.BAD_PUBLIC_KEY);
        }
        assertThatThrownBy(() -> SignatureHandler.verify(JWSAlgorithm.ES512, p521.toPublicJWK(), "e30.e30",
                new byte[132])).extracting(e -> ((AcmeException) e).type())
                .isEqualTo(ProblemType.BAD_SIGNATURE_ALGORITHM);
    }

    @Test
    void eddsaVerifiesWithTheJdk() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] spki = pair.getPublic().getEncoded();
        byte[] x = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
        OctetKeyPair jwk = new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(x)).build();
        String input = "eyJhbGciOiJFZERTQSJ9.e30";
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(pair.getPrivate());
        s.update(input.getBytes(StandardCharsets.US_ASCII));
        byte[] sig = s.sign();
        assertThat(SignatureHandler.verify(JWSAlgorithm.EdDSA, jwk, input, sig)).isTrue();
        assertThat(SignatureHandler.verify(JWSAlgorithm.EdDSA, jwk, input + "x", sig)).isFalse();
    }
}
