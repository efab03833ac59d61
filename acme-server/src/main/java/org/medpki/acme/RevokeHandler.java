package org.medpki.acme;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.Base64URL;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Map;
import org.medpki.core.revocation.RevocationReason;

/**
 * revokeCert (RFC 8555 7.6): signed by the account that ordered the certificate (kid) or by the
 * certificate's own key (jwk). The certificate must be one this CA issued, byte for byte.
 */
public final class RevokeHandler implements Handler<RoutingContext> {
    private final AcmeRepository store;
    private final AcmeViews views;
    private final CertificateAuthority ca;
    private final AcmeAudit audit;

    public RevokeHandler(AcmeRepository store, AcmeViews views, CertificateAuthority ca, AcmeAudit audit) {
        this.store = store;
        this.views = views;
        this.ca = ca;
        this.audit = audit;
    }

    @Override
    public void handle(RoutingContext ctx) {
        JwsRequest jws = JwsRequest.of(ctx);
        JsonObject payload = jws.json();
        if (!(payload.getValue("certificate") instanceof String b64) || !b64.matches("[A-Za-z0-9_-]+")) {
            throw new AcmeException(ProblemType.MALFORMED, "certificate must be base64url DER");
        }
        byte[] der = Base64URL.from(b64).decode();
        X509Certificate cert;
        try {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new java.io.ByteArrayInputStream(der));
        } catch (CertificateException | ClassCastException e) {
            throw new AcmeException(ProblemType.MALFORMED, "certificate is not an X.509 certificate");
        }
        RevocationReason reason;
        Object code = payload.getValue("reason", 0);
        try {
            reason = RevocationReason.ofCode(code instanceof Number n ? n.intValue() : -1);
        } catch (IllegalArgumentException e) {
            throw new AcmeException(ProblemType.BAD_REVOCATION_REASON, "reason " + code + " is not an RFC 5280 reason code");
        }
        byte[] known = ca.issued(cert.getSerialNumber()).orElse(null);
        String actor;
        if (jws.account() != null) {
            actor = views.account(jws.account().id());
            boolean owner = store.orderBySerial(cert.getSerialNumber().toString(16))
                    .map(o -> o.accountId().equals(jws.account().id())).orElse(false);
            if (known == null || !Arrays.equals(known, der) || !owner) {
                throw refuse(actor, "notOwner", "this account did not order this certificate", cert);
            }
        } else {
            actor = "acme:certificate-key";
            if (known == null || !Arrays.equals(known, der) || !sameKey(jws.header().getJWK(), cert.getPublicKey())) {
                throw refuse(actor, "notCertificateKey", "the request is not signed by this certificate's key", cert);
            }
        }
        String by = "acme:" + actor;
        OffContext.run(() -> ca.revoke(cert.getSerialNumber(), reason, by));
        ctx.response().setStatusCode(200).end();
    }

    /** Anyone holding a certificate can ask again and again: the audit entries go through the budget. */
    private AcmeException refuse(String actor, String reason, String why, X509Certificate cert) {
        AcmeException e = new AcmeException(ProblemType.UNAUTHORIZED, why);
        audit.refusedBounded("acme.revocation_refused", reason, actor, e,
                Map.of("serial", cert.getSerialNumber().toString(16)));
        return e;
    }

    private static boolean sameKey(JWK jwk, PublicKey certKey) {
        try {
            PublicKey k = switch (jwk) {
                case com.nimbusds.jose.jwk.ECKey ec -> ec.toPublicKey();
                case com.nimbusds.jose.jwk.RSAKey rsa -> rsa.toPublicKey();
                case com.nimbusds.jose.jwk.OctetKeyPair okp -> SignatureHandler.ed25519(okp);
                default -> null;
            };
            return k != null && Arrays.equals(k.getEncoded(), certKey.getEncoded());
        } catch (JOSEException | java.security.GeneralSecurityException e) {
            return false;
        }
    }
}
