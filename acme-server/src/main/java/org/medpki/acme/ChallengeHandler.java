package org.medpki.acme;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A challenge (RFC 8555 7.5.1): the client's empty JSON object says "ready"; the server validates
 * at once, in this request, so the answer already says valid or invalid and the client's next
 * poll of the authorization finds it settled (Retry-After: 1 if it is somehow still processing).
 * The {@link ValidationGate} admits the validation first (a refusal leaves the challenge pending);
 * a started validation always ends valid or invalid, whatever it throws.
 */
public final class ChallengeHandler implements Handler<RoutingContext> {
    private static final Logger LOG = LoggerFactory.getLogger(ChallengeHandler.class);
    private final AcmeRepository store;
    private final AcmeViews views;
    private final ValidationGate gate;
    private final AcmeAudit audit;
    private final Clock clock;

    public ChallengeHandler(AcmeRepository store, AcmeViews views, ValidationGate gate, AcmeAudit audit, Clock clock) {
        this.store = store;
        this.views = views;
        this.gate = gate;
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
                    && challenge.status().equals("pending")) {
                String keyAuthorization = challenge.token() + "." + NewAccountHandler.thumbprint(jws.account().key());
                try (ValidationGate.Slot slot = admit(authz, challenge)) {
                    if (store.startChallenge(challenge.id())) {
                        validate(challenge, authz, keyAuthorization);
                    }
                }
            }
            challenge = store.challenge(challenge.id()).orElseThrow();
        }
        if (challenge.status().equals("processing")) {
            ctx.response().putHeader("Retry-After", "1");
        }
        Responses.up(ctx, views.authz(authz.id()));
        Responses.json(ctx, 200, views.challenge(challenge, authz.accountId()), null);
    }

    private ValidationGate.Slot admit(Authorization authz, Challenge challenge) {
        try {
            return OffContext.call(() -> gate.admit(authz.accountId()));
        } catch (AcmeException e) {
            audit.refusedBounded("acme.validation_rate_limited", "validation", views.account(authz.accountId()), e,
                    Map.of("identifier", authz.identifier().value(), "challenge", challenge.type()));
            throw e;
        }
    }

    /** Validates the started challenge and records the outcome: nothing stays processing. */
    private void validate(Challenge challenge, Authorization authz, String keyAuthorization) {
        AcmeException failure;
        try {
            OffContext.run(() -> gate.validator().validate(challenge.type(), authz.identifier(), authz.wildcard(),
                    views.account(authz.accountId()), challenge.token(), keyAuthorization));
            store.finishChallenge(challenge, true, null, clock.instant());
            // The validation's evidence outlives the authorization, which housekeeping deletes.
            audit.succeeded("acme.validated", views.account(authz.accountId()), Map.of("authorization", authz.id(),
                    "identifier", (authz.wildcard() ? "*." : "") + authz.identifier().value(),
                    "challenge", challenge.type()));
            return;
        } catch (AcmeException e) {
            failure = e;
        } catch (RuntimeException e) {
            LOG.warn("validating challenge {} failed unexpectedly", challenge.id(), e);
            failure = new AcmeException(ProblemType.SERVER_INTERNAL, "the validation failed on the server",
                    authz.identifier(), java.util.List.of(), null);
        }
        store.finishChallenge(challenge, false, AcmeProblem.json(failure).encode(), clock.instant());
        // Any account can make validations fail at will (within its hourly validation limit): budgeted.
        audit.refusedBounded("acme.validation_failed", failure.type().name(), views.account(authz.accountId()),
                failure, Map.of("authorization", authz.id(), "identifier", authz.identifier().value(),
                        "challenge", challenge.type()));
    }
}
