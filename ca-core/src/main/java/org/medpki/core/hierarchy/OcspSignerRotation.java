package org.medpki.core.hierarchy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.medpki.core.audit.AuditEvent;
import org.medpki.core.audit.AuditLog;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.inventory.Inventory;
import org.medpki.core.keys.KeyAlgorithm;
import org.medpki.core.keys.KeyPairInfo;
import org.medpki.core.keys.PublicKeys;
import org.medpki.core.keys.SigningKeys;
import org.medpki.core.template.CaTemplates;
import org.medpki.core.template.SerialNumbers;

/**
 * Rotates the OCSP-signing delegate of each issuing CA before it expires (CP/CPS 6.3.2): a new
 * key in the token and a new delegate certificate signed by the issuing CA, with the same
 * subject, key type and validity length as the one it replaces. The old one stays in the
 * inventory (responses it signed remain verifiable); responders take the newest.
 * Needs the issuing CA keys, so it runs on the CA side ('pki up' in embedded mode, 'pki ocsp rotate').
 */
public final class OcspSignerRotation {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss")
            .withZone(ZoneOffset.UTC);

    private final SigningKeys keys;
    private final Inventory inventory;
    private final AuditLog audit;
    private final Clock clock;
    private final PkiCertificateMaker maker;
    private final CaTemplates templates = new CaTemplates();
    private final SerialNumbers serials = new SerialNumbers();

    public OcspSignerRotation(SigningKeys keys, Inventory inventory, AuditLog audit, Clock clock) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.inventory = Objects.requireNonNull(inventory, "inventory");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.maker = new PkiCertificateMaker(keys, inventory);
    }

    /** What a rotation did for one issuing CA. */
    public record Rotated(String issuingCa, String oldSigner, String newSigner, Instant notAfter) {
    }

    /**
     * Rotates the signer of every issuing CA whose newest signer expires within {@code margin}
     * (or of all of them when {@code force}). Returns what was rotated; an empty list when nothing was due.
     */
    public List<Rotated> rotateDue(Duration margin, boolean force, String operator) {
        Objects.requireNonNull(margin, "margin");
        if (margin.isNegative()) {
            throw new PkiException(ErrorKind.CONFIGURATION, "the OCSP signer rotation margin must not be negative");
        }
        Hierarchy hierarchy = Hierarchy.load(inventory);
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        List<Rotated> done = new ArrayList<>();
        for (CaCertificate issuing : hierarchy.withRole(CaRole.ISSUING)) {
            if (issuing.record().notAfter() != null && !issuing.record().notAfter().isAfter(now)) {
                continue; // an expired issuing CA signs nothing any more
            }
            Optional<CaCertificate> current = hierarchy.ocspSignerOf(issuing);
            boolean due = force || current.isEmpty()
                    || !current.get().x509().getNotAfter().toInstant().isAfter(now.plus(margin));
            if (due) {
                done.add(rotate(issuing, current.orElse(null), now, operator));
            }
        }
        return done;
    }

    private Rotated rotate(CaCertificate issuing, CaCertificate current, Instant now, String operator) {
        String stamp = STAMP.format(now);
        // Same key type and validity length as the signer being replaced; P-256 and 90 days for a first one.
        KeyAlgorithm algorithm = current == null ? KeyAlgorithm.EC_P256 : current.keyAlgorithm();
        Duration validity = current == null ? Duration.ofDays(90)
                : Duration.between(current.x509().getNotBefore().toInstant(), current.x509().getNotAfter().toInstant());
        Instant notAfter = now.plus(validity);
        if (issuing.record().notAfter() != null && notAfter.isAfter(issuing.record().notAfter())) {
            notAfter = issuing.record().notAfter();
        }
        X500Name subject = current != null ? current.certificate().getSubject()
                : new X500Name("CN=" + issuing.name() + " OCSP Signer");
        String label = issuing.name() + "-ocsp." + stamp;
        if (keys.find(label).isPresent()) {
            throw new PkiException(ErrorKind.CONFLICT, "a key labelled " + label
                    + " exists already: rotate again in a second");
        }
        try {
            String name = issuing.name() + "-ocsp-" + stamp.toLowerCase(Locale.ROOT);
            Instant until = notAfter;
            PkiCertificateMaker.Made made = maker.make(name, CaRole.OCSP_SIGNER, algorithm, label, issuing,
                    key -> templates.ocspSigner(issuing.issuerInfo(), subject, key, serials.next(), now, until));
            KeyPairInfo key = made.key();
            X509CertificateHolder cert = made.certificate();
            Map<String, String> details = new LinkedHashMap<>();
            details.put("issuingCa", issuing.name());
            details.put("oldSigner", current == null ? "" : current.name());
            details.put("newSigner", name);
            details.put("keyLabel", key.label());
            details.put("keySha256", PublicKeys.fingerprint(key.publicKey()));
            details.put("serial", cert.getSerialNumber().toString(16));
            details.put("notAfter", cert.getNotAfter().toInstant().toString());
            audit.record(AuditEvent.success(clock.instant(), "ocsp-signer.rotated", operator, details));
            return new Rotated(issuing.name(), current == null ? null : current.name(), name,
                    cert.getNotAfter().toInstant());
        } catch (PkiException e) {
            audit.recordQuietly(AuditEvent.failure(clock.instant(), "ocsp-signer.rotation-failed", operator,
                    Map.of("issuingCa", issuing.name(), "kind", e.kind().name(), "reason", e.publicDetail())));
            throw e;
        }
    }
}
