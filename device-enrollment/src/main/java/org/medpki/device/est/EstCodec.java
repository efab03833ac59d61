package org.medpki.device.est;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.Provider;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.pkcs.CertificationRequest;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.CMSAbsentContent;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/** The EST wire formats (RFC 7030, RFC 8951): base64 bodies, certs-only CMS, PKCS#10 requests. */
final class EstCodec {
    private static final Provider BC = new BouncyCastleProvider();

    private EstCodec() {
    }

    /** A request the EST layer refuses before it reaches the enrollment service: a 400 with this reason. */
    static final class BadRequest extends Exception {
        BadRequest(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * The DER of the PKCS#10 request in an EST enroll body: Content-Type application/pkcs10, the
     * body base64 (RFC 8951: whatever Content-Transfer-Encoding says), line breaks allowed. The
     * request's signature must verify. A challengePassword attribute is neither checked nor used:
     * tls-unique channel binding (RFC 7030 3.5) is not available from the TLS stack, and the
     * credentials are the Basic ones or the TLS client certificate.
     */
    static byte[] csr(String contentType, byte[] body) throws BadRequest {
        if (contentType == null || !mediaType(contentType).equals("application/pkcs10")) {
            throw new BadRequest("the request must be Content-Type: application/pkcs10");
        }
        if (body == null || body.length == 0) {
            throw new BadRequest("the request has no body: a base64 PKCS#10 request is expected");
        }
        byte[] der;
        try {
            der = Base64.getDecoder().decode(withoutWhitespace(body));
        } catch (IllegalArgumentException e) {
            throw new BadRequest("the body is not base64");
        }
        PKCS10CertificationRequest request;
        try {
            // fromByteArray refuses trailing bytes after the request.
            request = new PKCS10CertificationRequest(CertificationRequest.getInstance(ASN1Primitive.fromByteArray(der)));
        } catch (IOException | RuntimeException e) {
            throw new BadRequest("the body is not a DER PKCS#10 certification request");
        }
        boolean valid;
        try {
            valid = request.isSignatureValid(new JcaContentVerifierProviderBuilder().setProvider(BC)
                    .build(request.getSubjectPublicKeyInfo()));
        } catch (Exception e) {
            valid = false;
        }
        if (!valid) {
            throw new BadRequest("the PKCS#10 request's signature does not verify with its public key");
        }
        return der;
    }

    /** The media type of a Content-Type value, lower case, without parameters. */
    static String mediaType(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }

    /**
     * Base64 as EST sends it: lines of 76 characters. Ended by LF, not CRLF: decoders such as
     * coreutils' base64 refuse a CR, every EST client takes either.
     */
    static byte[] base64(byte[] der) {
        return (Base64.getMimeEncoder(76, new byte[] {'\n'}).encodeToString(der) + "\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** A certs-only CMS SignedData (RFC 5751 "degenerate" PKCS#7, the CMC Simple PKI Response). */
    static byte[] certsOnly(List<X509Certificate> certificates) {
        try {
            CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
            generator.addCertificates(new JcaCertStore(certificates));
            return generator.generate(new CMSAbsentContent()).getEncoded(ASN1Encoding.DER);
        } catch (CertificateEncodingException | CMSException | IOException e) {
            throw new IllegalStateException("cannot encode a certs-only CMS message", e);
        }
    }

    /** The subject's serialNumber (2.5.4.5) if it is printable, for audit entries; else null. */
    static String serialNumberOf(X509Certificate certificate) {
        try {
            RDN[] rdns = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded())
                    .getRDNs(BCStyle.SERIALNUMBER);
            if (rdns.length == 0) {
                return null;
            }
            String serial = IETFUtils.valueToString(rdns[0].getFirst().getValue());
            return serial.length() <= BasicCredentials.MAX_SERIAL && BasicCredentials.printable(serial) ? serial : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static byte[] withoutWhitespace(byte[] body) {
        byte[] out = new byte[body.length];
        int n = 0;
        for (byte b : body) {
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                out[n++] = b;
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
