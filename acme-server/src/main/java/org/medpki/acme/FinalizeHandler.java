package org.medpki.acme;

import com.nimbusds.jose.util.Base64URL;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.Map;
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
            audit.refused("acme.finalize_refused", actor, problem, Map.of("order", order.id()));
            throw problem;
        } catch (RuntimeException e) {
            store.backToReady(order.id());
            throw e;
        }
        store.orderIssued(order.id(), issued.serial().toString(16), issued.pemChain());
        Order done = store.order(order.id()).orElseThrow();
        Responses.json(ctx, 200, views.order(done), views.order(done.id()));
    }
}
