package org.medpki.core.crl;

import org.medpki.core.hierarchy.CaCertificate;

/**
 * Port: has a CRL made, signed and stored. The CA process implements it with {@link CrlIssuer}
 * (the CA's key in the HSM, the entries read from the inventory by the CA itself); a CRL publisher
 * in a process of its own reaches it over the CA API. The caller chooses when and which CRL, never
 * what it lists.
 */
public interface CrlSigning {

    /** A complete or delta CRL of one scope of an issuing CA. */
    PublishedCrl publish(CaCertificate ca, CrlScope scope, CrlKind kind, CrlDistribution distribution);

    /** The root's CRL (ARL). */
    PublishedCrl publishRoot(CaCertificate root);

    /** Why CRLs cannot be signed now (the CA service is unreachable), or empty. Blocks. */
    default java.util.Optional<String> unavailable() {
        return java.util.Optional.empty();
    }
}
