package org.medpki.ops.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The seed's certificates decode with the JDK as the row describes them: serial, names, dates, key. */
class SeedCertificatesTest {
    static X509CertificateHolder issuer;

    @BeforeAll
    static void issuer() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        var key = g.generateKeyPair();
        X500Name name = new X500Name("O=hospital.test PKI,CN=hospital.test PKI server-ca");
        issuer = new JcaX509v3CertificateBuilder(name, BigInteger.TEN, new Date(), new Date(System.currentTimeMillis()
                + 86_400_000L), name, key.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                .addExtension(Extension.subjectKeyIdentifier, false,
                        new JcaX509ExtensionUtils().createSubjectKeyIdentifier(key.getPublic()))
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()));
    }

    @Test
    void eachRowDecodesWithItsOwnSerialNamesDatesAndKey() throws Exception {
        SeedCertificates template = SeedCertificates.template(issuer, "bench.hospital.test", KeyPurposeId.id_kp_serverAuth);
        byte[] points = SeedCertificates.points(3, new SplittableRandom(1));
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        MessageDigest sha256 = SeedCertificates.sha256();
        byte[] previous = null;
        for (int i = 0; i < 3; i++) {
            byte[] serial = new byte[16];
            new SplittableRandom(i).nextBytes(serial);
            serial[0] = (byte) (1 + i);
            Instant notBefore = Instant.parse("2026-0" + (i + 1) + "-15T08:30:0" + i + "Z");
            Instant notAfter = notBefore.plusSeconds(90L * 86_400);
            byte[] der = template.make(serial, 41 + i, notBefore, notAfter, points, i * 64);

            X509Certificate c = (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der));
            assertThat(c.getSerialNumber()).isEqualTo(new BigInteger(1, serial));
            assertThat(c.getSubjectX500Principal().getName()).isEqualTo("CN=h0000000" + (41 + i) + ".bench.hospital.test");
            assertThat(c.getSubjectAlternativeNames()).containsExactly(List.of(2, template.host(41 + i)));
            assertThat(c.getNotBefore().toInstant()).isEqualTo(notBefore);
            assertThat(c.getNotAfter().toInstant()).isEqualTo(notAfter);
            assertThat(c.getIssuerX500Principal().getName()).contains("server-ca");
            assertThat(c.getExtendedKeyUsage()).containsExactly(KeyPurposeId.id_kp_serverAuth.getId());
            assertThat(c.getExtensionValue(Extension.authorityKeyIdentifier.getId())).isNotNull();
            // A real P-256 point, the one the row was given; the row's key hash is that key's.
            ECPublicKey key = (ECPublicKey) c.getPublicKey();
            assertThat(key.getW().getAffineX()).isEqualTo(new BigInteger(1, Arrays.copyOfRange(points, i * 64, i * 64 + 32)));
            assertThat(template.spkiSha256(der, sha256)).isEqualTo(MessageDigest.getInstance("SHA-256")
                    .digest(key.getEncoded()));
            assertThat(c.getTBSCertificate()).isEqualTo(template.tbs(der));
            if (previous != null) {
                assertThat(der).hasSameSizeAs(previous).isNotEqualTo(previous);
            }
            previous = der;
        }
    }

    @Test
    void pointsAreDistinctCurvePoints() throws Exception {
        byte[] points = SeedCertificates.points(50, new SplittableRandom(9));
        assertThat(HexFormat.of().formatHex(points, 0, 64)).isNotEqualTo(HexFormat.of().formatHex(points, 64, 128));
        SeedCertificates template = SeedCertificates.template(issuer, "d.test", KeyPurposeId.id_kp_clientAuth);
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        byte[] serial = HexFormat.of().parseHex("7f0102030405060708090a0b0c0d0e0f");
        for (int i = 0; i < 50; i++) {
            byte[] der = template.make(serial, i, Instant.parse("2026-01-01T00:00:00Z"),
                    Instant.parse("2027-01-01T00:00:00Z"), points, i * 64);
            ECPublicKey key = (ECPublicKey) cf.generateCertificate(new ByteArrayInputStream(der)).getPublicKey();
            // On the curve: y^2 = x^3 - 3x + b (mod p).
            var spec = key.getParams().getCurve();
            BigInteger p = ((java.security.spec.ECFieldFp) spec.getField()).getP();
            BigInteger x = key.getW().getAffineX();
            BigInteger y = key.getW().getAffineY();
            assertThat(y.pow(2).mod(p)).isEqualTo(x.pow(3).add(spec.getA().multiply(x)).add(spec.getB()).mod(p));
        }
    }

    @Test
    void serialsThatDoNotFitTheTemplateAndTimesOutsideUtcTimeAreRefused() {
        SeedCertificates template = SeedCertificates.template(issuer, "d.test", KeyPurposeId.id_kp_clientAuth);
        byte[] points = SeedCertificates.points(1, new SplittableRandom(3));
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        assertThatThrownBy(() -> template.make(new byte[15], 1, t, t, points, 0))
                .isInstanceOf(IllegalArgumentException.class);
        byte[] negative = new byte[16];
        negative[0] = (byte) 0x80;
        assertThatThrownBy(() -> template.make(negative, 1, t, t, points, 0)).isInstanceOf(IllegalArgumentException.class);
        byte[] serial = new byte[16];
        serial[0] = 1;
        assertThatThrownBy(() -> template.make(serial, 1, t, Instant.parse("2051-01-01T00:00:00Z"), points, 0))
                .hasMessageContaining("UTCTime");
        assertThatThrownBy(() -> template.host(10_000_000_000L)).hasMessageContaining("wider");
    }
}
