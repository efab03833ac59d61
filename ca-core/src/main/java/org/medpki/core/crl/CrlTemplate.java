package org.medpki.core.crl;

import java.math.BigInteger;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import org.medpki.core.template.IssuerInfo;

/**
 * What a CRL will say apart from its entries: issuer, kind, CRL number (and base CRL number of a
 * delta), thisUpdate and nextUpdate (whole seconds), the issuing distribution point URL (null
 * for a CA's complete CRL, which covers all its certificates) and the Freshest CRL URL put in a
 * complete CRL (null for none).
 */
public record CrlTemplate(IssuerInfo issuer, CrlKind kind, BigInteger number, BigInteger baseNumber,
                          Instant thisUpdate, Instant nextUpdate, String distributionPoint, String freshestCrl) {
    public CrlTemplate {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(number, "number");
        Objects.requireNonNull(thisUpdate, "thisUpdate");
        Objects.requireNonNull(nextUpdate, "nextUpdate");
        thisUpdate = thisUpdate.truncatedTo(ChronoUnit.SECONDS);
        nextUpdate = nextUpdate.truncatedTo(ChronoUnit.SECONDS);
        if (kind == CrlKind.DELTA && baseNumber == null) {
            throw new IllegalArgumentException("a delta CRL needs its base CRL number");
        }
        if (kind == CrlKind.FULL && baseNumber != null) {
            throw new IllegalArgumentException("a complete CRL has no base CRL number");
        }
        if (kind == CrlKind.DELTA && freshestCrl != null) {
            throw new IllegalArgumentException("a delta CRL carries no Freshest CRL extension");
        }
    }
}
