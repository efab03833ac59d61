package org.medpki.hsm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.*;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.medpki.core.keys.KeyAlgorithm;
import org.medpki.core.keys.SignatureAlgorithm;
import org.medpki.hsm.SignMechanism.Input;

/** The mechanism choice as data, and the software halves of the fallbacks, against JDK keys. */
class MechanismTableTest {
    private static final Set<Long> SOFTHSM_261 = Set.of(CKM_EC_KEY_PAIR_GEN, CKM_ECDSA, CKM_RSA_PKCS_KEY_PAIR_GEN,
            CKM_RSA_PKCS, CKM_SHA256_RSA_PKCS, CKM_SHA384_RSA_PKCS, CKM_SHA512_RSA_PKCS, CKM_RSA_PKCS_PSS,
            CKM_SHA256_RSA_PKCS_PSS, CKM_SHA384_RSA_PKCS_PSS, CKM_SHA512_RSA_PKCS_PSS,
            CKM_EC_EDWARDS_KEY_PAIR_GEN, CKM_EDDSA);

    @Test
    void softHsmHashesEcdsaInJavaAndUsesCombinedRsa() {
        MechanismTable table = MechanismTable.forToken(SOFTHSM_261, "SoftHSM project");

        assertThat(table.signing(SignatureAlgorithm.ECDSA_SHA256)).get()
                .returns(CKM_ECDSA, SignMechanism::code).returns(Input.DIGEST, SignMechanism::input);
        assertThat(table.signing(SignatureAlgorithm.RSA_PKCS1_SHA256)).get()
                .returns(CKM_SHA256_RSA_PKCS, SignMechanism::code).returns(Input.MESSAGE, SignMechanism::input);
        assertThat(table.signing(SignatureAlgorithm.RSA_PSS_SHA384)).get()
                .returns(CKM_SHA384_RSA_PKCS_PSS, SignMechanism::code);
        assertThat(table.canGenerate(KeyAlgorithm.ED25519)).isTrue();
    }

    @Test
    void quirkKeepsSoftHsmOffCombinedEcdsaButOthersGetIt() {
        Set<Long> withCombined = new java.util.HashSet<>(SOFTHSM_261);
        withCombined.add(CKM_ECDSA_SHA256);

        assertThat(MechanismTable.forToken(withCombined, "SoftHSM project").signing(SignatureAlgorithm.ECDSA_SHA256))
                .get().returns(CKM_ECDSA, SignMechanism::code);
        assertThat(MechanismTable.forToken(withCombined, "Other Vendor").signing(SignatureAlgorithm.ECDSA_SHA256))
                .get().returns(CKM_ECDSA_SHA256, SignMechanism::code);
    }

    @Test
    void rawRsaOnlyFallsBackToDigestInfoAndMissingEdDsaIsUnsupported() {
        MechanismTable table = MechanismTable.forToken(Set.of(CKM_RSA_PKCS, CKM_RSA_PKCS_KEY_PAIR_GEN), "Acme");

        assertThat(table.signing(SignatureAlgorithm.RSA_PKCS1_SHA384)).get()
                .returns(CKM_RSA_PKCS, SignMechanism::code).returns(Input.DIGEST_INFO, SignMechanism::input);
        assertThat(table.signing(SignatureAlgorithm.ED25519)).isEmpty();
        assertThat(table.signing(SignatureAlgorithm.RSA_PSS_SHA256)).isEmpty();
        assertThat(table.canGenerate(KeyAlgorithm.ED25519)).isFalse();
        assertThat(table.canGenerate(KeyAlgorithm.RSA_4096)).isTrue();
    }

    @Test
    void digestInfoFallbackMakesAStandardPkcs1Signature() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        byte[] data = TestToken.randomData(1000);
        for (SignatureAlgorithm algorithm : new SignatureAlgorithm[] {SignatureAlgorithm.RSA_PKCS1_SHA256,
                SignatureAlgorithm.RSA_PKCS1_SHA384, SignatureAlgorithm.RSA_PKCS1_SHA512}) {
            SignMechanism raw = MechanismTable.SIGN_CANDIDATES.get(algorithm).getLast();
            // NONEwithRSA does what CKM_RSA_PKCS does: PKCS#1 v1.5 padding around the given bytes.
            Signature rawRsa = Signature.getInstance("NONEwithRSA");
            rawRsa.initSign(pair.getPrivate());
            rawRsa.update(raw.prepare(algorithm, data));
            byte[] signature = raw.finish(rawRsa.sign());

            assertThat(TestToken.verifies(pair.getPublic(), algorithm, data, signature)).as(algorithm.name()).isTrue();
        }
    }

    @Test
    void plainEcdsaBecomesDerThatVerifies() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new java.security.spec.ECGenParameterSpec("secp384r1"));
        KeyPair pair = generator.generateKeyPair();
        byte[] data = TestToken.randomData(100);
        Signature p1363 = Signature.getInstance("SHA384withECDSAinP1363Format");
        p1363.initSign(pair.getPrivate());
        p1363.update(data);

        byte[] der = SignMechanism.ecdsaPlainToDer(p1363.sign());

        assertThat(der[0]).isEqualTo((byte) 0x30);
        assertThat(TestToken.verifies(pair.getPublic(), SignatureAlgorithm.ECDSA_SHA384, data, der)).isTrue();
    }

    @Test
    void identifiesExistingKeysByTypeAndCurveOrSize() {
        assertThat(MechanismTable.identify(CKK_EC, MechanismTable.OID_P384, 0)).contains(KeyAlgorithm.EC_P384);
        assertThat(MechanismTable.identify(CKK_RSA, null, 3072)).contains(KeyAlgorithm.RSA_3072);
        assertThat(MechanismTable.identify(CKK_EC_EDWARDS, MechanismTable.OID_ED25519, 0)).contains(KeyAlgorithm.ED25519);
        assertThat(MechanismTable.identify(CKK_RSA, null, 1024)).isEmpty();
        assertThat(MechanismTable.identify(CKK_EC, "1.3.132.0.35", 0)).isEmpty();
    }
}
