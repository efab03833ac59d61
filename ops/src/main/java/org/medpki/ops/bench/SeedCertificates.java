package org.medpki.ops.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.operator.ContentSigner;

/**
 * Certificate-shaped DER for seeding a benchmark inventory: one template per profile, encoded
 * once with BouncyCastle, then copied and patched in place for each row (serial, host label,
 * validity, public key point), so that a million rows cost a copy each, not an encoding. The
 * patched fields keep their lengths, so the DER stays well formed and decodes with the row's
 * serial, names, dates and key (a P-256 point from {@link #points}); the signature is a fixed
 * value that verifies under no key: these certificates exist only in a scratch inventory, to give
 * its tables and indexes a real size.
 */
public final class SeedCertificates {
    /** Host labels are this wide ("h" and nine digits), so that every row's DER has the same length. */
    public static final int LABEL_DIGITS = 9;
    private static final byte[] SERIAL_MARK = hex("5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a");
    private static final String LABEL_MARK = "hzzzzzzzzz";
    private static final Instant NOT_BEFORE_MARK = Instant.parse("2001-01-01T01:01:01Z");
    private static final Instant NOT_AFTER_MARK = Instant.parse("2002-02-02T02:02:02Z");
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private final byte[] der;
    private final int serialAt;
    private final int[] labelAt;
    private final int notBeforeAt;
    private final int notAfterAt;
    private final int pointAt;
    private final int spkiAt;
    private final int spkiLength;
    private final int tbsAt;
    private final int tbsLength;
    private final String domainSuffix;

    private SeedCertificates(byte[] der, String domainSuffix, byte[] spki, byte[] point, byte[] tbs) {
        this.der = der;
        this.domainSuffix = domainSuffix;
        serialAt = only(der, SERIAL_MARK);
        labelAt = all(der, LABEL_MARK.getBytes(StandardCharsets.US_ASCII));
        notBeforeAt = only(der, UTC_TIME.format(NOT_BEFORE_MARK).getBytes(StandardCharsets.US_ASCII));
        notAfterAt = only(der, UTC_TIME.format(NOT_AFTER_MARK).getBytes(StandardCharsets.US_ASCII));
        spkiAt = only(der, spki);
        spkiLength = spki.length;
        pointAt = only(der, point) + 1; // after the uncompressed-point prefix 04
        tbsAt = only(der, tbs);
        tbsLength = tbs.length;
        if (labelAt.length != 2) {
            throw new IllegalStateException("the template names its host in the CN and the SAN, found "
                    + labelAt.length);
        }
    }

    /**
     * A template for certificates under {@code issuer} (its certificate) naming hosts
     * {@code h<digits>.<domainSuffix>}, with the given extended key usage.
     */
    public static SeedCertificates template(X509CertificateHolder issuer, String domainSuffix, KeyPurposeId usage) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(g.generateKeyPair().getPublic().getEncoded());
            String host = LABEL_MARK + "." + domainSuffix;
            X509v3CertificateBuilder b = new X509v3CertificateBuilder(issuer.getSubject(),
                    new BigInteger(1, SERIAL_MARK), Date.from(NOT_BEFORE_MARK), Date.from(NOT_AFTER_MARK),
                    new X500Name("CN=" + host), spki);
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(usage));
            b.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.dNSName, host)));
            Extension issuerKeyId = issuer.getExtension(Extension.subjectKeyIdentifier);
            b.addExtension(Extension.authorityKeyIdentifier, false, issuerKeyId != null
                    ? new AuthorityKeyIdentifier(ASN1OctetString.getInstance(issuerKeyId.getParsedValue()).getOctets())
                    : utils.createAuthorityKeyIdentifier(issuer.getSubjectPublicKeyInfo()));
            X509CertificateHolder holder = b.build(new FixedSignature());
            Certificate c = holder.toASN1Structure();
            return new SeedCertificates(c.getEncoded(ASN1Encoding.DER), domainSuffix,
                    spki.getEncoded(ASN1Encoding.DER), spki.getPublicKeyData().getBytes(),
                    c.getTBSCertificate().getEncoded(ASN1Encoding.DER));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code count} distinct P-256 public points (X and Y, 64 octets each): k*G, (k+1)*G, ... from
     * a random k, one point addition each (a key generation per row would cost a hundred times more).
     */
    public static byte[] points(int count, java.util.SplittableRandom random) {
        org.bouncycastle.asn1.x9.X9ECParameters curve = org.bouncycastle.asn1.sec.SECNamedCurves.getByName("secp256r1");
        org.bouncycastle.math.ec.ECPoint g = curve.getG();
        org.bouncycastle.math.ec.ECPoint p = g.multiply(new BigInteger(200, new java.util.Random(random.nextLong())))
                .normalize();
        byte[] out = new byte[count * 64];
        for (int i = 0; i < count; i++) {
            byte[] encoded = p.getEncoded(false); // 04 || X || Y
            System.arraycopy(encoded, 1, out, i * 64, 64);
            p = p.add(g).normalize();
        }
        return out;
    }

    /** The host name of label number {@code n}. */
    public String host(long n) {
        return label(n) + "." + domainSuffix;
    }

    /**
     * One certificate: {@code serial} must encode in 16 octets (first octet 0x01-0x7f), the key is
     * the 64 octets (X and Y) at {@code pointAt} in {@code points}. Returns the DER; {@link #tbs}
     * and {@link #spkiSha256} read from it.
     */
    public byte[] make(byte[] serial, long host, Instant notBefore, Instant notAfter, byte[] points, int pointAt) {
        if (serial.length != 16 || serial[0] <= 0) {
            throw new IllegalArgumentException("a 16-octet positive serial");
        }
        byte[] out = der.clone();
        System.arraycopy(serial, 0, out, serialAt, 16);
        byte[] label = label(host).getBytes(StandardCharsets.US_ASCII);
        for (int at : labelAt) {
            System.arraycopy(label, 0, out, at, label.length);
        }
        put(out, notBeforeAt, notBefore);
        put(out, notAfterAt, notAfter);
        System.arraycopy(points, pointAt, out, this.pointAt, 64);
        return out;
    }

    public byte[] tbs(byte[] certificate) {
        return Arrays.copyOfRange(certificate, tbsAt, tbsAt + tbsLength);
    }

    public byte[] spkiSha256(byte[] certificate, MessageDigest sha256) {
        sha256.update(certificate, spkiAt, spkiLength);
        return sha256.digest();
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String label(long n) {
        String digits = Long.toString(n);
        if (digits.length() > LABEL_DIGITS) {
            throw new IllegalArgumentException("host number " + n + " is wider than " + LABEL_DIGITS + " digits");
        }
        return "h" + "0".repeat(LABEL_DIGITS - digits.length()) + digits;
    }

    private static void put(byte[] out, int at, Instant time) {
        int year = time.atZone(ZoneOffset.UTC).getYear();
        if (year < 1950 || year > 2049 || time.getNano() != 0) {
            throw new IllegalArgumentException("a time in whole seconds from 1950 to 2049 (UTCTime), not " + time);
        }
        System.arraycopy(UTC_TIME.format(time).getBytes(StandardCharsets.US_ASCII), 0, out, at, 13);
    }

    private static int only(byte[] in, byte[] what) {
        int[] found = all(in, what);
        if (found.length != 1) {
            throw new IllegalStateException("the template holds a marked field " + found.length + " times");
        }
        return found[0];
    }

    private static int[] all(byte[] in, byte[] what) {
        List<Integer> found = new ArrayList<>();
        outer:
        for (int i = 0; i + what.length <= in.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (in[i + j] != what[j]) {
                    continue outer;
                }
            }
            found.add(i);
        }
        return found.stream().mapToInt(Integer::intValue).toArray();
    }

    private static byte[] hex(String s) {
        return java.util.HexFormat.of().parseHex(s);
    }

    /** ecdsa-with-SHA256 and a well-formed ECDSA-Sig-Value that verifies under no key. */
    private static final class FixedSignature implements ContentSigner {
        private final java.io.ByteArrayOutputStream sink = new java.io.ByteArrayOutputStream();

        @Override
        public AlgorithmIdentifier getAlgorithmIdentifier() {
            return new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA256);
        }

        @Override
        public java.io.OutputStream getOutputStream() {
            return sink;
        }

        @Override
        public byte[] getSignature() {
            byte[] sig = new byte[70];
            sig[0] = 0x30;
            sig[1] = 68;
            for (int k = 0; k < 2; k++) {
                int at = 2 + 34 * k;
                sig[at] = 0x02;
                sig[at + 1] = 32;
                Arrays.fill(sig, at + 2, at + 34, (byte) (0x11 * (k + 1)));
            }
            return sig;
        }
    }
}
