package org.medpki.acme;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.util.Base64URL;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.medpki.acme.validation.ChallengeValidator.CaaRecheck;
import org.medpki.core.error.PkiException;
import org.medpki.core.issuance.IssuedCertificate;

/**
 * finalize (RFC 8555 7.4): the order must be ready; the CSR goes to the CA, which checks key,
 * profile and that its names equal the order's identifiers exactly. A refused CSR puts the order
 * back to ready (the client may send a better one); the certificate is issued in this request.
 *
 * <p>Authorizations are reused for days, CAA answers may stand for {@code acme.caaRecheckAfter}
 * only: each DNS identifier whose authorization was validated that long ago (or longer) has its
 * CAA looked up again first, for this account and the challenge type that validated it (RFC 8657).
 * When CAA now forbids issuance (caa) or a look-up fails (dns: a failure is no permission), nothing
 * is issued and the order stays ready, as Boulder leaves it: the refusal is about the DNS now, not
 * the order, and a client may finalize again once CAA allows us (each attempt looks again). RFC 8555
 * 7.4 would allow making the order invalid, but that would force a new order, and new validations,
 * over a resolver's passing SERVFAIL.
 */
public final class FinalizeHandler implements Handler<RoutingContext> {
    private final AcmeRepository store;
    private final AcmeViews views;
    private final CertificateAuthority ca;
    private final ValidationGate validation;
    private final Duration caaRecheckAfter;
    private final AcmeAudit audit;
    private final Clock clock;

    /** {@code validation}: the validator that re-checks CAA, in a slot of its concurrency bound. */
    public FinalizeHandler(AcmeRepository store, AcmeViews views, CertificateAuthority ca, ValidationGate validation,
                           Duration caaRecheckAfter, AcmeAudit audit, Clock clock) {
        this.store = store;
        this.views = views;
        this.ca = ca;
        this.validation = validation;
        this.caaRecheckAfter = caaRecheckAfter;
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
        String actor = views.account(order.accountId());
        recheckCaa(order, actor);
        if (!store.startProcessing(order.id())) {
            throw new AcmeException(ProblemType.ORDER_NOT_READY, "the order is no longer ready");
        }
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
     * Looks CAA up again for the order's DNS identifiers whose authorization was validated
     * {@code caaRecheckAfter} ago or longer; throws (audited, within the refusal budget) when it
     * refuses one. {@code accountUri} is the ordering account's URL.
     */
    private void recheckCaa(Order order, String accountUri) {
        List<CaaRecheck> stale = staleCaa(order, clock.instant().minus(caaRecheckAfter));
        if (stale.isEmpty()) {
            return;
        }
        ValidationGate.Slot slot;
        try {
            slot = OffContext.call(validation::slot);
        } catch (AcmeException busy) {
            throw new AcmeException(ProblemType.RATE_LIMITED, "the server is validating as many challenges as it may "
                    + "at once; finalize the order again later", null, List.of(), busy.retryAfter());
        }
        List<AcmeException> refused;
        try (slot) {
            refused = OffContext.call(() -> validation.validator().recheckCaa(stale, accountUri));
        } catch (AcmeException e) {
            if (e.type() == ProblemType.SERVER_INTERNAL) {
                throw e;
            }
            refused = List.of(e);   // the re-check as a whole ran out of time
        }
        if (refused.isEmpty()) {
            return;
        }
        AcmeException problem = caaProblem(refused);
        // the first refused identifier and how many: an order may name many, the detail says more
        audit.refusedBounded("acme.finalize_refused", "caa-recheck", accountUri, problem,
                Map.of("order", order.id(), "identifier", refused.getFirst().identifier().value(),
                        "refusedIdentifiers", Integer.toString(refused.size())));
        throw problem;
    }

    /**
     * The order's DNS authorizations validated before {@code validatedBefore} (or at it), with
     * the type of the challenge that validated each; one without a validated challenge counts as
     * stale (no type: a validationmethods restriction then does not admit it).
     */
    private List<CaaRecheck> staleCaa(Order order, Instant validatedBefore) {
        List<CaaRecheck> stale = new ArrayList<>();
        for (String id : order.authorizationIds()) {
            Authorization authz = store.authorization(id).orElseThrow();
            if (!authz.identifier().type().equals("dns")) {
                continue;   // CAA is for DNS names only (RFC 8738 leaves IP addresses out)
            }
            Challenge solved = authz.challenges().stream().filter(c -> c.status().equals("valid")).findFirst()
                    .orElse(null);
            if (solved != null && solved.validated() != null && solved.validated().isAfter(validatedBefore)) {
                continue;
            }
            stale.add(new CaaRecheck(authz.identifier(), authz.wildcard(), solved == null ? null : solved.type()));
        }
        return stale;
    }

    /**
     * One problem for the refused identifiers: the identifier's own when one is refused, else caa
     * (dns when every refusal is a failed look-up) with a subproblem per identifier (RFC 8555 6.7.1).
     */
    static AcmeException caaProblem(List<AcmeException> refused) {
        if (refused.size() == 1) {
            AcmeException only = refused.getFirst();
            return new AcmeException(only.type(), "CAA re-checked at finalize for " + only.identifier().value() + ": "
                    + only.detail(), only.identifier(), List.of(), null);
        }
        ProblemType type = refused.stream().allMatch(r -> r.type() == ProblemType.DNS) ? ProblemType.DNS
                : ProblemType.CAA;
        return new AcmeException(type, "CAA re-checked at finalize refuses " + refused.getFirst().identifier().value()
                + " and " + (refused.size() - 1) + " more identifier(s); see the subproblems", null, refused, null);
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
