package org.medpki.caapi;

import org.medpki.core.hierarchy.OcspSignerCertifier;

/** OCSP signers certified by the CA service over the CA API (an OCSP responder in a process of its own). */
public final class RemoteOcspSignerCertifier implements OcspSignerCertifier {
    private final CaApiClient ca;

    public RemoteOcspSignerCertifier(CaApiClient ca) {
        this.ca = ca;
    }

    /** {@code actor} is the calling service, as the CA authenticates it; the argument is not sent. */
    @Override
    public CertifiedSigner certify(String issuingCa, byte[] csrDer, String keyLabel, String actor) {
        return ca.certifyOcspSigner(issuingCa, csrDer, keyLabel);
    }
}
