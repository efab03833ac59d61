package org.medpki.acme;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/** Certificate download (RFC 8555 7.4.2): the leaf and the CA certificates above it (not the root), as PEM. */
public final class CertificateHandler implements Handler<RoutingContext> {
    private final AcmeRepository store;

    public CertificateHandler(AcmeRepository store) {
        this.store = store;
    }

    @Override
    public void handle(RoutingContext ctx) {
        JwsRequest jws = JwsRequest.of(ctx);
        jws.requirePostAsGet();
        Order order = store.order(ctx.pathParam("id")).filter(o -> o.certChain() != null)
                .orElseThrow(() -> new AcmeException(ProblemType.NOT_FOUND, "no such certificate"));
        Responses.owned(jws, order.accountId());
        String accept = ctx.request().getHeader("Accept");
        if (accept != null && !accept.contains("application/pem-certificate-chain") && !accept.contains("*/*")) {
            throw new AcmeException(ProblemType.MALFORMED, "the certificate is served as application/pem-certificate-chain only");
        }
        ctx.response().putHeader("Content-Type", "application/pem-certificate-chain").end(order.certChain());
    }
}
