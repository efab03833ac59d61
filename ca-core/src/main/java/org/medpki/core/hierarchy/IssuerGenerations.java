package org.medpki.core.hierarchy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The generations of each issuing CA: profiles name an issuing CA by its first generation's name
 * ({@code server-ca}); each completed rollover adds a generation with a CA row, key and CRLs of its
 * own ({@code server-ca-g2}, ...). Issuance uses the newest generation whose switch time has come;
 * the older ones keep signing their CRLs and OCSP (through their delegated signers) for the
 * certificates they issued. Immutable.
 */
public final class IssuerGenerations {
    private final Hierarchy hierarchy;
    private final List<CaRollover> completed;

    public IssuerGenerations(Hierarchy hierarchy, List<CaRollover> rollovers) {
        this.hierarchy = Objects.requireNonNull(hierarchy, "hierarchy");
        this.completed = rollovers.stream().filter(CaRollover::completed)
                .sorted(Comparator.comparingInt(CaRollover::generation)).toList();
    }

    public Hierarchy hierarchy() {
        return hierarchy;
    }

    /**
     * The generation of the issuing CA that profiles call {@code issuerName} that signs at
     * {@code now}; NOT_FOUND (naming the issuing CAs) when there is no such issuing CA.
     */
    public CaCertificate active(String issuerName, Instant now) {
        CaCertificate active = hierarchy.issuing(issuerName);
        for (CaRollover r : completed) {
            if (r.issuerName().equals(issuerName) && !r.switchAt().isAfter(now)) {
                active = hierarchy.byId(r.caId()).orElse(active);
            }
        }
        return active;
    }

    /** Every generation of {@code issuerName}, oldest first (the first is the CA of that name). */
    public List<CaCertificate> generations(String issuerName) {
        List<CaCertificate> all = new ArrayList<>();
        hierarchy.byName(issuerName).ifPresent(all::add);
        for (CaRollover r : completed) {
            if (r.issuerName().equals(issuerName)) {
                hierarchy.byId(r.caId()).ifPresent(all::add);
            }
        }
        return all;
    }

    /** The rollover that made CA row {@code caId}, when it is a later generation. */
    public Optional<CaRollover> madeBy(long caId) {
        return completed.stream().filter(r -> r.caId() == caId).findFirst();
    }

    /**
     * The rollover that superseded the generation with CA row {@code caId}: the next generation,
     * when there is one. Its switch time is when that CA stopped (or stops) issuing.
     */
    public Optional<CaRollover> supersededBy(long caId) {
        return completed.stream().filter(r -> r.previousCaId() == caId).findFirst();
    }

    /** The name profiles use for the CA of row {@code caId}: its first generation's name. */
    public String issuerNameOf(CaCertificate ca) {
        return madeBy(ca.record().id()).map(CaRollover::issuerName).orElse(ca.name());
    }
}
