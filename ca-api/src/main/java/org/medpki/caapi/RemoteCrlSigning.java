package org.medpki.caapi;

import org.medpki.core.crl.CrlDistribution;
import org.medpki.core.crl.CrlKind;
import org.medpki.core.crl.CrlScope;
import org.medpki.core.crl.CrlSigning;
import org.medpki.core.crl.PublishedCrl;
import org.medpki.core.hierarchy.CaCertificate;

/** CRLs made by the CA service, asked for over the CA API (a CRL publisher in a process of its own). */
public final class RemoteCrlSigning implements CrlSigning {
    private final CaApiClient ca;

    public RemoteCrlSigning(CaApiClient ca) {
        this.ca = ca;
    }

    @Override
    public PublishedCrl publish(CaCertificate issuing, CrlScope scope, CrlKind kind, CrlDistribution distribution) {
        return ca.publishCrl(issuing.name(), scope.shard(), kind);
    }

    @Override
    public PublishedCrl publishRoot(CaCertificate root) {
        return ca.publishCrl(root.name(), 0, CrlKind.FULL);
    }

    @Override
    public java.util.Optional<String> unavailable() {
        return ca.unavailable();
    }
}
