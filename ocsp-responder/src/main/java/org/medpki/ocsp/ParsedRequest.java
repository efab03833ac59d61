package org.medpki.ocsp;

import java.util.List;
import org.bouncycastle.asn1.ocsp.CertID;
import org.bouncycastle.asn1.x509.Extension;

/**
 * An OCSP request reduced to what the responder uses: the issuer all its CertIDs belong to, the
 * CertIDs (as the client sent them, echoed in the response), their keys, and the nonce extension
 * when the client sent one and nonces are honoured.
 */
public record ParsedRequest(Issuer issuer, List<CertID> certIds, List<ResponseKey> keys, Extension nonce) {
    public ParsedRequest {
        certIds = List.copyOf(certIds);
        keys = List.copyOf(keys);
    }

    /** A single CertID without nonce: what can be answered from the pre-signed cache. */
    public boolean cacheable() {
        return nonce == null && keys.size() == 1;
    }
}
