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
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;

/**
 * ACME Renewal Information (RFC 9773): GET renewal-info/CERTID answers the window in which the
 * client should renew: the last third of the certificate's life, less its final sixth; a revoked
 * certificate's window lies in the past, so the client renews at once. CERTID is
 * base64url(AKI keyIdentifier) "." base64url(serial's DER content octets).
 */
public final class RenewalInfoHandler implements Handler<RoutingContext> {
    static final Duration RETRY_AFTER = Duration.ofHours(6);
    private final CertificateAuthority ca;
    private final Clock clock;

    public RenewalInfoHandler(CertificateAuthority ca, Clock clock) {
        this.ca = ca;
        this.clock = clock;
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

    @Override
    public void handle(RoutingContext ctx) {
        X509Certificate cert = certificate(ctx.pathParam("id"), ca);
        Instant notBefore = cert.getNotBefore().toInstant();
        Instant notAfter = cert.getNotAfter().toInstant();
        Duration life = Duration.between(notBefore, notAfter);
        Instant start = notAfter.minus(life.dividedBy(3));
        Instant end = notAfter.minus(life.dividedBy(6));
        if (ca.revoked(cert.getSerialNumber())) {
            Instant now = clock.instant();
            start = now.minus(Duration.ofHours(2));
            end = now.minus(Duration.ofHours(1));
        }
        ctx.response().putHeader("Content-Type", "application/json")
                .putHeader("Retry-After", Long.toString(RETRY_AFTER.toSeconds()))
                .end(new JsonObject().put("suggestedWindow", new JsonObject().put("start", AcmeViews.time(start))
                        .put("end", AcmeViews.time(end))).encodePrettily());
    }
}
