package org.medpki.caapi;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.medpki.core.error.PkiException;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.hierarchy.Hierarchy;

/**
 * The generations of the issuing CA whose certificates identify the parties of the CA API and the
 * admin API (the CA that issues the service and admin profiles): after a rollover, certificates
 * from the new generation and those still in use from the old one must both be recognised, each
 * by its own generation's key. Read from the CA rows when made; read again when a certificate's
 * issuer is none of the known generations (a generation certified since), at most every
 * {@link #REREAD_NANOS}, so that a burst of foreign certificates costs at most one read per
 * interval. When the database does not answer a re-read, what was read before stands. Thread-safe;
 * {@link #reread} blocks.
 */
public final class CallerIssuers {
    static final long REREAD_NANOS = 2_000_000_000L;

    private record Known(List<CaCertificate> generations, X509Certificate[] accepted, long readAt) {
    }

    private final Supplier<Hierarchy> loader;
    private final String issuerName;
    private final LongSupplier nanoTime;
    private volatile Known known;

    /**
     * {@code loader}: the CA rows as they are now (blocking); {@code issuerName}: the issuing CA as
     * profiles name it (its first generation). Reads now: NOT_FOUND when there is no such issuing CA.
     */
    public CallerIssuers(Supplier<Hierarchy> loader, String issuerName) {
        this(loader, issuerName, System::nanoTime);
    }

    CallerIssuers(Supplier<Hierarchy> loader, String issuerName, LongSupplier nanoTime) {
        this.loader = Objects.requireNonNull(loader, "loader");
        this.issuerName = Objects.requireNonNull(issuerName, "issuerName");
        this.nanoTime = nanoTime;
        Hierarchy hierarchy = loader.get();
        hierarchy.issuing(issuerName); // NOT_FOUND naming the issuing CAs
        this.known = read(hierarchy, nanoTime.getAsLong());
    }

    /** The issuing CA as profiles name it. */
    public String issuerName() {
        return issuerName;
    }

    /** The generations known now, oldest first; never blocks. */
    public List<CaCertificate> generations() {
        return known.generations();
    }

    /**
     * The CA certificates a TLS server names to its clients as those to present a certificate of:
     * every known generation and the CAs above them, so that a client holding a certificate of a
     * generation not read yet (its chain names the root) still presents it. Never blocks.
     */
    public X509Certificate[] acceptedIssuers() {
        return known.accepted().clone();
    }

    /** The known generation whose key signed {@code leaf}, re-reading the generations once if none did. Blocks. */
    public Optional<CaCertificate> signerOf(X509Certificate leaf) {
        Optional<CaCertificate> signer = signerOf(leaf, known.generations());
        if (signer.isPresent()) {
            return signer;
        }
        return signerOf(leaf, reread());
    }

    /** Whether some known generation has {@code leaf}'s issuer name (re-reading as {@link #signerOf} does). */
    public boolean namesIssuerOf(X509Certificate leaf) {
        return known.generations().stream().anyMatch(c -> sameName(c, leaf))
                || reread().stream().anyMatch(c -> sameName(c, leaf));
    }

    /**
     * The generations read again, unless they were read less than {@link #REREAD_NANOS} ago or the
     * database does not answer: then those known. Blocks.
     */
    public synchronized List<CaCertificate> reread() {
        Known k = known;
        long now = nanoTime.getAsLong();
        if (now - k.readAt() < REREAD_NANOS) {
            return k.generations();
        }
        try {
            known = read(loader.get(), now);
        } catch (PkiException e) {
            known = new Known(k.generations(), k.accepted(), now);
        }
        return known.generations();
    }

    private Known read(Hierarchy hierarchy, long now) {
        List<CaCertificate> generations = hierarchy.generationsByName(issuerName);
        Set<X509Certificate> accepted = new LinkedHashSet<>();
        for (CaCertificate g : generations) {
            accepted.add(g.x509());
            Long parent = g.record().parentId();
            if (parent != null) {
                hierarchy.byId(parent).ifPresent(p -> accepted.add(p.x509()));
            }
        }
        return new Known(List.copyOf(generations), new ArrayList<>(accepted).toArray(X509Certificate[]::new), now);
    }

    private static Optional<CaCertificate> signerOf(X509Certificate leaf, List<CaCertificate> generations) {
        for (CaCertificate g : generations) {
            if (!sameName(g, leaf)) {
                continue;
            }
            try {
                leaf.verify(g.publicKey());
                return Optional.of(g);
            } catch (GeneralSecurityException e) {
                // not this generation's signature; another generation may share the name
            }
        }
        return Optional.empty();
    }

    private static boolean sameName(CaCertificate ca, X509Certificate leaf) {
        return leaf.getIssuerX500Principal().equals(ca.x509().getSubjectX500Principal());
    }
}
