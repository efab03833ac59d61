package org.medpki.acme;

import java.math.BigInteger;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x509.GeneralName;
import org.medpki.core.inventory.Inventory;
import org.medpki.core.issuance.IssuanceService;
import org.medpki.core.issuance.IssueCommand;
import org.medpki.core.issuance.IssuedCertificate;
import org.medpki.core.profile.ProfileCatalog;
import org.medpki.core.revocation.RevocationReason;
import org.medpki.core.revocation.RevocationService;

/**
 * The CA in this process: ca-core's issuance and revocation services. Used by tests and tools
 * that run ACME beside the CA; the services run ACME with {@link RemoteAuthority}.
 */
public final class InProcessAuthority extends InventoryReads {
    private final IssuanceService issuance;
    private final RevocationService revocation;

    public InProcessAuthority(IssuanceService issuance, RevocationService revocation, Inventory inventory,
                              ProfileCatalog profiles) {
        super(inventory, profiles);
        this.issuance = issuance;
        this.revocation = revocation;
    }

    @Override
    public IssuedCertificate issue(String profile, byte[] csr, String requester, List<GeneralName> names) {
        return issuance.issue(new IssueCommand(profile, csr, requester, null, names, Set.of(), true));
    }

    @Override
    public void revoke(BigInteger serial, RevocationReason reason, String actor) {
        revocation.revoke(null, serial, reason, actor, null);
    }
}
