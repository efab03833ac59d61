package org.medpki.core.hierarchy;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1IA5String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.CertificatePolicies;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.PolicyInformation;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.cert.X509CertificateHolder;
import org.medpki.core.audit.AuditEvent;
import org.medpki.core.audit.AuditLog;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.inventory.CaRecord;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.inventory.Inventory;
import org.medpki.core.inventory.NewCa;
import org.medpki.core.keys.KeyAlgorithm;
import org.medpki.core.keys.KeyPairInfo;
import org.medpki.core.keys.PublicKeys;
import org.medpki.core.keys.SigningKeys;
import org.medpki.core.lint.CaCertificateLinter;
import org.medpki.core.signing.CertificateSigner;
import org.medpki.core.template.CaTemplates;
import org.medpki.core.template.SerialNumbers;

/**
 * The rollover of an issuing CA to a new key (CP/CPS 5.6, 6.1.1), a recorded ceremony in the
 * process that holds the CA token: the rollover is planned in the inventory with the new key's
 * label, the key is generated in the token, a certificate for it is built from the current
 * generation's (same policies, root CRL and caIssuers URLs, same lifetime; subject CN with
 * " G{n}"), linted and signed with the root key (its only use here), and the new generation's CA
 * row is recorded in the same transaction that completes the rollover. Issuance switches to it at
 * the switch time ({@link IssuerGenerations}); the old generation keeps its key, its CRLs and its
 * OCSP signer until its last certificate expires.
 *
 * <p>A run that stopped half-way (after the plan, after the key) is resumed by the next run for
 * that CA: it finds the plan, uses the key under the planned label when the token has it (or
 * generates it), and completes; no CA certificate is recorded without its key, no key exists
 * without its planned record. Every step is audited ({@code ca.rollover_planned},
 * {@code ca.rollover_resumed}, {@code ca.rolled_over}, {@code ca.rollover_refused}). Blocking.
 */
public final class IssuingCaRollover {
    /** How far in the future a switch may be planned. */
    static final Duration MAX_SWITCH_DELAY = Duration.ofDays(366);
    /** Clock difference tolerated for a switch time given as "now". */
    static final Duration SWITCH_SKEW = Duration.ofMinutes(1);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss")
            .withZone(ZoneOffset.UTC);

    private final SigningKeys keys;
    private final Inventory inventory;
    private final CaRollovers rollovers;
    private final AuditLog audit;
    private final Clock clock;
    private final CertificateSigner signer;
    private final CaCertificateLinter linter = new CaCertificateLinter();
    private final CaTemplates templates = new CaTemplates();
    private final SerialNumbers serials = new SerialNumbers();
    /** {@code keys}: the CA token (root and issuing CA keys). */
    public IssuingCaRollover(SigningKeys keys, Inventory inventory, CaRollovers rollovers, AuditLog audit,
                             Clock clock) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.inventory = Objects.requireNonNull(inventory, "inventory");
        this.rollovers = Objects.requireNonNull(rollovers, "rollovers");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.signer = new CertificateSigner(keys);
    }

    /** What a rollover made: the new generation and when it takes over. */
    public record RolledOver(String issuerName, String previous, String name, int generation, String keyLabel,
                             String keySha256, BigInteger serial, Instant notAfter, Instant switchAt,
                             boolean resumed) {
    }

    /**
     * Rolls the issuing CA that profiles call {@code name} over to a new key; {@code switchAt}
     * null is now. Refused: an unknown name or one that is not an issuing CA's first generation
     * (NOT_FOUND, MALFORMED: the root, an OCSP signer, a generation's own name), a switch time in
     * the past or more than a year ahead (MALFORMED), a later generation that has not taken over
     * yet (CONFLICT).
     */
    public RolledOver rollover(String name, Instant switchAt, String operator) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("ca", name == null ? "" : cut(name));
        try {
            Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
            IssuerGenerations generations = new IssuerGenerations(Hierarchy.load(inventory), rollovers.all());
            CaCertificate first = rollable(generations, name);
            Optional<CaRollover> open = rollovers.open(first.name());
            CaRollover rollover;
            boolean resumed = open.isPresent();
            if (resumed) {
                rollover = open.get();
                details.put("generation", Integer.toString(rollover.generation()));
                details.put("keyLabel", rollover.keyLabel());
                details.put("switchAt", rollover.switchAt().toString());
                details.put("plannedAt", rollover.plannedAt().toString());
                details.put("plannedBy", rollover.requestedBy());
                audit.record(AuditEvent.success(clock.instant(), "ca.rollover_resumed", operator, details));
            } else {
                Instant at = switchAt(switchAt, now);
                List<CaCertificate> all = generations.generations(first.name());
                CaCertificate newest = all.getLast();
                generations.madeBy(newest.record().id()).filter(r -> r.switchAt().isAfter(now)).ifPresent(r -> {
                    throw new PkiException(ErrorKind.CONFLICT, "generation " + r.generation() + " of " + first.name()
                            + " (" + r.caName() + ") takes over at " + r.switchAt() + ": roll over again after that");
                });
                int generation = all.size() + 1;
                String caName = CaRollover.generationName(first.name(), generation);
                rollover = rollovers.plan(first.name(), generation, newest.record().id(),
                        caName + "." + STAMP.format(now), at, operator, now);
                details.put("generation", Integer.toString(generation));
                details.put("previous", newest.name());
                details.put("keyLabel", rollover.keyLabel());
                details.put("switchAt", at.toString());
                audit.record(AuditEvent.success(clock.instant(), "ca.rollover_planned", operator, details));
            }
            return complete(generations, first, rollover, resumed, operator, now);
        } catch (PkiException e) {
            details.put("kind", e.kind().name());
            details.put("why", e.publicDetail());
            audit.recordQuietly(AuditEvent.failure(clock.instant(), "ca.rollover_refused", operator, details));
            throw e;
        }
    }

    /** The issuing CA's first generation that {@code name} names, or why it cannot be rolled over here. */
    public static CaCertificate rollable(IssuerGenerations generations, String name) {
        if (name == null || name.isBlank()) {
            throw new PkiException(ErrorKind.MALFORMED, "name the issuing CA to roll over");
        }
        Hierarchy hierarchy = generations.hierarchy();
        CaCertificate ca = hierarchy.byName(name).orElseThrow(() -> new PkiException(ErrorKind.NOT_FOUND,
                "no issuing CA named '" + cut(name) + "' (issuing CAs: " + String.join(", ", hierarchy
                        .withRole(CaRole.ISSUING).stream().filter(c -> generations.madeBy(c.record().id()).isEmpty())
                        .map(CaCertificate::name).toList()) + ")"));
        return switch (ca.record().role()) {
            case ROOT -> throw new PkiException(ErrorKind.MALFORMED, "'" + ca.name() + "' is the root CA: a root is "
                    + "not rolled over by this command (a new root and cross-certificates both ways: see "
                    + "docs/root-rollover.md)");
            case OCSP_SIGNER -> throw new PkiException(ErrorKind.MALFORMED, "'" + ca.name() + "' is an OCSP signer: "
                    + "signers are rotated by the OCSP service or 'pki ocsp rotate'");
            case AUDIT -> throw new PkiException(ErrorKind.MALFORMED, "'" + ca.name() + "' is the audit signer: it is "
                    + "replaced at a key ceremony");
            case ISSUING -> {
                Optional<CaRollover> made = generations.madeBy(ca.record().id());
                if (made.isPresent()) {
                    throw new PkiException(ErrorKind.MALFORMED, "'" + ca.name() + "' is generation "
                            + made.get().generation() + " of " + made.get().issuerName() + ": roll over '"
                            + made.get().issuerName() + "', the name the profiles use");
                }
                yield ca;
            }
        };
    }

    private static Instant switchAt(Instant requested, Instant now) {
        if (requested == null) {
            return now;
        }
        if (requested.isBefore(now.minus(SWITCH_SKEW))) {
            throw new PkiException(ErrorKind.MALFORMED, "the switch time " + requested + " is in the past: give a "
                    + "time from now on, or none for now");
        }
        if (requested.isAfter(now.plus(MAX_SWITCH_DELAY))) {
            throw new PkiException(ErrorKind.MALFORMED, "the switch time " + requested + " is more than "
                    + MAX_SWITCH_DELAY.toDays() + " days ahead");
        }
        return requested.isBefore(now) ? now : requested.truncatedTo(ChronoUnit.SECONDS);
    }

    private RolledOver complete(IssuerGenerations generations, CaCertificate first, CaRollover rollover,
                                boolean resumed, String operator, Instant now) {
        Hierarchy hierarchy = generations.hierarchy();
        CaCertificate previous = hierarchy.byId(rollover.previousCaId()).orElseThrow(() -> new PkiException(
                ErrorKind.INTERNAL, "the CA row " + rollover.previousCaId() + " of the planned rollover is missing"));
        CaCertificate root = hierarchy.byId(previous.record().parentId() == null ? -1 : previous.record().parentId())
                .filter(c -> c.record().role() == CaRole.ROOT).orElseThrow(() -> new PkiException(ErrorKind.INTERNAL,
                        "the issuer of " + previous.name() + " is not a root in the inventory"));
        KeyAlgorithm algorithm = previous.keyAlgorithm();
        // Resumed: the key under the planned label, when an earlier run generated it before it stopped.
        Optional<KeyPairInfo> existing = keys.find(rollover.keyLabel());
        KeyPairInfo key = existing.orElseGet(() -> keys.generate(algorithm, rollover.keyLabel()));
        SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(key.publicKey().getEncoded());
        X509CertificateHolder template = first.certificate();
        Duration lifetime = Duration.between(template.getNotBefore().toInstant(), template.getNotAfter().toInstant());
        Instant notAfter = now.plus(lifetime);
        Instant rootEnd = root.certificate().getNotAfter().toInstant();
        if (!notAfter.isBefore(rootEnd)) {
            notAfter = rootEnd.minus(Duration.ofDays(1)); // an issuing CA expires before the root that signs it
        }
        if (!notAfter.isAfter(now.plus(Duration.ofDays(1)))) {
            throw new PkiException(ErrorKind.CONFLICT, "the root " + root.name() + " expires at " + rootEnd
                    + ": too soon to certify a new issuing CA under it (roll the root over first)");
        }
        TBSCertificate tbs = templates.issuing(root.issuerInfo(), subject(template.getSubject(), rollover.generation()),
                spki, serials.next(), now, notAfter, 0, policies(template), crlUrl(previous.certificate()),
                caIssuersUrl(previous.certificate()));
        linter.check(tbs, CaRole.ISSUING, root.certificate());
        X509CertificateHolder certificate = signer.sign(tbs, root.keyLabel(), root.signatureAlgorithm(),
                root.publicKey());
        byte[] der;
        try {
            der = certificate.getEncoded();
        } catch (IOException e) {
            throw new PkiException(ErrorKind.INTERNAL, "cannot encode the new CA certificate", e);
        }
        CaRecord record = rollovers.complete(rollover, new NewCa(rollover.caName(), CaRole.ISSUING, root.record().id(),
                rollover.keyLabel(), der, certificate.getNotBefore().toInstant(),
                certificate.getNotAfter().toInstant()), clock.instant());
        String keySha256 = HexFormat.of().formatHex(PublicKeys.sha256(key.publicKey().getEncoded()));
        Map<String, String> details = new LinkedHashMap<>();
        details.put("ca", first.name());
        details.put("previous", previous.name());
        details.put("previousKeyLabel", previous.keyLabel());
        details.put("name", record.name());
        details.put("generation", Integer.toString(rollover.generation()));
        details.put("keyLabel", rollover.keyLabel());
        details.put("keyToken", keys.token().label());
        details.put("keyAlgorithm", algorithm.name());
        details.put("keySha256", keySha256);
        details.put("keyGeneratedBefore", Boolean.toString(existing.isPresent()));
        details.put("signedBy", root.name());
        details.put("signedWithKey", root.keyLabel());
        details.put("certificateSha256", HexFormat.of().formatHex(PublicKeys.sha256(der)));
        details.put("subject", certificate.getSubject().toString());
        details.put("serial", certificate.getSerialNumber().toString(16));
        details.put("notAfter", certificate.getNotAfter().toInstant().toString());
        details.put("switchAt", rollover.switchAt().toString());
        details.put("plannedBy", rollover.requestedBy());
        details.put("resumed", Boolean.toString(resumed));
        audit.record(AuditEvent.success(clock.instant(), "ca.rolled_over", operator, details));
        return new RolledOver(first.name(), previous.name(), record.name(), rollover.generation(), rollover.keyLabel(),
                keySha256, certificate.getSerialNumber(), certificate.getNotAfter().toInstant(), rollover.switchAt(),
                resumed);
    }

    /** The first generation's subject with " G{n}" after its CN, so that each generation has a name of its own. */
    private static X500Name subject(X500Name first, int generation) {
        X500NameBuilder b = new X500NameBuilder(BCStyle.INSTANCE);
        for (RDN rdn : first.getRDNs()) {
            if (rdn.getFirst().getType().equals(BCStyle.CN)) {
                b.addRDN(BCStyle.CN, IETFUtils.valueToString(rdn.getFirst().getValue()) + " G" + generation);
            } else {
                b.addMultiValuedRDN(rdn.getTypesAndValues());
            }
        }
        return b.build();
    }

    private static List<String> policies(X509CertificateHolder ca) {
        CertificatePolicies p = CertificatePolicies.fromExtensions(ca.getExtensions());
        if (p == null) {
            return List.of();
        }
        return java.util.Arrays.stream(p.getPolicyInformation()).map(PolicyInformation::getPolicyIdentifier)
                .map(Object::toString).toList();
    }

    private static String crlUrl(X509CertificateHolder ca) {
        CRLDistPoint points = CRLDistPoint.fromExtensions(ca.getExtensions());
        if (points == null) {
            return null;
        }
        for (DistributionPoint dp : points.getDistributionPoints()) {
            DistributionPointName n = dp.getDistributionPoint();
            if (n != null && n.getType() == DistributionPointName.FULL_NAME) {
                String uri = uri(GeneralNames.getInstance(n.getName()).getNames());
                if (uri != null) {
                    return uri;
                }
            }
        }
        return null;
    }

    private static String caIssuersUrl(X509CertificateHolder ca) {
        AuthorityInformationAccess aia = AuthorityInformationAccess.fromExtensions(ca.getExtensions());
        if (aia == null) {
            return null;
        }
        for (AccessDescription d : aia.getAccessDescriptions()) {
            if (d.getAccessMethod().equals(AccessDescription.id_ad_caIssuers)) {
                String uri = uri(new GeneralName[] {d.getAccessLocation()});
                if (uri != null) {
                    return uri;
                }
            }
        }
        return null;
    }

    private static String uri(GeneralName[] names) {
        for (GeneralName g : names) {
            if (g.getTagNo() == GeneralName.uniformResourceIdentifier) {
                return ASN1IA5String.getInstance(g.getName()).getString();
            }
        }
        return null;
    }

    private static String cut(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
