package org.medpki.core.hierarchy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.cert.X509CertificateHolder;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.inventory.CaRecord;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.inventory.Inventory;

/**
 * The PKI's own certificates as recorded at the ceremony: the root, the issuing CAs, their OCSP
 * signers and the audit signer. Immutable; reload after a ceremony or rotation.
 */
public final class Hierarchy {
    private final Map<Long, CaCertificate> byId = new LinkedHashMap<>();
    private final Map<String, CaCertificate> byName = new LinkedHashMap<>();

    private Hierarchy(List<CaRecord> records) {
        for (CaRecord r : records) {
            CaCertificate ca = CaCertificate.of(r);
            byId.put(r.id(), ca);
            byName.put(r.name(), ca);
        }
    }

    public static Hierarchy load(Inventory inventory) {
        return new Hierarchy(inventory.cas());
    }

    /** The hierarchy of these CA rows (as {@link #load} reads them). */
    public static Hierarchy of(List<CaRecord> records) {
        return new Hierarchy(records);
    }

    public boolean isEmpty() {
        return byId.isEmpty();
    }

    public List<CaCertificate> all() {
        return List.copyOf(byId.values());
    }

    public List<CaCertificate> withRole(CaRole role) {
        return byId.values().stream().filter(c -> c.record().role() == role).toList();
    }

    public CaCertificate root() {
        // The newest root: after a root rollover the old one stays for its certificates' chains.
        List<CaCertificate> roots = withRole(CaRole.ROOT);
        if (roots.isEmpty()) {
            throw new PkiException(ErrorKind.NOT_FOUND, "the PKI has no root CA yet: run 'pki init'");
        }
        return roots.getLast();
    }

    public Optional<CaCertificate> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Optional<CaCertificate> byId(long id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** The issuing CA of that name, or NOT_FOUND naming the issuing CAs there are. */
    public CaCertificate issuing(String name) {
        CaCertificate ca = byName.get(name);
        if (ca == null || ca.record().role() != CaRole.ISSUING) {
            throw new PkiException(ErrorKind.NOT_FOUND, "no issuing CA named '" + name + "' (issuing CAs: "
                    + String.join(", ", withRole(CaRole.ISSUING).stream().map(CaCertificate::name).toList()) + ")");
        }
        return ca;
    }

    /**
     * Every generation of the issuing CA that profiles call {@code issuerName}, oldest first: that
     * CA and the ones a rollover recorded as {@code <name>-g<n>} ({@link CaRollover#generationName}).
     * Read from the CA rows alone (only the CA writes them), so that a process without access to
     * the rollover record (a service calling the CA API) knows them too; empty for an unknown name.
     */
    public List<CaCertificate> generationsByName(String issuerName) {
        return byId.values().stream().filter(c -> c.record().role() == CaRole.ISSUING)
                .filter(c -> CaRollover.firstGenerationName(c.name()).equals(issuerName))
                .sorted(java.util.Comparator.comparingLong(c -> c.record().id())).toList();
    }

    /** The newest OCSP-signing delegate of an issuing CA. */
    public Optional<CaCertificate> ocspSignerOf(CaCertificate issuing) {
        return withRole(CaRole.OCSP_SIGNER).stream()
                .filter(c -> c.record().parentId() != null && c.record().parentId() == issuing.record().id())
                .reduce((a, b) -> b);
    }

    public Optional<CaCertificate> auditSigner() {
        return withRole(CaRole.AUDIT).stream().reduce((a, b) -> b);
    }

    /** The chain above a certificate issued by {@code issuer}: issuer first, root excluded. */
    public List<X509CertificateHolder> chainAbove(CaCertificate issuer) {
        List<X509CertificateHolder> chain = new ArrayList<>();
        CaCertificate current = issuer;
        while (current != null && current.record().role() != CaRole.ROOT) {
            chain.add(current.certificate());
            Long parent = current.record().parentId();
            current = parent == null ? null : byId.get(parent);
        }
        return chain;
    }
}
