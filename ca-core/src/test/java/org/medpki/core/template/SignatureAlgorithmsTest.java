package org.medpki.core.template;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.HashSet;
import java.util.Set;

import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.junit.jupiter.api.Test;
import org.medpki.core.keys.SignatureAlgorithm;
import org.medpki.core.testpki.TestKeys;
import org.medpki.core.testpki.TestPki;

class SignatureAlgorithmsTest {
    @Test
    void encodingsFollowTheRfcs() {
        assertThat(SignatureAlgorithms.forAlgorithm(SignatureAlgorithm.ECDSA_SHA256).getParameters()).isNull();
        assertThat(SignatureAlgorithms.forAlgorithm(SignatureAlgorithm.ECDSA_SHA384).getAlgorithm().getId()).isEqualTo("1.2.840.10045.4.3.3");
        assertThat(SignatureAlgorithms.forAlgorithm(SignatureAlgorithm.RSA_PKCS1_SHA256).getParameters()).isEqualTo(DERNull.INSTANCE);
        assertThat(SignatureAlgorithms.forAlgorithm(SignatureAlgorithm.ED25519).getParameters()).isNull();
        AlgorithmIdentifier pss = SignatureAlgorithms.forAlgorithm(SignatureAlgorithm.RSA_PSS_SHA384);
        RSASSAPSSparams params = RSASSAPSSparams.getInstance(pss.getParameters());
        assertThat(params.getHashAlgorithm().getAlgorithm().getId()).isEqualTo("2.16.840.1.101.3.4.2.2");
        assertThat(params.getSaltLength()).isEqualTo(BigInteger.valueOf(48));
        assertThat(AlgorithmIdentifier.getInstance(params.getMaskGenAlgorithm().getParameters()).getAlgorithm())
                .isEqualTo(params.getHashAlgorithm().getAlgorithm());
        for (SignatureAlgorithm a : SignatureAlgorithm.values()) {
            assertThat(SignatureAlgorithms.of(SignatureAlgorithms.forAlgorithm(a))).contains(a);
        }
    }

    @Test
    void fitsTheKeyFamily() {
        var ec = TestPki.spki(TestKeys.ec("secp256r1"));
        var rsa = TestPki.spki(TestKeys.rsa(2048));
        assertThat(SignatureAlgorithms.fits(SignatureAlgorithms.forAlgorithm(SignatureAlgorithm.ECDSA_SHA384), ec)).isTrue();
        assertThat(SignatureAlgorithms.fits(SignatureAlgorithms.forAlgorithm(SignatureAlgorithm.RSA_PSS_SHA256), ec)).isFalse();
        assertThat(SignatureAlgorithms.fits(SignatureAlgorithms.forAlgorithm(SignatureAlgorithm.RSA_PSS_SHA256), rsa)).isTrue();
        assertThat(SignatureAlgorithms.fits(SignatureAlgorithms.forAlgorithm(SignatureAlgorithm.ED25519), rsa)).isFalse();
    }

    @Test
    void serialsArePositiveLongAndDistinct() {
        SerialNumbers serials = new SerialNumbers();
        Set<BigInteger> seen = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            BigInteger s = serials.next();
            assertThat(s.signum()).isPositive();
            assertThat(s.bitLength()).isBetween(65, 159);
            assertThat(s.toByteArray().length).isBetween(9, 20);
            seen.add(s);
        }
        assertThat(seen).hasSize(2000);
    }
}
