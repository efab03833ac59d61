package org.medpki.acme.validation;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.ASN1OctetString;
import org.medpki.acme.AcmeConfig;
import org.medpki.acme.AcmeException;
import org.medpki.acme.Identifier;
import org.medpki.acme.ProblemType;

/**
 * tls-alpn-01 (RFC 8737, RFC 8738 for IP addresses): a TLS handshake with ALPN "acme-tls/1" and
 * SNI the name must present a certificate whose only SAN is the identifier and whose critical
 * id-pe-acmeIdentifier extension holds SHA-256(keyAuthorization). The certificate is self-signed
 * by design, so no path validation: the checks below are the whole test.
 */
final class TlsAlpn01Validation {
    static final String ACME_IDENTIFIER_OID = "1.3.6.1.5.5.7.1.31";
    private final ChallengeValidator validator;
    private final AcmeConfig config;

    TlsAlpn01Validation(ChallengeValidator validator, AcmeConfig config) {
        this.validator = validator;
        this.config = config;
    }

    void validate(Identifier identifier, String keyAuthorization, Deadline deadline) {
        int port = config.tlsAlpn01Port();
        StringBuilder failures = new StringBuilder();
        for (InetAddress address : validator.targets(identifier, identifier, port, deadline)) {
            if (deadline.passed()) {
                break;
            }
            X509Certificate cert;
            try {
                cert = handshake(identifier, address, deadline);
            } catch (IOException | GeneralSecurityException | AcmeException e) {
                failures.append(failures.isEmpty() ? "" : "; ").append(address.getHostAddress()).append(" port ")
                        .append(port).append(": ").append(e.getMessage());
                continue;
            }
            try {
                check(cert, identifier, ChallengeValidator.sha256(keyAuthorization));
            } catch (AcmeException e) {
                throw ChallengeValidator.failed(e.type(), "the tls-alpn-01 certificate did not prove the key "
                        + "authorization", identifier, address.getHostAddress() + " port " + port + ": " + e.detail());
            }
            return;
        }
        if (deadline.passed()) {
            throw ChallengeValidator.timedOut(identifier, "tls-alpn-01: " + failures);
        }
        throw ChallengeValidator.failed(ProblemType.TLS, "the tls-alpn-01 handshake failed", identifier,
                failures.toString());
    }

    /** Connect and handshake within what is left of the deadline (each read too: a trickle ends with it). */
    private X509Certificate handshake(Identifier identifier, InetAddress address, Deadline deadline)
            throws IOException, GeneralSecurityException {
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, new TrustManager[] {new AcceptAny()}, new SecureRandom());
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(address, config.tlsAlpn01Port()), deadline.millisLeft());
            plain.setSoTimeout(deadline.millisLeft());
            try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(plain, sniName(identifier),
                    config.tlsAlpn01Port(), false)) {
                SSLParameters p = s.getSSLParameters();
                p.setApplicationProtocols(new String[] {"acme-tls/1"});
                p.setServerNames(List.of(new SNIHostName(sniName(identifier))));
                s.setSSLParameters(p);
                s.startHandshake();
                if (!"acme-tls/1".equals(s.getApplicationProtocol())) {
                    throw new AcmeException(ProblemType.TLS, "the server did not negotiate ALPN acme-tls/1");
                }
                Certificate[] chain = s.getSession().getPeerCertificates();
                return (X509Certificate) chain[0];
            }
        }
    }

    /** RFC 8738 section 6: an IP address is sent as its reverse-mapping name. */
    static String sniName(Identifier identifier) throws IOException {
        if (!identifier.type().equals("ip")) {
            return identifier.value();
        }
        byte[] a = InetAddress.getByName(identifier.value()).getAddress();
        StringBuilder b = new StringBuilder();
        if (a.length == 4) {
            for (int i = 3; i >= 0; i--) {
                b.append(a[i] & 0xff).append('.');
            }
            return b.append("in-addr.arpa").toString();
        }
        for (int i = 15; i >= 0; i--) {
            b.append(Integer.toHexString(a[i] & 0xf)).append('.').append(Integer.toHexString((a[i] >> 4) & 0xf)).append('.');
        }
        return b.append("ip6.arpa").toString();
    }

    static void check(X509Certificate cert, Identifier identifier, byte[] expected) {
        Collection<List<?>> sans;
        try {
            sans = cert.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            throw ChallengeValidator.problem(ProblemType.INCORRECT_RESPONSE, "the certificate's SAN cannot be parsed", identifier);
        }
        boolean isIp = identifier.type().equals("ip");
        if (sans == null || sans.size() != 1) {
            throw ChallengeValidator.problem(ProblemType.INCORRECT_RESPONSE,
                    "the tls-alpn-01 certificate must have exactly one SAN", identifier);
        }
        List<?> san = sans.iterator().next();
        boolean match;
        try {
            match = ((Integer) san.get(0)) == (isIp ? 7 : 2) && (isIp
                    ? InetAddress.getByName((String) san.get(1)).equals(InetAddress.getByName(identifier.value()))
                    : ((String) san.get(1)).toLowerCase(Locale.ROOT).equals(identifier.value()));
        } catch (IOException e) {
            match = false;
        }
        if (!match) {
            throw ChallengeValidator.problem(ProblemType.INCORRECT_RESPONSE,
                    "the tls-alpn-01 certificate's SAN is not " + identifier.value(), identifier);
        }
        if (cert.getCriticalExtensionOIDs() == null || !cert.getCriticalExtensionOIDs().contains(ACME_IDENTIFIER_OID)) {
            throw ChallengeValidator.problem(ProblemType.INCORRECT_RESPONSE,
                    "the tls-alpn-01 certificate has no critical acmeIdentifier extension", identifier);
        }
        byte[] value;
        try {
            byte[] outer = ASN1OctetString.getInstance(cert.getExtensionValue(ACME_IDENTIFIER_OID)).getOctets();
            value = ASN1OctetString.getInstance(outer).getOctets();
        } catch (RuntimeException e) {
            throw ChallengeValidator.problem(ProblemType.INCORRECT_RESPONSE,
                    "the acmeIdentifier extension is not an OCTET STRING", identifier);
        }
        if (!Arrays.equals(value, expected)) {
            throw ChallengeValidator.problem(ProblemType.INCORRECT_RESPONSE,
                    "the acmeIdentifier extension does not hold the key authorization's digest", identifier);
        }
    }

    /** The challenge certificate is self-signed on purpose; {@link #check} is the verification. */
    private static final class AcceptAny implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
