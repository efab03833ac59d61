package org.medpki.core.policy;

import java.util.List;
import java.util.Objects;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * A certificate request that passed every check of its profile: the subject and SANs to certify
 * (names normalised: DNS names in lower case, duplicates removed) and the key, with the SHA-256
 * of its DER SubjectPublicKeyInfo for key blocklists and the inventory.
 */
public record ValidatedRequest(X500Name subject, SubjectPublicKeyInfo publicKey, List<GeneralName> subjectAltNames,
                               byte[] spkiSha256) {
    public ValidatedRequest {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(publicKey, "publicKey");
        subjectAltNames = List.copyOf(Objects.requireNonNull(subjectAltNames, "subjectAltNames"));
        Objects.requireNonNull(spkiSha256, "spkiSha256");
        if (spkiSha256.length != 32) {
            throw new IllegalArgumentException("spkiSha256 must be 32 octets");
        }
        spkiSha256 = spkiSha256.clone();
    }

    @Override
    public byte[] spkiSha256() {
        return spkiSha256.clone();
    }

    /** The SANs as "dns:x", "ip:a.b.c.d", "email:u@d", "uri:..." (for the inventory and logs). */
    public List<String> subjectAltNameStrings() {
        return subjectAltNames.stream().map(NamePolicy::render).toList();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ValidatedRequest r && r.subject.equals(subject) && r.publicKey.equals(publicKey)
                && r.subjectAltNames.equals(subjectAltNames) && java.util.Arrays.equals(r.spkiSha256, spkiSha256);
    }

    @Override
    public int hashCode() {
        return Objects.hash(subject, publicKey, subjectAltNames, java.util.Arrays.hashCode(spkiSha256));
    }
}
