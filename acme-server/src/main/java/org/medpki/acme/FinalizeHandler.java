package org.medpki.acme;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.util.Base64URL;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.medpki.core.error.PkiException;
import org.medpki.core.issuance.IssuedCertificate;

/**
 * finalize (RFC 8555 7.4): the order must be ready; the CSR goes to the CA, which checks key,
 * profile and that its names equal the order's identifiers exactly. A refused CSR puts the order
 * back to ready (the client may send a better one); the certificate is issued in this request.
 */
public final class FinalizeHandler implements Handler<RoutingContext> {
    private final AcmeRepository store;
    private final AcmeViews views;
    private final CertificateAuthority ca;
    private final AcmeAudit audit;
    private final Clock clock;

    public FinalizeHandler(AcmeRepository store, AcmeViews views, CertificateAuthority ca, AcmeAudit audit, Clock clock) {
        this.store = store;
        this.views = views;
        this.ca = ca;
        this.audit = audit;
        this.clock = clock;
    }

    @Override
    public void handle(RoutingContext ctx) {
        JwsRequest jws = JwsRequest.of(ctx);
        Order order = store.order(ctx.pathParam("id"), clock.instant())
                .orElseThrow(() -> new AcmeException(ProblemType.NOT_FOUND, "no such order"));
        Responses.owned(jws, order.accountId());
        if (!(jws.json().getValue("csr") instanceof String csrText) || !csrText.matches("[A-Za-z0-9_-]+")) {
            throw new AcmeException(ProblemType.MALFORMED, "csr must be the base64url DER of a PKCS#10 request");
        }
        if (!order.status().equals("ready")) {
            throw new AcmeException(ProblemType.ORDER_NOT_READY, "the order is " + order.status() + ", not ready");
        }
        if (usesAccountKey(Base64URL.from(csrText).decode(), jws.account())) {
            AcmeException problem = new AcmeException(ProblemType.BAD_CSR,
                    "the CSR's key is the account key: a certificate needs a key of its own");
            audit.refusedBounded("acme.finalize_refused", "account-key", views.account(order.accountId()), problem,
                    Map.of("order", order.id()));
            throw problem;
        }
        if (!store.startProcessing(order.id())) {
            throw new AcmeException(ProblemType.ORDER_NOT_READY, "the order is no longer ready");
        }
        String actor = views.account(order.accountId());
        IssuedCertificate issued;
        try {
            byte[] csr = Base64URL.from(csrText).decode();
            issued = OffContext.call(() -> ca.issue(order.profile(), csr, "acme:" + actor,
                    order.identifiers().stream().map(Identifier::generalName).toList()));
        } catch (PkiException e) {
            store.backToReady(order.id());
            AcmeException problem = AcmeProblem.fromPki(e);
            audit.refusedBounded("acme.finalize_refused", problem.type().name(), actor, problem, Map.of("order", order.id()));
            throw problem;
        } catch (RuntimeException e) {
            store.backToReady(order.id());
            throw e;
        }
        store.orderIssued(order.id(), issued.serial().toString(16), issued.pemChain(),
                issued.certificate().getNotAfter().toInstant());
        Order done = store.order(order.id()).orElseThrow();
        Responses.json(ctx, 200, views.order(done), views.order(done.id()));
    }

    /**
     * Whether the CSR certifies the account's own key (RFC 8555 11.1: the account key must not be
     * a certificate key). A CSR that does not parse is left to the CA, which refuses it.
     */
    static boolean usesAccountKey(byte[] csr, Account account) {
        try {
            byte[] certificateKey = new PKCS10CertificationRequest(csr)
                    .getSubjectPublicKeyInfo().getEncoded();
            if (!(account.key() instanceof AsymmetricJWK asymmetric)) {
                return false;
            }
            return Arrays.equals(certificateKey, asymmetric.toPublicKey().getEncoded());
        } catch (IOException | JOSEException | RuntimeException e) {
            return false;
        }
    }
}
