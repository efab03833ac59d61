package org.medpki.acme;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.inventory.CertificateRecord;
import org.medpki.core.inventory.CertificateStatus;
import org.medpki.core.inventory.Inventory;
import org.medpki.core.policy.NamePolicy;
import org.medpki.core.profile.CertificateProfile;
import org.medpki.core.profile.ProfileCatalog;
import org.medpki.core.profile.SanRules;
import org.medpki.core.profile.SanType;

/**
 * A CA as the ACME front end sees it, in-process or split: what it reads for itself (certificates
 * from the inventory, which its database role may read; the profiles' name rules, public data)
 * is here; only issuing and revoking go to the CA, and subclasses say how.
 */
abstract class InventoryReads implements CertificateAuthority {
    private final Inventory inventory;
    private final ProfileCatalog profiles;
    private final org.medpki.core.hierarchy.CaRollovers rollovers;

    InventoryReads(Inventory inventory, ProfileCatalog profiles) {
        this(inventory, profiles, org.medpki.core.hierarchy.CaRollovers.NONE);
    }

    /** {@code rollovers}: the issuing CAs' rollovers, for {@link #issuerSupersededAt}. */
    InventoryReads(Inventory inventory, ProfileCatalog profiles, org.medpki.core.hierarchy.CaRollovers rollovers) {
        this.inventory = inventory;
        this.profiles = profiles;
        this.rollovers = rollovers;
    }

    @Override
    public final Optional<Instant> issuerSupersededAt(BigInteger serial) {
        List<org.medpki.core.hierarchy.CaRollover> done = rollovers.all().stream()
                .filter(org.medpki.core.hierarchy.CaRollover::completed).toList();
        if (done.isEmpty()) {
            return Optional.empty();
        }
        return inventory.certificatesWithSerial(serial).stream()
                .filter(r -> r.status() != CertificateStatus.PENDING)
                .flatMap(r -> done.stream().filter(g -> g.previousCaId() == r.caId()))
                .map(org.medpki.core.hierarchy.CaRollover::switchAt).min(Instant::compareTo);
    }

    @Override
    public final Optional<byte[]> issued(BigInteger serial) {
        return inventory.certificatesWithSerial(serial).stream()
                .filter(r -> r.status() != CertificateStatus.PENDING && r.der() != null)
                .map(r -> r.der()).findFirst();
    }

    @Override
    public final String acmeProfileDescription(String profile) {
        CertificateProfile p;
        try {
            p = profiles.get(profile);
        } catch (PkiException e) {
            throw new IllegalArgumentException("acme.profiles: " + e.publicDetail());
        }
        SanRules names = p.subjectAltNames();
        if (!names.allowsDns() && !names.allowsIp()) {
            throw new IllegalArgumentException("acme.profiles: profile " + profile
                    + " allows neither DNS names nor IP addresses, the only identifiers ACME validates");
        }
        if (names.required().contains(SanType.URI) || names.required().contains(SanType.EMAIL)) {
            throw new IllegalArgumentException("acme.profiles: profile " + profile + " requires a " + names.required()
                    + " name, which ACME cannot validate");
        }
        return p.description();
    }

    @Override
    public final void checkIdentifier(String profile, Identifier identifier) {
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
    public final Optional<Instant> revokedAt(BigInteger serial) {
        return inventory.certificatesWithSerial(serial).stream()
                .map(r -> earliest(r.status() == CertificateStatus.REVOKED ? r.revokedAt() : null, issuerRevokedAt(r)))
                .filter(java.util.Objects::nonNull).min(Instant::compareTo);
    }

    /**
     * When the CA that issued {@code certificate} was revoked, or null. The hook for CA
     * revocation: the inventory keeps no revocation of a CA yet ({@link org.medpki.core.inventory.CaRecord}
     * has none), so every issuing CA stands; once it does, answer it here and ARI moves every
     * certificate of a revoked CA into the past as it does a revoked certificate.
     */
    Instant issuerRevokedAt(CertificateRecord certificate) {
        return null;
    }

    private static Instant earliest(Instant a, Instant b) {
        return a == null ? b : b == null ? a : a.isBefore(b) ? a : b;
    }
}
