package org.medpki.core.hierarchy;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.inventory.Inventory;
import org.medpki.core.keys.KeyAlgorithm;
import org.medpki.core.keys.KeyPairInfo;
import org.medpki.core.keys.SigningKeys;
import org.medpki.core.signing.HsmContentSigner;

/**
 * The responder's side of an OCSP signer rotation (CP/CPS 6.3.2): for each issuing CA whose
 * newest delegate expires within the margin, was revoked, or whose delegate's key is not in the OCSP token (an
 * installation made before the OCSP signers had a token of their own), a new key is generated in
 * the OCSP token, with the key type of the one it replaces (P-256 for a first one), and a PKCS#10
 * request signed with it goes to the CA through {@link OcspSignerCertifier}, which decides the
 * certificate's content, signs it with the issuing CA's key and records it. This side needs only
 * the OCSP token: in process ({@link CaOcspSignerCertifier}) on a host that holds both tokens, over
 * the CA's API from a separate OCSP host. The old signer stays in the inventory (responses it
 * signed remain verifiable); responders take the newest.
 */
public final class OcspSignerRotation {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss")
            .withZone(ZoneOffset.UTC);

    private final SigningKeys ocspKeys;
    private final Inventory inventory;
    private final OcspSignerCertifier certifier;
    private final Clock clock;

    /** {@code ocspKeys}: the OCSP token; {@code certifier}: the CA, in process or remote. */
    public OcspSignerRotation(SigningKeys ocspKeys, Inventory inventory, OcspSignerCertifier certifier, Clock clock) {
        this.ocspKeys = Objects.requireNonNull(ocspKeys, "ocspKeys");
        this.inventory = Objects.requireNonNull(inventory, "inventory");
        this.certifier = Objects.requireNonNull(certifier, "certifier");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** What a rotation did for one issuing CA; {@code keyLabel} names the new key in the OCSP token. */
    public record Rotated(String issuingCa, String oldSigner, String newSigner, Instant notAfter, String keyLabel) {
    }

    /**
     * Rotates the signer of every unrevoked issuing CA whose newest signer expires within
     * {@code margin}, was revoked, or has its key outside the OCSP token (or of all of them when {@code force}). Returns what was
     * rotated; an empty list when nothing was due.
     */
    public List<Rotated> rotateDue(Duration margin, boolean force, String operator) {
        Objects.requireNonNull(margin, "margin");
        if (margin.isNegative()) {
            throw new PkiException(ErrorKind.CONFIGURATION, "the OCSP signer rotation margin must not be negative");
        }
        Hierarchy hierarchy = Hierarchy.load(inventory);
        java.util.Set<Long> revoked = new java.util.HashSet<>();
        inventory.caRevocations().forEach(r -> revoked.add(r.caId()));
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        List<Rotated> done = new ArrayList<>();
        for (CaCertificate issuing : hierarchy.withRole(CaRole.ISSUING)) {
            if (issuing.record().notAfter() != null && !issuing.record().notAfter().isAfter(now)
                    || revoked.contains(issuing.record().id())) {
                continue; // an expired or revoked issuing CA signs nothing any more
            }
            Optional<CaCertificate> current = hierarchy.ocspSignerOf(issuing);
            boolean due = force || current.isEmpty()
                    || !current.get().x509().getNotAfter().toInstant().isAfter(now.plus(margin))
                    || ocspKeys.find(current.get().keyLabel()).isEmpty()
                    || revoked.contains(current.get().record().id()); // a revoked signer is replaced at once
            if (due) {
                done.add(rotate(issuing, current.orElse(null), now, operator));
            }
        }
        return done;
    }

    /** The newest signers (names) whose key is not in the OCSP token: they sign nothing until rotated. */
    public List<String> signersOutsideTheToken() {
        Hierarchy hierarchy = Hierarchy.load(inventory);
        List<String> outside = new ArrayList<>();
        for (CaCertificate issuing : hierarchy.withRole(CaRole.ISSUING)) {
            hierarchy.ocspSignerOf(issuing).filter(s -> ocspKeys.find(s.keyLabel()).isEmpty())
                    .ifPresent(s -> outside.add(s.name()));
        }
        return outside;
    }

    private Rotated rotate(CaCertificate issuing, CaCertificate current, Instant now, String operator) {
        // Same key type as the signer being replaced; P-256 for a first one. The CA decides the rest.
        KeyAlgorithm algorithm = current == null ? KeyAlgorithm.EC_P256 : current.keyAlgorithm();
        X500Name subject = current != null ? current.certificate().getSubject()
                : new X500Name("CN=" + issuing.name() + " OCSP Signer");
        String label = issuing.name() + "-ocsp." + STAMP.format(now);
        if (ocspKeys.find(label).isPresent()) {
            throw new PkiException(ErrorKind.CONFLICT, "a key labelled " + label
                    + " exists already in the OCSP token: rotate again in a second");
        }
        KeyPairInfo key = ocspKeys.generate(algorithm, label);
        byte[] csr;
        try {
            csr = new PKCS10CertificationRequestBuilder(subject,
                    SubjectPublicKeyInfo.getInstance(key.publicKey().getEncoded()))
                    .build(new HsmContentSigner(ocspKeys, label, algorithm.defaultSignatureAlgorithm())).getEncoded();
        } catch (IOException e) {
            throw new PkiException(ErrorKind.INTERNAL, "cannot encode the OCSP signer's request", e);
        }
        OcspSignerCertifier.CertifiedSigner signer = certifier.certify(issuing.name(), csr, label, operator);
        return new Rotated(issuing.name(), current == null ? null : current.name(), signer.name(), signer.notAfter(),
                label);
    }
}
