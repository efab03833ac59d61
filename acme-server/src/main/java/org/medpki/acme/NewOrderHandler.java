package org.medpki.acme;

import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * newOrder (RFC 8555 7.4): picks the order's profile (draft-ietf-acme-profiles), checks every
 * identifier against it (and the account's EAB patterns) before anything is stored, applies the rate limits, reuses the account's valid
 * authorizations within the reuse window, and creates the rest with their challenges.
 */
public final class NewOrderHandler implements Handler<RoutingContext> {
    static final int MAX_IDENTIFIERS = 100;
    private static final java.util.regex.Pattern PROFILE_NAME = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private final AcmeConfig config;
    private final AcmeRepository store;
    private final AcmeViews views;
    private final CertificateAuthority ca;
    private final AcmeAudit audit;
    private final Clock clock;

    public NewOrderHandler(AcmeConfig config, AcmeRepository store, AcmeViews views, CertificateAuthority ca,
                           AcmeAudit audit, Clock clock) {
        this.config = config;
        this.store = store;
        this.views = views;
        this.ca = ca;
        this.audit = audit;
        this.clock = clock;
    }

    @Override
    public void handle(RoutingContext ctx) {
        JwsRequest jws = JwsRequest.of(ctx);
        Account account = jws.account();
        JsonObject payload = jws.json();
        if (!(payload.getValue("identifiers") instanceof JsonArray list) || list.isEmpty() || list.size() > MAX_IDENTIFIERS) {
            throw new AcmeException(ProblemType.MALFORMED, "identifiers must be an array of 1 to " + MAX_IDENTIFIERS);
        }
        if (payload.containsKey("notBefore") || payload.containsKey("notAfter")) {
            throw new AcmeException(ProblemType.MALFORMED, "notBefore and notAfter are not supported: the profile sets the validity");
        }
        Set<Identifier> identifiers = new LinkedHashSet<>();
        for (Object o : list) {
            identifiers.add(Identifier.parse(o instanceof JsonObject j ? j : null));
        }
        EabKey eab = account.eabKid() == null ? null : store.eabKey(account.eabKid()).orElse(null);
        String actor = views.account(account.id());
        String profile = profile(payload, eab, actor, identifiers);
        List<AcmeException> rejected = new ArrayList<>();
        for (Identifier id : identifiers) {
            try {
                ca.checkIdentifier(profile, id);
                if (eab != null && !eab.permits(id)) {
                    throw new AcmeException(ProblemType.REJECTED_IDENTIFIER, id.value()
                            + " is outside the names this account's external account key allows", id, List.of(), null);
                }
            } catch (AcmeException e) {
                rejected.add(new AcmeException(e.type(), e.detail(), id, List.of(), null));
            }
        }
        if (!rejected.isEmpty()) {
            AcmeException problem = new AcmeException(ProblemType.REJECTED_IDENTIFIER, rejected.size() == 1
                    ? rejected.getFirst().detail() : "several identifiers are refused", null, rejected, null);
            audit.refusedBounded("acme.order_refused", problem.type().name(), actor, problem,
                    Map.of("identifiers", identifiers.toString()));
            throw problem;
        }
        rateLimit(account, identifiers, actor);
        String replaces = payload.getValue("replaces") instanceof String r ? r : null;
        if (payload.containsKey("replaces") && replaces == null) {
            throw new AcmeException(ProblemType.MALFORMED, "replaces must be a string");
        }
        if (replaces != null) {
            checkReplaces(replaces, account, identifiers);
        }
        Instant now = clock.instant();
        Instant expires = now.plus(config.orderLifetime());
        List<Authorization> created = new ArrayList<>();
        List<String> authzIds = new ArrayList<>();
        for (Identifier id : identifiers) {
            Identifier base = new Identifier(id.type(), id.base());
            var reused = config.authorizationReuse().isZero() ? java.util.Optional.<Authorization>empty()
                    : store.reusableAuthorization(account.id(), base, id.wildcard(), now.plus(Duration.ofMinutes(1)),
                            now.minus(config.authorizationReuse()));
            if (reused.isPresent()) {
                authzIds.add(reused.get().id());
                continue;
            }
            String authzId = AcmeIds.newId();
            List<Challenge> challenges = new ArrayList<>();
            for (String type : challengeTypes(id)) {
                challenges.add(new Challenge(AcmeIds.newId(), authzId, type, AcmeIds.newId() + AcmeIds.newId(),
                        "pending", null, null));
            }
            created.add(new Authorization(authzId, account.id(), base, id.wildcard(), "pending",
                    now.plus(config.authorizationLifetime()), challenges));
            authzIds.add(authzId);
        }
        Order order = new Order(AcmeIds.newId(), account.id(), "pending", List.copyOf(identifiers), profile,
                expires, null, null, null, null, null, replaces, authzIds);
        store.createOrder(order, created);
        if (created.isEmpty()) {
            // Every authorization was reused: the order may already be ready.
            store.refreshOrdersOf(authzIds.getFirst());
        }
        Order stored = store.order(order.id()).orElseThrow();
        Responses.json(ctx, 201, views.order(stored), views.order(stored.id()));
    }

    /**
     * The profile the order names, or the default (the EAB key's first, else acme.profile). An
     * account bound to an external account key may use exactly the key's profiles; any other
     * account those that ACME offers. Refusals are audited like any refused order.
     */
    private String profile(JsonObject payload, EabKey eab, String actor, Set<Identifier> identifiers) {
        if (!payload.containsKey("profile")) {
            return eab == null ? config.profile() : eab.profile();
        }
        AcmeException problem;
        if (!(payload.getValue("profile") instanceof String name) || !PROFILE_NAME.matcher(name).matches()) {
            problem = new AcmeException(ProblemType.MALFORMED,
                    "profile must be a profile name: lower-case letters, digits and hyphens, at most 63");
        } else if (eab != null && eab.profiles().contains(name)) {
            return name;
        } else if (!config.profiles().contains(name)) {
            problem = new AcmeException(ProblemType.INVALID_PROFILE, "profile '" + name
                    + "' is not offered here (offered: " + String.join(", ", config.profiles()) + ")");
        } else if (eab != null) {
            problem = new AcmeException(ProblemType.UNAUTHORIZED, "this account's external account key does not allow "
                    + "profile '" + name + "' (it allows: " + String.join(", ", eab.profiles()) + ")");
        } else {
            return name;
        }
        audit.refusedBounded("acme.order_refused", problem.type().name(), actor, problem,
                Map.of("identifiers", identifiers.toString()));
        throw problem;
    }

    /**
     * RFC 9773 section 5: the replaced certificate must be one this account ordered and share an
     * identifier with the new order.
     */
    private void checkReplaces(String certId, Account account, Set<Identifier> identifiers) {
        var cert = RenewalInfoHandler.certificate(certId, ca);
        Order previous = store.orderBySerial(cert.getSerialNumber().toString(16))
                .filter(o -> o.accountId().equals(account.id()))
                .orElseThrow(() -> new AcmeException(ProblemType.MALFORMED,
                        "replaces names a certificate this account did not order"));
        if (previous.identifiers().stream().noneMatch(identifiers::contains)) {
            throw new AcmeException(ProblemType.MALFORMED, "the replaced certificate shares no identifier with this order");
        }
    }

    /**
     * Wildcards only by the DNS challenges (RFC 8555 7.1.3): dns-01, dns-account-01 and
     * dns-persist-01 (whose record must then say policy=wildcard); IP addresses never by DNS
     * (RFC 8738). dns-persist-01 only when we have Issuer Domain Names (our CAA identities) for
     * its records to name.
     */
    List<String> challengeTypes(Identifier id) {
        if (id.type().equals("ip")) {
            return List.of("http-01", "tls-alpn-01");
        }
        List<String> types = new ArrayList<>(id.wildcard() ? List.of("dns-01", "dns-account-01")
                : List.of("http-01", "dns-01", "tls-alpn-01", "dns-account-01"));
        if (!org.medpki.acme.validation.IssuerDomainNames.of(config.caaIdentities()).isEmpty()) {
            types.add("dns-persist-01");
        }
        return types;
    }

    /**
     * The account's hourly limits (EAB-bound accounts have their own): all its orders, and its
     * orders for each exact name. Counted per account only, so that no account uses up a budget
     * that others need (one shared count per domain let any free account block a hospital's names).
     */
    private void rateLimit(Account account, Set<Identifier> identifiers, String actor) {
        Instant hourAgo = clock.instant().minus(Duration.ofHours(1));
        boolean bound = account.eabKid() != null;
        int perAccount = config.ordersPerHour(bound);
        if (store.ordersSince(account.id(), hourAgo) >= perAccount) {
            throw limited("account", actor, identifiers, "this account made " + perAccount + " orders in the last hour");
        }
        int perName = config.ordersPerNamePerHour(bound);
        for (Identifier id : identifiers) {
            if (store.ordersForIdentifierSince(account.id(), id, hourAgo) >= perName) {
                throw limited("name", actor, identifiers, "this account made " + perName + " orders for "
                        + id.value() + " in the last hour");
            }
        }
    }

    /** The rateLimited problem, audited within a budget: an account over its limit can keep asking. */
    private AcmeException limited(String limit, String actor, Set<Identifier> identifiers, String detail) {
        AcmeException problem = new AcmeException(ProblemType.RATE_LIMITED, detail, null, List.of(), Duration.ofMinutes(5));
        audit.refusedBounded("acme.order_rate_limited", limit, actor, problem, Map.of("identifiers", identifiers.toString()));
        return problem;
    }
}
