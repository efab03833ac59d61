package org.medpki.core.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.api.Test;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.keys.KeyAlgorithm;
import org.medpki.core.keys.KeyPairInfo;
import org.medpki.core.keys.KeyProtection;
import org.medpki.core.keys.SignatureAlgorithm;
import org.medpki.core.keys.SigningKeys;
import org.medpki.core.keys.TokenDescription;
import org.medpki.core.testpki.SoftwareSigner;
import org.medpki.core.template.SignatureAlgorithms;
import org.medpki.core.testpki.TbsEditor;
import org.medpki.core.testpki.TestKeys;
import org.medpki.core.testpki.TestPki;

/** The signature check after the token signs: good signatures pass, every faulty one is caught. */
class CertificateSignerTest {
    private static final TestPki PKI = TestPki.create("Server CA", TestKeys.ec("secp256r1"),
            SignatureAlgorithm.ECDSA_SHA256);
    private static final TBSCertificate TBS = PKI.issuingCert().toASN1Structure().getTBSCertificate();

    @Test
    void goodEcdsaSignaturesOfBothCurvesPassAndVerifyWithTheJdk() throws Exception {
        for (var c : List.of(new Object[] {"secp256r1", SignatureAlgorithm.ECDSA_SHA256},
                new Object[] {"secp384r1", SignatureAlgorithm.ECDSA_SHA384})) {
            KeyPair key = TestKeys.freshEc((String) c[0]);
            SignatureAlgorithm alg = (SignatureAlgorithm) c[1];
            CertificateSigner signer = new CertificateSigner(new SoftwareKeys(key.getPrivate(), UnaryOperator.identity()));
            TBSCertificate tbs = TbsEditor.edit(TBS, e -> e.signature(SignatureAlgorithms.forAlgorithm(alg)));
            for (int i = 0; i < 3; i++) {
                X509CertificateHolder cert = signer.sign(tbs, "ca", alg, key.getPublic());
                SoftwareSigner.jdk(cert).verify(key.getPublic());
            }
        }
    }

    @Test
    void aSignatureByAnotherKeyIsRefused() {
        KeyPair caKey = TestKeys.freshEc("secp256r1");
        KeyPair other = TestKeys.freshEc("secp256r1");
        CertificateSigner signer = new CertificateSigner(new SoftwareKeys(other.getPrivate(), UnaryOperator.identity()));
        assertThatThrownBy(() -> signer.sign(TBS, "server-ca", SignatureAlgorithm.ECDSA_SHA256, caKey.getPublic()))
                .isInstanceOf(PkiException.class)
                .satisfies(e -> assertThat(((PkiException) e).kind()).isEqualTo(ErrorKind.INTERNAL))
                .hasMessageContaining("does not verify under key 'server-ca'");
    }

    @Test
    void aCorruptedOrWronglyEncodedSignatureIsRefused() {
        KeyPair caKey = TestKeys.ec("secp256r1");
        UnaryOperator<byte[]> flipLastByte = sig -> {
            byte[] s = sig.clone();
            s[s.length - 1] ^= 0x01;
            return s;
        };
        UnaryOperator<byte[]> rawRs = sig -> {
            ASN1Sequence seq = ASN1Sequence.getInstance(sig);
            byte[] out = new byte[64];
            copyRight(ASN1Integer.getInstance(seq.getObjectAt(0)).getPositiveValue().toByteArray(), out, 0);
            copyRight(ASN1Integer.getInstance(seq.getObjectAt(1)).getPositiveValue().toByteArray(), out, 32);
            return out;
        };
        UnaryOperator<byte[]> trailingByte = sig -> Arrays.copyOf(sig, sig.length + 1);
        for (UnaryOperator<byte[]> fault : List.of(flipLastByte, rawRs, trailingByte)) {
            CertificateSigner signer = new CertificateSigner(new SoftwareKeys(caKey.getPrivate(), fault));
            assertThatThrownBy(() -> signer.sign(TBS, "ca", SignatureAlgorithm.ECDSA_SHA256, caKey.getPublic()))
                    .isInstanceOf(PkiException.class);
        }
    }

    @Test
    void theKeyCacheKeepsTwoCaKeysApart() {
        KeyPair a = TestKeys.freshEc("secp256r1");
        KeyPair b = TestKeys.freshEc("secp256r1");
        SoftwareKeys keys = new SoftwareKeys(a.getPrivate(), UnaryOperator.identity());
        CertificateSigner signer = new CertificateSigner(keys);
        signer.sign(TBS, "a", SignatureAlgorithm.ECDSA_SHA256, a.getPublic());
        assertThatThrownBy(() -> signer.sign(TBS, "a", SignatureAlgorithm.ECDSA_SHA256, b.getPublic()))
                .isInstanceOf(PkiException.class);
        keys.key = b.getPrivate();
        signer.sign(TBS, "b", SignatureAlgorithm.ECDSA_SHA256, b.getPublic());
        assertThatThrownBy(() -> signer.sign(TBS, "b", SignatureAlgorithm.ECDSA_SHA256, a.getPublic()))
                .isInstanceOf(PkiException.class);
    }

    @Test
    void rsaPssStillGoesThroughTheCertificatesOwnAlgorithm() throws Exception {
        KeyPair rsa = TestKeys.rsa(2048);
        TestPki pss = TestPki.create("PSS CA", rsa, SignatureAlgorithm.RSA_PSS_SHA256);
        CertificateSigner signer = new CertificateSigner(new SoftwareKeys(rsa.getPrivate(), UnaryOperator.identity()));
        TBSCertificate tbs = pss.issuingCert().toASN1Structure().getTBSCertificate();
        X509CertificateHolder leafLike = signer.sign(
                TbsEditor.edit(tbs, e -> e.signature(pss.issuing().signatureAlgorithm())),
                "pss", SignatureAlgorithm.RSA_PSS_SHA256, rsa.getPublic());
        assertThat(leafLike.getSignature()).hasSize(256);
    }

    private static void copyRight(byte[] value, byte[] out, int offset) {
        int n = Math.min(value.length, 32);
        System.arraycopy(value, value.length - n, out, offset + 32 - n, n);
    }

    /** A token stand-in: signs with one software key, then applies a fault (or none). */
    private static final class SoftwareKeys implements SigningKeys {
        PrivateKey key;
        private final UnaryOperator<byte[]> fault;

        SoftwareKeys(PrivateKey key, UnaryOperator<byte[]> fault) {
            this.key = key;
            this.fault = fault;
        }

        @Override
        public byte[] sign(String label, SignatureAlgorithm algorithm, byte[] data) {
            try {
                Signature s = Signature.getInstance(algorithm.jcaName(), TestKeys.BC);
                s.initSign(key);
                s.update(data);
                return fault.apply(s.sign());
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public boolean supports(SignatureAlgorithm algorithm) {
            return true;
        }

        @Override
        public TokenDescription token() {
            throw new UnsupportedOperationException();
        }

        @Override
        public KeyPairInfo generate(KeyAlgorithm algorithm, String label) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<KeyPairInfo> find(String label) {
            return Optional.empty();
        }

        @Override
        public List<String> labels() {
            return List.of();
        }

        @Override
        public KeyProtection protection(String label) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }
    }
}
