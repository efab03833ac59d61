package org.medpki.core.hierarchy;

import java.time.Instant;

/**
 * Port: the CA side of an OCSP signer rotation. The responder generates the new key in its own
 * token and proves possession with a PKCS#10 request signed by it; the CA checks the request,
 * makes the delegated OCSP-signing certificate under its own rules (subject, validity, extensions
 * are the CA's choice, not the caller's), signs it with the issuing CA's key, records it in the
 * inventory under {@code keyLabel} (the label in the responder's token) and audits it.
 */
public interface OcspSignerCertifier {

    /** A delegated OCSP signer as recorded in the inventory. */
    record CertifiedSigner(String name, byte[] certificateDer, Instant notAfter) {
    }

    CertifiedSigner certify(String issuingCa, byte[] csrDer, String keyLabel, String actor);
}
