package org.medpki.ocsp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.ocsp.ResponderID;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.inventory.CaRecord;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.revocation.RevocationReason;
import org.medpki.core.template.SignatureAlgorithms;

/**
 * The hand-assembled response DER against BouncyCastle's generic builder for the same values
 * (byte for byte), and a signature over it that BouncyCastle's parser verifies. Software keys:
 * this is about the encoding; the token's signatures are checked end to end with openssl in the
 * responder's integration tests.
 */
class ResponseEncoderTest {
    private static final Instant THIS_UPDATE = Instant.parse("2026-11-26T10:15:30Z");
    private static final Instant NEXT_UPDATE = THIS_UPDATE.plus(Duration.ofHours(24));
    private static KeyPair signerKey;
    private static Issuer issuer;

    @BeforeAll
    static void issuer() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair caKey = g.generateKeyPair();
        signerKey = g.generateKeyPair();
        X509CertificateHolder caCert = certificate("CN=Encoder CA", caKey, caKey);
        X509CertificateHolder signerCert = certificate("CN=Encoder CA OCSP", signerKey, caKey);
        issuer = Issuer.of(
                CaCertificate.of(new CaRecord(3, "encoder-ca", CaRole.ISSUING, 1L, "ca", caCert.getEncoded(), null,
                        null, Instant.now())),
                CaCertificate.of(new CaRecord(4, "encoder-ca-ocsp", CaRole.OCSP_SIGNER, 3L, "signer",
                        signerCert.getEncoded(), null, null, Instant.now())));
    }

    @Test
    void goodRevokedAndUnknownMatchTheGenericEncoderByteForByte() throws Exception {
        List<ResponseSigner.Single> singles = List.of(
                single(CertIdHash.SHA1, BigInteger.valueOf(0x1234), CertState.GOOD),
                single(CertIdHash.SHA256, new BigInteger("7f00ff00ff00ff00ff", 16),
                        new CertState.Revoked(Instant.parse("2026-11-20T08:00:00.750Z"), RevocationReason.KEY_COMPROMISE)),
                single(CertIdHash.SHA1, BigInteger.ONE, new CertState.Revoked(Instant.parse("2026-01-02T03:04:05Z"),
                        RevocationReason.UNSPECIFIED)),
                single(CertIdHash.SHA1, new BigInteger("80", 16), CertState.UNKNOWN));
        assertSameAsGeneric(singles, null);
    }

    @Test
    void aNonceGoesIntoTheResponseExtensions() throws Exception {
        Extension nonce = new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false,
                new DEROctetString(new DEROctetString(new byte[32])));
        assertSameAsGeneric(List.of(single(CertIdHash.SHA1, BigInteger.TEN, CertState.GOOD)), nonce);
    }

    @Test
    void aLargeResponseUsesLongLengthForms() throws Exception {
        // 100 CertIDs with long serials: lengths of one, two and three octets all occur.
        List<ResponseSigner.Single> many = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) {
            many.add(single(CertIdHash.SHA256, BigInteger.valueOf(i + 1).shiftLeft(i * 8), CertState.GOOD));
        }
        assertSameAsGeneric(many, null);
    }

    @Test
    void theSignatureOverTheResponseDataVerifies() throws Exception {
        ResponseEncoder encoder = new ResponseEncoder(issuer);
        byte[] data = encoder.responseData(List.of(single(CertIdHash.SHA1, BigInteger.TWO, CertState.GOOD)), null,
                THIS_UPDATE, NEXT_UPDATE);
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(signerKey.getPrivate());
        s.update(data);
        BasicOCSPResp basic = (BasicOCSPResp) new OCSPResp(encoder.response(data, s.sign())).getResponseObject();
        assertThat(basic.isSignatureValid(new JcaContentVerifierProviderBuilder().build(signerKey.getPublic()))).isTrue();
        assertThat(basic.getProducedAt().toInstant()).isEqualTo(THIS_UPDATE);
        assertThat(basic.getResponses()[0].getNextUpdate().toInstant()).isEqualTo(NEXT_UPDATE);
        assertThat(basic.getCerts()).hasSize(1);
    }

    @Test
    void generalizedTimeIsWholeSecondsInUtc() {
        assertThat(new String(ResponseEncoder.generalizedTime(Instant.parse("2031-02-03T04:05:06.999Z")), 2, 15,
                java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("20310203040506Z");
    }

    private static void assertSameAsGeneric(List<ResponseSigner.Single> singles, Extension nonce) throws Exception {
        byte[] signature = new byte[71];
        for (int i = 0; i < signature.length; i++) {
            signature[i] = (byte) (i * 7 + 1);
        }
        Recording signer = new Recording(signature);
        byte[] signerKeyHash = CertIdHash.SHA1.digest(issuer.signer().certificate().getSubjectPublicKeyInfo()
                .getPublicKeyData().getBytes());
        BasicOCSPRespBuilder builder = new BasicOCSPRespBuilder(new RespID(new ResponderID(
                new DEROctetString(signerKeyHash))));
        for (ResponseSigner.Single s : singles) {
            builder.addResponse(new CertificateID(s.certId()), status(s.state()), Date.from(THIS_UPDATE),
                    Date.from(NEXT_UPDATE), null);
        }
        if (nonce != null) {
            builder.setResponseExtensions(new Extensions(nonce));
        }
        byte[] generic = new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL,
                builder.build(signer, issuer.signerChain(), Date.from(THIS_UPDATE))).getEncoded();

        ResponseEncoder encoder = new ResponseEncoder(issuer);
        byte[] data = encoder.responseData(singles, nonce == null ? null : new Extensions(nonce), THIS_UPDATE,
                NEXT_UPDATE);
        assertThat(data).isEqualTo(signer.signed.toByteArray());
        assertThat(encoder.response(data, signature)).isEqualTo(generic);
    }

    private static ResponseSigner.Single single(CertIdHash hash, BigInteger serial, CertState state) {
        return new ResponseSigner.Single(issuer.certId(hash, serial), state);
    }

    private static CertificateStatus status(CertState state) {
        return switch (state) {
            case CertState.Good g -> CertificateStatus.GOOD;
            case CertState.Revoked r -> new RevokedStatus(Date.from(r.at().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)),
                    r.reason().code());
            case CertState.Unknown u -> new UnknownStatus();
        };
    }

    private static X509CertificateHolder certificate(String name, KeyPair subject, KeyPair issuerKey) throws Exception {
        return new JcaX509v3CertificateBuilder(new X500Name("CN=Encoder CA"), BigInteger.valueOf(name.length()),
                new Date(), new Date(System.currentTimeMillis() + 86_400_000L), new X500Name(name), subject.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey.getPrivate()));
    }

    /** Records what the generic builder signs and returns fixed signature octets. */
    private static final class Recording implements ContentSigner {
        private final ByteArrayOutputStream signed = new ByteArrayOutputStream();
        private final byte[] signature;

        Recording(byte[] signature) {
            this.signature = signature;
        }

        @Override
        public AlgorithmIdentifier getAlgorithmIdentifier() {
            return SignatureAlgorithms.forAlgorithm(issuer.signer().signatureAlgorithm());
        }

        @Override
        public OutputStream getOutputStream() {
            return signed;
        }

        @Override
        public byte[] getSignature() {
            return signature;
        }
    }
}
