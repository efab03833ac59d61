package org.medpki.ocsp;

import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ocsp.CertID;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.ocsp.OCSPRequest;
import org.bouncycastle.asn1.ocsp.Request;
import org.bouncycastle.asn1.ocsp.TBSRequest;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;

/**
 * Parses an OCSPRequest (RFC 6960 4.1.1) strictly enough to answer it: DER that parses as exactly
 * one OCSPRequest with 1..maxCertIds CertIDs, all under one issuer this responder serves, hashed
 * with SHA-1 or SHA-256. A nonce (RFC 8954) must hold 1 to 32 octets. Anything else is an
 * {@link OcspRejection}: malformedRequest for bad syntax, unauthorized for issuers or hash
 * algorithms it does not serve. A request signature is ignored (RFC 5019 does not use them).
 */
public final class RequestParser {
    private final int maxCertIds;
    private final boolean honourNonce;

    public RequestParser(int maxCertIds, boolean honourNonce) {
        this.maxCertIds = maxCertIds;
        this.honourNonce = honourNonce;
    }

    public ParsedRequest parse(byte[] der, Issuers issuers) {
        if (der == null || der.length < 2 || der[0] != 0x30) {
            throw malformed("not a DER SEQUENCE");
        }
        OCSPRequest request;
        try {
            ASN1Primitive p = ASN1Primitive.fromByteArray(der);
            request = OCSPRequest.getInstance(p);
            if (p.getEncoded().length != der.length) {
                throw malformed("trailing data");
            }
        } catch (OcspRejection e) {
            throw e;
        } catch (Exception e) {
            throw malformed("not an OCSPRequest: " + e.getClass().getSimpleName());
        }
        TBSRequest tbs = request.getTbsRequest();
        ASN1Sequence list = tbs.getRequestList();
        if (list == null || list.size() == 0) {
            throw malformed("no CertID");
        }
        if (list.size() > maxCertIds) {
            throw malformed(list.size() + " CertIDs (at most " + maxCertIds + ")");
        }
        Issuer issuer = null;
        List<CertID> ids = new ArrayList<>(list.size());
        List<ResponseKey> keys = new ArrayList<>(list.size());
        try {
            for (ASN1Encodable e : list) {
                CertID id = Request.getInstance(e).getReqCert();
                CertIdHash hash = CertIdHash.of(id.getHashAlgorithm().getAlgorithm());
                if (hash == null) {
                    throw new OcspRejection(OcspStatus.UNAUTHORIZED, "unsupported CertID hash "
                            + id.getHashAlgorithm().getAlgorithm());
                }
                Issuer i = issuers.find(hash, id.getIssuerNameHash().getOctets(), id.getIssuerKeyHash().getOctets())
                        .orElseThrow(() -> new OcspRejection(OcspStatus.UNAUTHORIZED, "issuer not served"));
                if (issuer != null && issuer != i) {
                    throw new OcspRejection(OcspStatus.UNAUTHORIZED, "CertIDs of more than one issuer");
                }
                issuer = i;
                var serial = id.getSerialNumber().getValue();
                if (serial.signum() <= 0 || serial.bitLength() > 160) {
                    throw malformed("serial out of range");
                }
                ids.add(id);
                keys.add(new ResponseKey(i.caId(), serial, hash));
            }
        } catch (OcspRejection e) {
            throw e;
        } catch (RuntimeException e) {
            throw malformed("bad CertID: " + e.getClass().getSimpleName());
        }
        return new ParsedRequest(issuer, ids, keys, honourNonce ? nonce(tbs.getRequestExtensions()) : null);
    }

    private static Extension nonce(Extensions extensions) {
        if (extensions == null) {
            return null;
        }
        Extension nonce = extensions.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
        if (nonce == null) {
            return null;
        }
        byte[] value = nonce.getExtnValue().getOctets();
        int length = value.length;
        try {
            // RFC 8954: Nonce ::= OCTET STRING (SIZE(1..32)) inside extnValue; older clients send raw octets.
            ASN1Primitive inner = ASN1Primitive.fromByteArray(value);
            if (inner instanceof ASN1OctetString os) {
                length = os.getOctets().length;
            }
        } catch (Exception e) {
            // raw octets: judged by their own length
        }
        if (length < 1 || length > 32) {
            throw malformed("nonce of " + length + " octets (RFC 8954 allows 1 to 32)");
        }
        return new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false, nonce.getExtnValue());
    }

    private static OcspRejection malformed(String why) {
        return new OcspRejection(OcspStatus.MALFORMED_REQUEST, why);
    }
}
