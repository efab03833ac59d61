package org.medpki.device;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.Supplier;
import org.medpki.caapi.CaApiClient;
import org.medpki.core.policy.AssignedIdentity;
import org.medpki.core.issuance.IssuedCertificate;
import org.medpki.core.revocation.RevocationReason;

/** {@link DeviceCa} over the CA API: the enrollment services hold no CA key and open no token. */
public final class RemoteDeviceCa implements DeviceCa {
    private final CaApiClient client;
    private final Supplier<List<X509Certificate>> caCertificates;

    /** {@code caCertificates}: the chain devices are handed (read from the inventory as it is now). */
    public RemoteDeviceCa(CaApiClient client, Supplier<List<X509Certificate>> caCertificates) {
        this.client = client;
        this.caCertificates = caCertificates;
    }

    @Override
    public IssuedCertificate issue(String profile, byte[] request, String requester, AssignedIdentity identity) {
        return client.issueAssigned(profile, request, requester, identity);
    }

    @Override
    public void revoke(String issuer, BigInteger serial, RevocationReason reason, String actor) {
        client.revoke(serial, issuer, reason, actor);
    }

    @Override
    public List<X509Certificate> caCertificates() {
        return caCertificates.get();
    }
}
