package org.medpki.caapi;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.X509TrustManager;

/**
 * Takes any client certificate at the TLS layer (TLS still proves possession of its key), so that
 * a certificate from another CA, an expired or a revoked one reaches the API and is refused there
 * with an audit entry, rather than vanishing as a failed handshake. {@link CallerAuthenticator}
 * makes the real decision. Names every generation of the callers' CA (and the CAs above them) as
 * those to present a certificate of, so that clients that pick their certificate by that list
 * present one of a generation the server has not read yet. Used by
 * every API that authenticates callers by client certificate (the CA API, the admin API).
 */
public final class CallerTrust implements X509TrustManager {
    private final CallerIssuers callersCas;

    public CallerTrust(CallerIssuers callersCas) {
        this.callersCas = callersCas;
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
        return callersCas.acceptedIssuers();
    }
}
