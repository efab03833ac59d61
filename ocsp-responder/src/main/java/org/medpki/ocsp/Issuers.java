package org.medpki.ocsp;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.core.inventory.CaRole;

/**
 * The issuing CAs the responder serves, found by the (hash algorithm, issuerKeyHash) of a CertID
 * and confirmed by the issuerNameHash. Immutable; a reload builds a new one. Issuing CAs without
 * an OCSP signer are not served (their CertIDs get 'unauthorized').
 */
public final class Issuers {
    private record Key(CertIdHash hash, ByteBuffer keyHash) {
    }

    private final Map<Key, Issuer> byKeyHash = new HashMap<>();
    private final Map<Long, Issuer> byId = new HashMap<>();
    private final long[] signerIds;

    private Issuers(List<Issuer> issuers) {
        for (Issuer i : issuers) {
            byId.put(i.caId(), i);
            for (CertIdHash h : CertIdHash.values()) {
                byKeyHash.put(new Key(h, ByteBuffer.wrap(i.keyHashes().get(h))), i);
            }
        }
        signerIds = issuers.stream().mapToLong(Issuer::signerId).toArray();
    }

    /** Whether that OCSP signer is the current one of a served CA. */
    public boolean isCurrentSigner(long signerId) {
        for (long id : signerIds) {
            if (id == signerId) {
                return true;
            }
        }
        return false;
    }

    public static Issuers of(Hierarchy hierarchy) {
        return new Issuers(hierarchy.withRole(CaRole.ISSUING).stream()
                .flatMap(ca -> hierarchy.ocspSignerOf(ca).map(s -> Issuer.of(ca, s)).stream())
                .toList());
    }

    public static Issuers of(List<Issuer> issuers) {
        return new Issuers(issuers);
    }

    public Optional<Issuer> find(CertIdHash hash, byte[] issuerNameHash, byte[] issuerKeyHash) {
        Issuer i = byKeyHash.get(new Key(hash, ByteBuffer.wrap(issuerKeyHash)));
        if (i == null || !Arrays.equals(i.nameHashes().get(hash), issuerNameHash)) {
            return Optional.empty();
        }
        return Optional.of(i);
    }

    public Optional<Issuer> byId(long caId) {
        return Optional.ofNullable(byId.get(caId));
    }

    public List<Issuer> all() {
        return List.copyOf(byId.values());
    }

    /** The served issuing CAs, for health output. */
    public List<String> names() {
        return byId.values().stream().map(Issuer::name).sorted().toList();
    }

    public boolean sameSigners(Issuers other) {
        if (!byId.keySet().equals(other.byId.keySet())) {
            return false;
        }
        return byId.values().stream().allMatch(i -> other.byId.get(i.caId()).signerId() == i.signerId());
    }
}
