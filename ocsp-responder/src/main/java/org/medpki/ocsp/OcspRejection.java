package org.medpki.ocsp;

/**
 * Why a request gets an unsigned error response instead of a signed one. Carries no detail for
 * the client; {@code reason} is for the debug log and metrics only.
 */
public final class OcspRejection extends RuntimeException {
    private final OcspStatus status;

    public OcspRejection(OcspStatus status, String reason) {
        super(reason, null, false, false);
        this.status = status;
    }

    public OcspStatus status() {
        return status;
    }
}
