package org.medpki.core.crl;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.keys.SigningKeys;
import org.medpki.core.signing.HsmContentSigner;

/**
 * Makes and stores CRLs: takes the scope's next CRL number, streams the revoked certificates
 * into a {@link CrlBuilder}, lints and signs with the CA's key in the HSM, and stores the result,
 * in one transaction of the {@link CrlStore}. Thread-safe; calls block.
 */
public final class CrlIssuer implements CrlSigning {
    private final CrlStore store;
    private final SigningKeys keys;
    private final CrlPolicy policy;
    private final String crlBaseUrl;
    private final Clock clock;

    /** {@code crlBaseUrl}: where the CRLs are published (e.g. http://pki.example:8080/crl), no trailing slash. */
    public CrlIssuer(CrlStore store, SigningKeys keys, CrlPolicy policy, String crlBaseUrl, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.crlBaseUrl = stripSlash(Objects.requireNonNull(crlBaseUrl, "crlBaseUrl"));
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public CrlPolicy policy() {
        return policy;
    }

    /** The URL of a scope's CRL of a kind, e.g. http://host/crl/server-ca-2-delta.crl. */
    public String url(CrlScope scope, CrlKind kind) {
        return crlBaseUrl + "/" + scope.fileName(kind);
    }

    /**
     * Every scope of the CA to publish: the configured ones and each shard beyond them that still
     * holds certificates whose entries may be listed (issued under an earlier, larger shard count).
     */
    public List<CrlScope> scopes(CaCertificate ca, CrlDistribution distribution) {
        return distribution.scopes(ca.name(), CrlDistribution.live(store.shardsInUse(ca.record().id()),
                clock.instant().minus(policy.keepExpired())));
    }

    /**
     * Publishes a complete or delta CRL of an issuing CA's scope: one of {@link #scopes} (NOT_FOUND
     * for a shard that is neither configured nor in use). Partitions carry an issuing
     * distribution point naming their URL (the CDP their certificates carry); complete CRLs
     * carry Freshest CRL when the CA publishes deltas.
     */
    @Override
    public PublishedCrl publish(CaCertificate ca, CrlScope scope, CrlKind kind, CrlDistribution distribution) {
        if (ca.record().role() != CaRole.ISSUING) {
            throw new PkiException(ErrorKind.CONFIGURATION, ca.name() + " is not an issuing CA");
        }
        if (!scope.caName().equals(ca.name())) {
            throw new IllegalArgumentException("scope " + scope + " is not of CA " + ca.name());
        }
        if (kind == CrlKind.DELTA && !distribution.deltas()) {
            throw new PkiException(ErrorKind.CONFIGURATION, "delta CRLs are not enabled for " + ca.name());
        }
        if (!distribution.scopes(ca.name()).contains(scope) && !scopes(ca, distribution).contains(scope)) {
            throw new PkiException(ErrorKind.NOT_FOUND, "CA " + ca.name() + " publishes no CRL for shard "
                    + scope.shard());
        }
        String idp = scope.partitioned() ? url(scope, CrlKind.FULL) : null;
        String freshest = kind == CrlKind.FULL && distribution.deltas() ? url(scope, CrlKind.DELTA) : null;
        return make(ca, scope.shard(), kind, policy.validity(kind), idp, freshest);
    }

    /**
     * The final complete CRLs of an issuing CA whose key is being retired, one per scope, valid
     * until {@code nextUpdate} (past the last expiry of what it signed) and naming no delta CRL:
     * after them the key signs nothing more.
     */
    public List<PublishedCrl> publishFinal(CaCertificate ca, CrlDistribution distribution, Instant nextUpdate) {
        if (ca.record().role() != CaRole.ISSUING) {
            throw new PkiException(ErrorKind.CONFIGURATION, ca.name() + " is not an issuing CA");
        }
        List<PublishedCrl> out = new java.util.ArrayList<>();
        for (CrlScope scope : scopes(ca, distribution)) {
            Duration validity = Duration.between(clock.instant().truncatedTo(ChronoUnit.SECONDS), nextUpdate);
            out.add(make(ca, scope.shard(), CrlKind.FULL, validity,
                    scope.partitioned() ? url(scope, CrlKind.FULL) : null, null));
        }
        return out;
    }

    /** The root's CRL (ARL): complete, no IDP, valid for {@link CrlPolicy#rootValidity()}. */
    @Override
    public PublishedCrl publishRoot(CaCertificate root) {
        if (root.record().role() != CaRole.ROOT) {
            throw new PkiException(ErrorKind.CONFIGURATION, root.name() + " is not the root CA");
        }
        return make(root, 0, CrlKind.FULL, policy.rootValidity(), null, null);
    }

    private PublishedCrl make(CaCertificate ca, int shard, CrlKind kind, Duration validity, String idp,
                              String freshest) {
        Instant thisUpdate = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Instant nextUpdate = thisUpdate.plus(validity);
        // Entries revoked before the end of thisUpdate's second: their dates, in whole seconds, are
        // not after thisUpdate; later ones wait for the next CRL.
        var request = new CrlStore.CrlRequest(ca.record().id(), shard, kind, thisUpdate.plusSeconds(1),
                thisUpdate.minus(policy.keepExpired()), policy.deltaOverlap());
        return store.publish(request, (number, base, entries) -> {
            CrlBuilder builder = new CrlBuilder(new CrlTemplate(ca.issuerInfo(), kind, number,
                    base == null ? null : base.number(), thisUpdate, nextUpdate, idp, freshest));
            entries.forEach(builder::add);
            return builder.sign(new HsmContentSigner(keys, ca.keyLabel(), ca.signatureAlgorithm()), clock.instant());
        });
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
