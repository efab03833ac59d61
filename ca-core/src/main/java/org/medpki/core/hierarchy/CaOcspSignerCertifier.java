package org.medpki.core.hierarchy;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.medpki.core.audit.AuditEvent;
import org.medpki.core.audit.AuditLog;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.inventory.Inventory;
import org.medpki.core.keys.KeyAlgorithm;
import org.medpki.core.keys.PublicKeys;
import org.medpki.core.keys.SigningKeys;
import org.medpki.core.policy.RequestValidator;
import org.medpki.core.profile.EcCurve;
import org.medpki.core.profile.KeyRules;
import org.medpki.core.template.CaTemplates;
import org.medpki.core.template.SerialNumbers;

/**
 * The CA side of an OCSP signer rotation ({@link OcspSignerCertifier}), in the process that holds
 * the CA keys. The responder's PKCS#10 request is checked like any CSR (key rules, no weak
 * signature algorithm, its signature verified: proof of possession) and contributes only its key:
 * subject, validity and extensions are the CA's ({@link CaTemplates#ocspSigner}). Validity is that
 * of the signer being replaced (90 days for a first one), never past the issuing CA's notAfter.
 * The certificate is linted, signed with the issuing CA's key, recorded in the inventory as an
 * OCSP_SIGNER under the responder's key label, and audited as {@code ocsp-signer.rotated}; a
 * refusal is audited as {@code ocsp-signer.rotation-failed}. Thread-safe.
 */
public final class CaOcspSignerCertifier implements OcspSignerCertifier {
    /** The key types the PKI's tokens make: RSA 2048-4096, P-256, P-384, Ed25519. */
    static final KeyRules SIGNER_KEYS = new KeyRules(KeyRules.RSA_FLOOR_BITS, EnumSet.of(EcCurve.P256, EcCurve.P384),
            true);
    static final Duration FIRST_VALIDITY = Duration.ofDays(90);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss")
            .withZone(ZoneOffset.UTC);

    private final Inventory inventory;
    private final AuditLog audit;
    private final Clock clock;
    private final PkiCertificateMaker maker;
    private final RequestValidator requests = new RequestValidator();
    private final CaTemplates templates = new CaTemplates();
    private final SerialNumbers serials = new SerialNumbers();

    /** {@code caKeys}: the CA token, holding the issuing CAs' keys. */
    public CaOcspSignerCertifier(SigningKeys caKeys, Inventory inventory, AuditLog audit, Clock clock) {
        Objects.requireNonNull(caKeys, "caKeys");
        this.inventory = Objects.requireNonNull(inventory, "inventory");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.maker = new PkiCertificateMaker(caKeys, inventory);
    }

    @Override
    public CertifiedSigner certify(String issuingCa, byte[] csrDer, String keyLabel, String actor) {
        Objects.requireNonNull(actor, "actor");
        try {
            return certifyChecked(issuingCa, csrDer, keyLabel, actor);
        } catch (PkiException e) {
            Map<String, String> details = new LinkedHashMap<>();
            details.put("issuingCa", String.valueOf(issuingCa));
            details.put("keyLabel", String.valueOf(keyLabel));
            details.put("kind", e.kind().name());
            details.put("reason", e.publicDetail());
            audit.recordQuietly(AuditEvent.failure(clock.instant(), "ocsp-signer.rotation-failed", actor, details));
            throw e;
        }
    }

    private CertifiedSigner certifyChecked(String issuingCa, byte[] csrDer, String keyLabel, String actor) {
        if (keyLabel == null || !keyLabel.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
            throw new PkiException(ErrorKind.MALFORMED, "the key label must be 1-100 letters, digits, '.', '_' or '-'");
        }
        Hierarchy hierarchy = Hierarchy.load(inventory);
        CaCertificate issuing = hierarchy.issuing(issuingCa == null ? "" : issuingCa); // NOT_FOUND for an unknown CA, a root, a signer
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Instant caNotAfter = issuing.x509().getNotAfter().toInstant();
        if (!caNotAfter.isAfter(now)) {
            throw new PkiException(ErrorKind.CONFLICT, "the issuing CA '" + issuing.name() + "' expired at "
                    + caNotAfter + ": it certifies no OCSP signer any more");
        }
        new org.medpki.core.revocation.RevokedCas(inventory).refuseIfRevoked(issuing);
        SubjectPublicKeyInfo key = requests.proofOfPossession(csrDer, SIGNER_KEYS, "ocsp-signer");
        KeyAlgorithm algorithm = algorithmOf(key);
        byte[] spki = encoded(key);
        for (CaCertificate ca : hierarchy.all()) {
            if (java.util.Arrays.equals(spki, encoded(ca.certificate().getSubjectPublicKeyInfo()))) {
                throw new PkiException(ErrorKind.BAD_PUBLIC_KEY, "the request's key is the key of '" + ca.name()
                        + "': an OCSP signer needs a new key of its own");
            }
        }

        Optional<CaCertificate> current = hierarchy.ocspSignerOf(issuing);
        Duration validity = current.map(c -> Duration.between(c.x509().getNotBefore().toInstant(),
                c.x509().getNotAfter().toInstant())).orElse(FIRST_VALIDITY);
        Instant notAfter = now.plus(validity);
        if (notAfter.isAfter(caNotAfter)) {
            notAfter = caNotAfter;
        }
        X500Name subject = current.map(c -> c.certificate().getSubject())
                .orElseGet(() -> new X500Name("CN=" + issuing.name() + " OCSP Signer"));
        // Names are <issuing>-ocsp-<time>; a second signer within the same second gets a suffix.
        String base = issuing.name() + "-ocsp-" + STAMP.format(now).toLowerCase(Locale.ROOT);
        String name = base;
        for (int n = 2; hierarchy.byName(name).isPresent(); n++) {
            name = base + "-" + n;
        }
        Instant until = notAfter;
        String signerName = name;
        PkiCertificateMaker.Made made = maker.certify(signerName, CaRole.OCSP_SIGNER, keyLabel, key, algorithm, issuing,
                k -> templates.ocspSigner(issuing.issuerInfo(), subject, k, serials.next(), now, until));

        Map<String, String> details = new LinkedHashMap<>();
        details.put("issuingCa", issuing.name());
        details.put("oldSigner", current.map(CaCertificate::name).orElse(""));
        details.put("newSigner", signerName);
        details.put("keyLabel", keyLabel);
        details.put("keySha256", PublicKeys.fingerprint(made.ca().publicKey()));
        details.put("serial", made.certificate().getSerialNumber().toString(16));
        details.put("notAfter", made.certificate().getNotAfter().toInstant().toString());
        audit.record(AuditEvent.success(clock.instant(), "ocsp-signer.rotated", actor, details));
        return new CertifiedSigner(signerName, made.der(), made.certificate().getNotAfter().toInstant());
    }

    private static KeyAlgorithm algorithmOf(SubjectPublicKeyInfo key) {
        try {
            String family = switch (key.getAlgorithm().getAlgorithm().getId()) {
                case "1.2.840.10045.2.1" -> "EC";
                case "1.2.840.113549.1.1.1" -> "RSA";
                default -> "Ed25519";
            };
            PublicKey publicKey = KeyFactory.getInstance(family).generatePublic(new X509EncodedKeySpec(encoded(key)));
            return PublicKeys.algorithmOf(publicKey);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new PkiException(ErrorKind.BAD_PUBLIC_KEY, "an OCSP signer's key must be RSA 2048, 3072 or 4096, "
                    + "EC P-256 or P-384, or Ed25519");
        }
    }

    private static byte[] encoded(SubjectPublicKeyInfo key) {
        try {
            return key.getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new PkiException(ErrorKind.INTERNAL, "cannot encode a public key", e);
        }
    }
}
