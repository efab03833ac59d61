package org.medpki.acme;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.Map;
import org.medpki.acme.validation.ChallengeValidator;

/**
 * A challenge (RFC 8555 7.5.1): the client's empty JSON object says "ready"; the server validates
 * at once, in this request, so the answer already says valid or invalid and the client's next
 * poll of the authorization finds it settled (Retry-After: 1 if it is somehow still processing).
 */
public final class ChallengeHandler implements Handler<RoutingContext> {
    private final AcmeRepository store;
    private final AcmeViews views;
    private final ChallengeValidator validator;
    private final AcmeAudit audit;
    private final Clock clock;

    public ChallengeHandler(AcmeRepository store, AcmeViews views, ChallengeValidator validator, AcmeAudit audit, Clock clock) {
        this.store = store;
        this.views = views;
        this.validator = validator;
        this.audit = audit;
        this.clock = clock;
    }

    @Override
    public void handle(RoutingContext ctx) {
        JwsRequest jws = JwsRequest.of(ctx);
        Challenge challenge = store.challenge(ctx.pathParam("id"))
                .orElseThrow(() -> new AcmeException(ProblemType.NOT_FOUND, "no such challenge"));
        Authorization authz = store.authorization(challenge.authzId(), clock.instant()).orElseThrow();
        Responses.owned(jws, authz.accountId());
        if (!jws.postAsGet()) {
            jws.json();
            if (authz.status().equals("pending") && authz.expires().isAfter(clock.instant())
                    && store.startChallenge(challenge.id())) {
                String keyAuthorization = challenge.token() + "." + NewAccountHandler.thumbprint(jws.account().key());
                try {
                    Challenge answered = challenge;
                    OffContext.run(() -> validator.validate(answered.type(), authz.identifier(), authz.wildcard(),
                            answered.token(), keyAuthorization));
                    store.finishChallenge(challenge, true, null, clock.instant());
                } catch (AcmeException e) {
                    store.finishChallenge(challenge, false, AcmeProblem.json(e).encode(), clock.instant());
                    audit.refused("acme.validation_failed", views.account(authz.accountId()), e,
                            Map.of("identifier", authz.identifier().value(), "challenge", challenge.type()));
                }
            }
            challenge = store.challenge(challenge.id()).orElseThrow();
        }
        if (challenge.status().equals("processing")) {
            ctx.response().putHeader("Retry-After", "1");
        }
        Responses.up(ctx, views.authz(authz.id()));
        Responses.json(ctx, 200, views.challenge(challenge), null);
    }
}
