package org.medpki.acme;

import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.x509.GeneralName;
import org.medpki.caapi.CaApiClient;
import org.medpki.core.inventory.Inventory;
import org.medpki.core.issuance.IssuedCertificate;
import org.medpki.core.profile.ProfileCatalog;
import org.medpki.core.revocation.RevocationReason;

/**
 * The CA in another process ('pki serve acme'): issuance and revocation over the CA API with this
 * service's client certificate; the CA decides what ACME may do. This process holds no PKCS#11
 * module and no PIN.
 */
public final class RemoteAuthority extends InventoryReads {
    private final CaApiClient ca;

    public RemoteAuthority(CaApiClient ca, Inventory inventory, ProfileCatalog profiles) {
        super(inventory, profiles);
        this.ca = ca;
    }

    /** {@code rollovers}: the issuing CAs' rollovers, so that ARI moves certificates of a superseded CA to the new one. */
    public RemoteAuthority(CaApiClient ca, Inventory inventory, ProfileCatalog profiles,
                           org.medpki.core.hierarchy.CaRollovers rollovers) {
        super(inventory, profiles, rollovers);
        this.ca = ca;
    }

    @Override
    public IssuedCertificate issue(String profile, byte[] csr, String requester, List<GeneralName> names) {
        return ca.issue(profile, csr, requester, names, Set.of());
    }

    @Override
    public Optional<String> unavailable() {
        return ca.unavailable();
    }

    @Override
    public void revoke(BigInteger serial, RevocationReason reason, String actor) {
        ca.revoke(serial, null, reason, actor);
    }
}
