package org.medpki.core.profile;

import java.time.Duration;
import java.util.Objects;

/**
 * The CP's revocation service levels (CP 4.9.5, 4.9.7, 4.9.10), checked by the compliance report
 * against what the OCSP responder and CRL publisher stored:
 * <ul>
 * <li>{@code revocationToOcsp}: from revocation to a signed "revoked" OCSP response;</li>
 * <li>{@code revocationToCrl}: from revocation to the first published CRL listing it;</li>
 * <li>{@code ocspMaxAge}: the oldest thisUpdate a stored response may have;</li>
 * <li>{@code crlMaxAge}: the oldest thisUpdate an issuing CA's newest complete CRL may have.</li>
 * </ul>
 */
public record RevocationServiceLevels(Duration revocationToOcsp, Duration revocationToCrl, Duration ocspMaxAge,
                                      Duration crlMaxAge) {
    public RevocationServiceLevels {
        positive(revocationToOcsp, "revocationToOcsp");
        positive(revocationToCrl, "revocationToCrl");
        positive(ocspMaxAge, "ocspMaxAge");
        positive(crlMaxAge, "crlMaxAge");
    }

    private static void positive(Duration d, String key) {
        Objects.requireNonNull(d, "serviceLevels." + key);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("serviceLevels." + key + " must be positive");
        }
    }
}
