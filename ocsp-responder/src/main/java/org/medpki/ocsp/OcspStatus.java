package org.medpki.ocsp;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;

/**
 * The unsigned OCSP error responses (RFC 6960 4.2.1 OCSPResponseStatus), encoded once: they carry
 * no detail, so nothing internal ever leaves the process through them.
 */
public enum OcspStatus {
    MALFORMED_REQUEST(OCSPRespBuilder.MALFORMED_REQUEST),
    INTERNAL_ERROR(OCSPRespBuilder.INTERNAL_ERROR),
    TRY_LATER(OCSPRespBuilder.TRY_LATER),
    UNAUTHORIZED(OCSPRespBuilder.UNAUTHORIZED);

    private final byte[] der;

    OcspStatus(int code) {
        try {
            this.der = new OCSPRespBuilder().build(code, null).getEncoded();
        } catch (IOException | org.bouncycastle.cert.ocsp.OCSPException e) {
            throw new UncheckedIOException(new IOException("cannot encode OCSP status " + code, e));
        }
    }

    public byte[] der() {
        return der.clone();
    }

    byte[] derShared() {
        return der;
    }

    /** For tests and logs: the status an encoded response carries. */
    public static int statusOf(byte[] response) throws IOException {
        return new OCSPResp(response).getStatus();
    }
}
