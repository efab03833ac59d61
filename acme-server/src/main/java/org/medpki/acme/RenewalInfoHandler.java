package org.medpki.acme;

import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;

/**
 * ACME Renewal Information (RFC 9773): GET renewal-info/CERTID answers the window in which the
 * client should renew, which follows the certificate's (its profile's) lifetime: from two thirds of
 * the life for a span of a sixth (a 90-day certificate: days 60 to 75); a short-lived certificate
 * (at most {@link #SHORT_LIVED} long) from half its life, as it has no revocation information and
 * its holder needs the longer margin to recover from a failed renewal in time. CERTID is
 * base64url(AKI keyIdentifier) "." base64url(serial's DER content octets).
 *
 * <p>A certificate that is revoked (by revokeCert, 'pki revoke' or an admin mass revocation), or
 * whose issuing CA is, gets a window that ended {@link #PAST_MARGIN} before its revocation: an
 * RFC 9773 client renews at once when the window's end is in the past (section 4.2), and the margin
 * keeps it in the past for a client whose clock is up to that much behind. The window is the same
 * at every request. It names the {@code explanationURL} of the settings, if any, and asks for the
 * next check after {@link #REVOKED_RETRY_AFTER}, when a client that could not renew yet tries again.
 *
 * <p>A certificate whose issuing CA was rolled over to a new generation gets a window that starts at
 * the switch (when that is before its usual start) and lasts at most {@link #SUPERSEDED_WINDOW}, so
 * that clients move onto the new CA soon after it takes over.
 *
 * <p>Caching: {@code Cache-Control: max-age} equals Retry-After, so that no cache in between holds a
 * window longer than a client waits anyway: a revocation reaches a client at its next check, at most
 * {@link #RETRY_AFTER} after.
 */
public final class RenewalInfoHandler implements Handler<RoutingContext> {
    static final Duration RETRY_AFTER = Duration.ofHours(6);
    static final Duration REVOKED_RETRY_AFTER = Duration.ofHours(1);
    static final Duration PAST_MARGIN = Duration.ofHours(1);
    /** Certificates this short renew from half their life (Let's Encrypt's 6-day certificates do). */
    static final Duration SHORT_LIVED = Duration.ofDays(10);
    /** After an issuing-CA rollover: at most this long from the switch to renew onto the new CA. */
    static final Duration SUPERSEDED_WINDOW = Duration.ofDays(7);
    private final CertificateAuthority ca;
    private final Clock clock;
    private final String explanationUrl;

    /** {@code explanationUrl}: named in the answer for revoked certificates; null for none. */
    public RenewalInfoHandler(CertificateAuthority ca, Clock clock, String explanationUrl) {
        this.ca = ca;
        this.clock = clock;
        this.explanationUrl = explanationUrl;
    }

    /** The certificate a CERTID names, if this CA issued it; the AKI must match too. */
    static X509Certificate certificate(String certId, CertificateAuthority ca) {
        String[] parts = certId.split("\\.");
        if (parts.length != 2 || !certId.matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+")) {
            throw new AcmeException(ProblemType.MALFORMED, "a certificate id is base64url(AKI).base64url(serial)");
        }
        byte[] aki = Base64.getUrlDecoder().decode(parts[0]);
        BigInteger serial = new BigInteger(Base64.getUrlDecoder().decode(parts[1]));
        byte[] der = ca.issued(serial).orElseThrow(() -> new AcmeException(ProblemType.NOT_FOUND, "no such certificate"));
        try {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
            byte[] ext = cert.getExtensionValue("2.5.29.35");
            byte[] keyId = ext == null ? null : AuthorityKeyIdentifier.getInstance(
                    ASN1OctetString.getInstance(ext).getOctets()).getKeyIdentifierOctets();
            if (keyId == null || !Arrays.equals(keyId, aki)) {
                throw new AcmeException(ProblemType.NOT_FOUND, "no such certificate");
            }
            return cert;
        } catch (CertificateException e) {
            throw new AcmeException(ProblemType.NOT_FOUND, "no such certificate");
        }
    }

    private static Instant earliest(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    @Override
    public void handle(RoutingContext ctx) {
        X509Certificate cert = certificate(ctx.pathParam("id"), ca);
        Optional<Instant> revokedAt = ca.revokedAt(cert.getSerialNumber());
        Instant start;
        Instant end;
        Duration retryAfter;
        JsonObject body = new JsonObject();
        if (revokedAt.isPresent()) {
            Instant now = clock.instant();
            // The earlier of the two: a database clock ahead of this one never puts the end in the future.
            Instant since = revokedAt.get().isBefore(now) ? revokedAt.get() : now;
            end = since.minus(PAST_MARGIN);
            start = end.minus(PAST_MARGIN);
            retryAfter = REVOKED_RETRY_AFTER;
            if (explanationUrl != null) {
                body.put("explanationURL", explanationUrl);
            }
        } else {
            Instant notBefore = cert.getNotBefore().toInstant();
            Instant notAfter = cert.getNotAfter().toInstant();
            Duration life = Duration.between(notBefore, notAfter);
            start = life.compareTo(SHORT_LIVED) <= 0 ? notBefore.plus(life.dividedBy(2))
                    : notBefore.plus(life.multipliedBy(2).dividedBy(3));
            end = start.plus(life.dividedBy(6));
            retryAfter = RETRY_AFTER;
            // Its issuing CA was rolled over: renew onto the new generation from the switch on.
            Optional<Instant> superseded = ca.issuerSupersededAt(cert.getSerialNumber());
            if (superseded.isPresent() && superseded.get().isBefore(start)) {
                start = superseded.get();
                end = earliest(end, start.plus(SUPERSEDED_WINDOW));
            }
        }
        body.put("suggestedWindow", new JsonObject().put("start", AcmeViews.time(start)).put("end", AcmeViews.time(end)));
        ctx.response().putHeader("Content-Type", "application/json")
                .putHeader("Retry-After", Long.toString(retryAfter.toSeconds()))
                .putHeader("Cache-Control", "public, max-age=" + retryAfter.toSeconds())
                .end(body.encodePrettily());
    }
}
