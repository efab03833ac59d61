package org.medpki.acme;

import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.x509.GeneralName;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.inventory.CertificateStatus;
import org.medpki.core.inventory.Inventory;
import org.medpki.core.issuance.IssuanceService;
import org.medpki.core.issuance.IssueCommand;
import org.medpki.core.issuance.IssuedCertificate;
import org.medpki.core.policy.NamePolicy;
import org.medpki.core.profile.CertificateProfile;
import org.medpki.core.profile.ProfileCatalog;
import org.medpki.core.revocation.RevocationReason;
import org.medpki.core.revocation.RevocationService;

/** The CA in this process (embedded mode, 'pki up'): ca-core's issuance and revocation services. */
public final class InProcessAuthority implements CertificateAuthority {
    private final IssuanceService issuance;
    private final RevocationService revocation;
    private final Inventory inventory;
    private final ProfileCatalog profiles;

    public InProcessAuthority(IssuanceService issuance, RevocationService revocation, Inventory inventory,
                              ProfileCatalog profiles) {
        this.issuance = issuance;
        this.revocation = revocation;
        this.inventory = inventory;
        this.profiles = profiles;
    }

    @Override
    public IssuedCertificate issue(String profile, byte[] csr, String requester, List<GeneralName> names) {
        return issuance.issue(new IssueCommand(profile, csr, requester, null, names, Set.of()));
    }

    @Override
    public Optional<byte[]> issued(BigInteger serial) {
        return inventory.certificatesWithSerial(serial).stream()
                .filter(r -> r.status() != CertificateStatus.PENDING && r.der() != null)
                .map(r -> r.der()).findFirst();
    }

    @Override
    public void checkIdentifier(String profile, Identifier identifier) {
        CertificateProfile p = profiles.get(profile);
        try {
            NamePolicy.check(identifier.generalName(), p.subjectAltNames(), p.name());
        } catch (PkiException e) {
            if (e.kind() == ErrorKind.REJECTED_IDENTIFIER || e.kind() == ErrorKind.BAD_CSR) {
                throw new AcmeException(ProblemType.REJECTED_IDENTIFIER, e.publicDetail(), identifier, List.of(), null);
            }
            throw e;
        }
    }

    @Override
    public boolean revoked(BigInteger serial) {
        return inventory.certificatesWithSerial(serial).stream().anyMatch(r -> r.status() == CertificateStatus.REVOKED);
    }

    @Override
    public void revoke(BigInteger serial, RevocationReason reason, String actor) {
        revocation.revoke(null, serial, reason, actor, null);
    }
}
