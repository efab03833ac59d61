package org.medpki.ocsp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.ocsp.CertID;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.operator.DigestCalculator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.inventory.CaRecord;
import org.medpki.core.inventory.CaRole;

/** CertID matching and request rules, with software-made CA certificates (pure logic, no token). */
class RequestParserTest {
    private static X509CertificateHolder served;
    private static X509CertificateHolder other;
    private static Issuers issuers;
    private final RequestParser parser = new RequestParser(10, true);

    @BeforeAll
    static void certificates() throws Exception {
        served = selfSigned("CN=Served CA");
        other = selfSigned("CN=Other CA");
        CaCertificate ca = CaCertificate.of(new CaRecord(7, "served-ca", CaRole.ISSUING, 1L, "k", served.getEncoded(),
                null, null, Instant.now()));
        CaCertificate signer = CaCertificate.of(new CaRecord(8, "served-ca-ocsp", CaRole.OCSP_SIGNER, 7L, "s",
                served.getEncoded(), null, null, Instant.now()));
        issuers = Issuers.of(List.of(Issuer.of(ca, signer)));
    }

    @Test
    void matchesSha1AndSha256CertIdsOfTheServedIssuer() throws Exception {
        for (AlgorithmIdentifier hash : List.of(new AlgorithmIdentifier(OIWObjectIdentifiers.idSHA1, DERNull.INSTANCE),
                new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256, DERNull.INSTANCE))) {
            byte[] der = new OCSPReqBuilder().addRequest(new CertificateID(digest(hash), served, BigInteger.TEN))
                    .build().getEncoded();
            ParsedRequest p = parser.parse(der, issuers);
            assertThat(p.issuer().caId()).isEqualTo(7);
            assertThat(p.keys()).containsExactly(new ResponseKey(7, BigInteger.TEN,
                    hash.getAlgorithm().equals(OIWObjectIdentifiers.idSHA1) ? CertIdHash.SHA1 : CertIdHash.SHA256));
            assertThat(p.cacheable()).isTrue();
        }
    }

    @Test
    void otherIssuersAndUnsupportedHashesAreUnauthorized() throws Exception {
        byte[] otherIssuer = new OCSPReqBuilder().addRequest(new CertificateID(sha1(), other, BigInteger.TEN)).build()
                .getEncoded();
        assertThat(status(otherIssuer)).isEqualTo(OcspStatus.UNAUTHORIZED);
        CertificateID real = new CertificateID(sha1(), served, BigInteger.TEN);
        CertID md5 = new CertID(new AlgorithmIdentifier(PKCSObjectIdentifiers.md5, DERNull.INSTANCE),
                new DEROctetString(real.getIssuerNameHash()), new DEROctetString(real.getIssuerKeyHash()),
                new ASN1Integer(10));
        assertThat(status(new OCSPReqBuilder().addRequest(new CertificateID(md5)).build().getEncoded()))
                .isEqualTo(OcspStatus.UNAUTHORIZED);
        // The right key hash with the wrong name hash is not our issuer either.
        CertID wrongName = new CertID(real.toASN1Primitive().getHashAlgorithm(), new DEROctetString(new byte[20]),
                new DEROctetString(real.getIssuerKeyHash()), new ASN1Integer(10));
        assertThat(status(new OCSPReqBuilder().addRequest(new CertificateID(wrongName)).build().getEncoded()))
                .isEqualTo(OcspStatus.UNAUTHORIZED);
    }

    @Test
    void badSyntaxTooManyCertIdsAndOversizedNoncesAreMalformed() throws Exception {
        byte[] good = new OCSPReqBuilder().addRequest(new CertificateID(sha1(), served, BigInteger.TEN)).build()
                .getEncoded();
        assertThat(status(new byte[0])).isEqualTo(OcspStatus.MALFORMED_REQUEST);
        assertThat(status(Arrays.copyOf(good, good.length - 3))).isEqualTo(OcspStatus.MALFORMED_REQUEST);
        assertThat(status(Arrays.copyOf(good, good.length + 2))).isEqualTo(OcspStatus.MALFORMED_REQUEST);
        assertThat(status(new byte[] {0x30, 0x00})).isEqualTo(OcspStatus.MALFORMED_REQUEST);
        OCSPReqBuilder many = new OCSPReqBuilder();
        for (int i = 1; i <= 11; i++) {
            many.addRequest(new CertificateID(sha1(), served, BigInteger.valueOf(i)));
        }
        assertThat(status(many.build().getEncoded())).isEqualTo(OcspStatus.MALFORMED_REQUEST);
        assertThat(status(withNonce(33))).isEqualTo(OcspStatus.MALFORMED_REQUEST);
        assertThat(parser.parse(withNonce(32), issuers).nonce()).isNotNull();
        assertThat(new RequestParser(10, false).parse(withNonce(16), issuers).nonce())
                .as("nonces ignored when not honoured").isNull();
    }

    @Test
    void getPathsArePercentDecodedThenBase64() {
        byte[] bytes = {0x30, 0x03, (byte) 0xfb, (byte) 0xff, 0x3e};
        String b64 = Base64.getEncoder().encodeToString(bytes);
        assertThat(OcspHttpHandler.decodeGetPath(b64)).isEqualTo(bytes);
        assertThat(OcspHttpHandler.decodeGetPath(b64.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")))
                .isEqualTo(bytes);
        assertThat(OcspHttpHandler.decodeGetPath(Base64.getUrlEncoder().encodeToString(bytes))).isEqualTo(bytes);
        assertThat(OcspHttpHandler.decodeGetPath("%zz")).isNull();
        assertThat(OcspHttpHandler.decodeGetPath("ab%")).isNull();
        assertThat(OcspHttpHandler.decodeGetPath("!!!")).isNull();
        assertThat(OcspHttpHandler.decodeGetPath("")).isNull();
    }

    private OcspStatus status(byte[] der) {
        try {
            parser.parse(der, issuers);
        } catch (OcspRejection e) {
            return e.status();
        }
        throw new AssertionError("accepted");
    }

    private static byte[] withNonce(int length) throws Exception {
        return new OCSPReqBuilder().addRequest(new CertificateID(sha1(), served, BigInteger.TEN))
                .setRequestExtensions(new Extensions(new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false,
                        new DEROctetString(new DEROctetString(new byte[length]).getEncoded()))))
                .build().getEncoded();
    }

    private static DigestCalculator sha1() throws Exception {
        return digest(new AlgorithmIdentifier(OIWObjectIdentifiers.idSHA1, DERNull.INSTANCE));
    }

    private static DigestCalculator digest(AlgorithmIdentifier alg) throws Exception {
        return new JcaDigestCalculatorProviderBuilder().build().get(alg);
    }

    private static X509CertificateHolder selfSigned(String name) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair k = g.generateKeyPair();
        return new JcaX509v3CertificateBuilder(new X500Name(name), BigInteger.ONE, new Date(),
                new Date(System.currentTimeMillis() + 86_400_000L), new X500Name(name), k.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(k.getPrivate()));
    }
}
