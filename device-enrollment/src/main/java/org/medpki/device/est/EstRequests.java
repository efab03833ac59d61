package org.medpki.device.est;

import java.security.cert.X509Certificate;
import java.util.List;
import org.medpki.core.error.PkiException;
import org.medpki.device.DeviceEnrollment;
import org.medpki.device.DeviceEnrollment.Enrolled;
import org.medpki.device.DeviceEnrollment.Protocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What each EST request is answered, decided off the event loop. Who may enroll: the holder of
 * Basic credentials (device serial and enrollment code), or of a TLS client certificate that is
 * not one of this PKI's (a manufacturer IDevID); Basic wins when both are present, as the code is
 * what the device was given for this enrollment. Who may re-enroll: only the holder of a
 * certificate of this PKI. Everything else is refused.
 */
final class EstRequests {
    private static final Logger LOG = LoggerFactory.getLogger(EstRequests.class);
    static final String PKCS7_CERTS_ONLY = Reply.PKCS7 + "; smime-type=certs-only";

    private final DeviceEnrollment enrollment;
    private final EstConfig config;
    private final byte[] csrAttributes;

    EstRequests(DeviceEnrollment enrollment, EstConfig config) {
        this.enrollment = enrollment;
        this.config = config;
        this.csrAttributes = config.csrAttributesDer();
    }

    /** RFC 7030 4.1: the CA certificates, issuing CA first, as certs-only CMS. */
    Reply caCerts() {
        try {
            return Reply.base64(Reply.PKCS7, EstCodec.certsOnly(enrollment.caCertificates()));
        } catch (PkiException e) {
            return refusal(e, false);
        }
    }

    /** RFC 7030 4.5: what the device profile wants in a request. */
    Reply csrAttrs() {
        if (config.csrAttributes().size() == 0) {
            return new Reply(204, null, java.util.Map.of(), new byte[0]);
        }
        return Reply.base64("application/csrattrs", csrAttributes);
    }

    /** RFC 7030 4.2.1: first enrollment. */
    Reply enroll(String authorization, List<X509Certificate> peer, String contentType, byte[] body) {
        try {
            if (authorization != null) {
                BasicCredentials credentials;
                try {
                    credentials = BasicCredentials.parse(authorization);
                } catch (BasicCredentials.Malformed e) {
                    enrollment.authenticationFailed(Protocol.EST, e.claimed(), e.getMessage());
                    return Reply.challenge("malformed credentials: " + e.getMessage());
                }
                byte[] csr = EstCodec.csr(contentType, body);
                return issued(enrollment.enrollWithCode(Protocol.EST, credentials.serial(), credentials.code(), csr));
            }
            if (!peer.isEmpty() && ours(peer.get(0)) == null) {
                byte[] csr = EstCodec.csr(contentType, body);
                return issued(enrollment.enrollWithManufacturerCertificate(Protocol.EST, peer, csr));
            }
            // No credentials (or this PKI's own certificate, which re-enrolls instead): the
            // challenge every Basic client expects first.
            return Reply.challenge(null);
        } catch (EstCodec.BadRequest e) {
            return Reply.text(400, e.getMessage());
        } catch (PkiException e) {
            return refusal(e, authorization != null);
        }
    }

    /** RFC 7030 4.2.2: re-enrollment with the device's current certificate. */
    Reply reenroll(List<X509Certificate> peer, String contentType, byte[] body) {
        if (peer.isEmpty()) {
            // Basic credentials cannot re-enroll, so no 401 challenge for them.
            return Reply.text(403, "simplereenroll needs the device's current certificate as TLS client certificate");
        }
        try {
            X509Certificate current = peer.get(0);
            if (ours(current) == null) {
                enrollment.authenticationFailed(Protocol.EST, EstCodec.serialNumberOf(current),
                        "simplereenroll with a client certificate not issued by this PKI's CAs");
                return Reply.text(403, "the client certificate is not a device certificate of this PKI");
            }
            byte[] csr = EstCodec.csr(contentType, body);
            return issued(enrollment.reenroll(Protocol.EST, current, csr));
        } catch (EstCodec.BadRequest e) {
            return Reply.text(400, e.getMessage());
        } catch (PkiException e) {
            return refusal(e, false);
        }
    }

    /** The CA of this PKI that issued {@code certificate} (name and signature), or null. */
    private X509Certificate ours(X509Certificate certificate) {
        for (X509Certificate ca : enrollment.caCertificates()) {
            if (ca.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())) {
                try {
                    certificate.verify(ca.getPublicKey());
                    return ca;
                } catch (java.security.GeneralSecurityException | RuntimeException e) {
                    // the same name, another key: not ours
                }
            }
        }
        return null;
    }

    /** RFC 7030 4.2.3: the issued certificate alone; the chain is what /cacerts answers. */
    private static Reply issued(Enrolled enrolled) {
        return Reply.base64(PKCS7_CERTS_ONLY, EstCodec.certsOnly(List.of(enrolled.certificate())));
    }

    /**
     * A refusal of the enrollment service in HTTP terms. The detail of an authorization refusal is
     * not passed on: whether the serial exists or the code was wrong is no one's business.
     */
    private Reply refusal(PkiException e, boolean basic) {
        return switch (e.kind()) {
            // NOT_FOUND: an unknown device or certificate, refused like a wrong credential.
            case UNAUTHORIZED, NOT_FOUND -> basic ? Reply.challenge("the credentials do not allow this enrollment")
                    : Reply.text(403, "the client certificate does not allow this enrollment");
            case MALFORMED, BAD_CSR, BAD_PUBLIC_KEY, BAD_SIGNATURE_ALGORITHM, REJECTED_IDENTIFIER ->
                    Reply.text(400, e.publicDetail());
            case CONFLICT -> Reply.text(409, e.publicDetail());
            case CA_UNAVAILABLE, DATABASE_UNAVAILABLE, TOKEN_UNAVAILABLE -> {
                LOG.warn("EST request not served: {} ({})", e.kind(), e.publicDetail());
                yield Reply.unavailable(config.retryAfter().toSeconds(),
                        "the certification service is unavailable; retry later");
            }
            default -> {
                LOG.error("EST request failed: {} ({})", e.kind(), e.getMessage());
                yield Reply.text(500, "internal error");
            }
        };
    }
}
