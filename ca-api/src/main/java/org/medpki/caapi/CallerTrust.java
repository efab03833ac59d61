package org.medpki.caapi;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.X509TrustManager;

/**
 * Takes any client certificate at the TLS layer (TLS still proves possession of its key), so that
 * a certificate from another CA, an expired or a revoked one reaches the API and is refused there
 * with an audit entry, rather than vanishing as a failed handshake. {@link CallerAuthenticator}
 * makes the real decision. Names the callers' CA as the one to present a certificate of. Used by
 * every API that authenticates callers by client certificate (the CA API, the admin API).
 */
public final class CallerTrust implements X509TrustManager {
    private final X509Certificate callersCa;

    public CallerTrust(X509Certificate callersCa) {
        this.callersCa = callersCa;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
        // decided per request by CallerAuthenticator
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("this API does not connect to servers");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[] {callersCa};
    }
}
