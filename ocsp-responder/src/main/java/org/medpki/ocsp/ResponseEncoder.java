package org.medpki.ocsp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.ResponderID;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CertificateHolder;
import org.medpki.core.template.SignatureAlgorithms;

/**
 * The DER of RFC 6960 responses by one OCSP signer, assembled from parts encoded once (responder
 * ID by key hash, signature algorithm, the signer's certificate list): a generic ASN.1 encoder
 * re-encodes the signer certificate and formats every time with a date formatter on each
 * response, which was a fifth of the cost of a response signed on demand. The output is exactly
 * what BouncyCastle's builder makes for the same values (ResponseEncoderTest compares them).
 * Times are whole seconds (GeneralizedTime without fraction, as DER requires).
 */
final class ResponseEncoder {
    /** id-pkix-ocsp-basic (1.3.6.1.5.5.7.48.1.1), tag and length included. */
    private static final byte[] OCSP_BASIC = {0x06, 0x09, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01};
    /** responseStatus successful (0). */
    private static final byte[] SUCCESSFUL = {0x0a, 0x01, 0x00};
    private static final byte[] GOOD = {(byte) 0x80, 0x00};
    private static final byte[] UNKNOWN = {(byte) 0x82, 0x00};

    private final byte[] responderId;
    private final byte[] signatureAlgorithm;
    private final byte[] certs;

    ResponseEncoder(Issuer issuer) {
        try {
            X509CertificateHolder signer = issuer.signer().certificate();
            byte[] keyHash = CertIdHash.SHA1.digest(signer.getSubjectPublicKeyInfo().getPublicKeyData().getBytes());
            responderId = new ResponderID(new DEROctetString(keyHash)).getEncoded(ASN1Encoding.DER);
            signatureAlgorithm = SignatureAlgorithms.forAlgorithm(issuer.signer().signatureAlgorithm())
                    .getEncoded(ASN1Encoding.DER);
            byte[][] chain = new byte[issuer.signerChain().length][];
            for (int i = 0; i < chain.length; i++) {
                chain[i] = issuer.signerChain()[i].getEncoded();
            }
            certs = tlv(0xa0, tlv(0x30, chain));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode the OCSP signer of " + issuer.name(), e);
        }
    }

    /** ResponseData (v1, so no version field; producedAt = thisUpdate): what the signer signs. */
    byte[] responseData(List<ResponseSigner.Single> singles, Extensions extensions, Instant thisUpdate,
                        Instant nextUpdate) {
        byte[] thisTime = generalizedTime(thisUpdate);
        byte[] nextTime = tlv(0xa0, generalizedTime(nextUpdate));
        byte[][] responses = new byte[singles.size()][];
        for (int i = 0; i < responses.length; i++) {
            ResponseSigner.Single s = singles.get(i);
            responses[i] = tlv(0x30, der(s.certId()), status(s.state()), thisTime, nextTime);
        }
        return extensions == null
                ? tlv(0x30, responderId, thisTime, tlv(0x30, responses))
                : tlv(0x30, responderId, thisTime, tlv(0x30, responses), tlv(0xa1, der(extensions)));
    }

    /** The OCSPResponse (successful, id-pkix-ocsp-basic) around signed ResponseData. */
    byte[] response(byte[] responseData, byte[] signature) {
        byte[] bitString = new byte[signature.length + 1]; // no unused bits
        System.arraycopy(signature, 0, bitString, 1, signature.length);
        byte[] basic = tlv(0x30, responseData, signatureAlgorithm, tlv(0x03, bitString), certs);
        return tlv(0x30, SUCCESSFUL, tlv(0xa0, tlv(0x30, OCSP_BASIC, tlv(0x04, basic))));
    }

    private static byte[] status(CertState state) {
        return switch (state) {
            case CertState.Good g -> GOOD;
            case CertState.Unknown u -> UNKNOWN;
            // RevokedInfo: revocationTime, [0] EXPLICIT CRLReason (always present, as before).
            case CertState.Revoked r -> tlv(0xa1, generalizedTime(r.at()),
                    tlv(0xa0, new byte[] {0x0a, 0x01, (byte) r.reason().code()}));
        };
    }

    /** GeneralizedTime YYYYMMDDHHMMSSZ (the instant truncated to the second). */
    static byte[] generalizedTime(Instant at) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(at.truncatedTo(ChronoUnit.SECONDS).getEpochSecond(), 0,
                ZoneOffset.UTC);
        if (t.getYear() < 0 || t.getYear() > 9999) {
            throw new IllegalArgumentException("year out of GeneralizedTime range: " + at);
        }
        byte[] b = new byte[17];
        b[0] = 0x18;
        b[1] = 15;
        digits(b, 2, t.getYear(), 4);
        digits(b, 6, t.getMonthValue(), 2);
        digits(b, 8, t.getDayOfMonth(), 2);
        digits(b, 10, t.getHour(), 2);
        digits(b, 12, t.getMinute(), 2);
        digits(b, 14, t.getSecond(), 2);
        b[16] = 'Z';
        return b;
    }

    private static void digits(byte[] b, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            b[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }

    private static byte[] der(org.bouncycastle.asn1.ASN1Object o) {
        try {
            return o.getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One DER TLV (tag in one octet, definite length) around the concatenated contents. */
    static byte[] tlv(int tag, byte[]... contents) {
        int length = 0;
        for (byte[] c : contents) {
            length += c.length;
        }
        int lengthOctets = length < 0x80 ? 0 : length < 0x100 ? 1 : length < 0x10000 ? 2 : length < 0x1000000 ? 3 : 4;
        byte[] out = new byte[2 + lengthOctets + length];
        out[0] = (byte) tag;
        int at = 1;
        if (lengthOctets == 0) {
            out[at++] = (byte) length;
        } else {
            out[at++] = (byte) (0x80 | lengthOctets);
            for (int shift = 8 * (lengthOctets - 1); shift >= 0; shift -= 8) {
                out[at++] = (byte) (length >>> shift);
            }
        }
        for (byte[] c : contents) {
            System.arraycopy(c, 0, out, at, c.length);
            at += c.length;
        }
        return out;
    }
}
