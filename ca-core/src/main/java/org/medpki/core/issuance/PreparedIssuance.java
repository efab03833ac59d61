package org.medpki.core.issuance;

import java.math.BigInteger;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.profile.CertificateProfile;

/**
 * The single-use token between the two phases of issuance: a linted to-be-signed certificate
 * whose intent row is already in the inventory. Only {@link IssuanceService#issue(PreparedIssuance)}
 * can spend it, once.
 */
public final class PreparedIssuance {
    private final CaCertificate issuer;
    private final CertificateProfile profile;
    private final TBSCertificate tbs;
    private final String requester;
    private final AtomicBoolean spent = new AtomicBoolean();

    PreparedIssuance(CaCertificate issuer, CertificateProfile profile, TBSCertificate tbs, String requester) {
        this.issuer = issuer;
        this.profile = profile;
        this.tbs = tbs;
        this.requester = requester;
    }

    public BigInteger serial() {
        return tbs.getSerialNumber().getValue();
    }

    public CaCertificate issuer() {
        return issuer;
    }

    public CertificateProfile profile() {
        return profile;
    }

    TBSCertificate tbs() {
        return tbs;
    }

    String requester() {
        return requester;
    }

    /** True the first time only. */
    boolean spend() {
        return spent.compareAndSet(false, true);
    }
}
