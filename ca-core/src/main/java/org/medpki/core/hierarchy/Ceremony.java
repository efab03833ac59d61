package org.medpki.core.hierarchy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.medpki.core.audit.AuditEvent;
import org.medpki.core.audit.AuditLog;
import org.medpki.core.crl.CrlIssuer;
import org.medpki.core.crl.CrlPolicy;
import org.medpki.core.crl.CrlStore;
import org.medpki.core.crl.PublishedCrl;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.inventory.Inventory;
import org.medpki.core.keys.PublicKeys;
import org.medpki.core.keys.SigningKeys;
import org.medpki.core.keys.TokenDescription;
import org.medpki.core.profile.CaHierarchyTable;
import org.medpki.core.template.CaTemplates;
import org.medpki.core.template.SerialNumbers;
import org.medpki.core.template.SignatureAlgorithms;

/**
 * The key ceremony (CP/CPS 6.1.1, 5.2.2): every key is generated inside the token, every
 * certificate is built, linted and signed there, recorded in the inventory and the whole
 * ceremony written to the audit log with key fingerprints and the token's identity. The CA keys
 * (root, issuing CAs, audit signer) are generated in the CA token; the OCSP signers' keys in the
 * OCSP token, a token of its own with its own PIN, so that an OCSP host never holds a PIN that
 * opens a CA key (their certificates are still signed with the issuing CA keys in the CA token).
 * The audit entry names the token of each key. Signs the root's first CRL when given a CRL store.
 * Ends with the first audit checkpoint, signed by the new audit key.
 */
public final class Ceremony {
    private static final String ROOT = CaHierarchyTable.ROOT_CA;
    private static final String AUDIT_SIGNER = CaHierarchyTable.AUDIT_SIGNER;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss")
            .withZone(ZoneOffset.UTC);

    private final SigningKeys keys;
    private final SigningKeys ocspKeys;
    private final Inventory inventory;
    private final AuditLog audit;
    private final Clock clock;
    private final PkiCertificateMaker maker;
    private final CaTemplates templates = new CaTemplates();
    private final SerialNumbers serials = new SerialNumbers();
    private final CrlStore crls;
    private final CrlPolicy crlPolicy;

    /** Every key, the OCSP signers' included, in one token (tests and tools; installations use two). */
    public Ceremony(SigningKeys keys, Inventory inventory, AuditLog audit, Clock clock) {
        this(keys, keys, inventory, audit, clock, null, null);
    }

    /** As below, with every key, the OCSP signers' included, in one token. */
    public Ceremony(SigningKeys keys, Inventory inventory, AuditLog audit, Clock clock, CrlStore crls,
                    CrlPolicy crlPolicy) {
        this(keys, keys, inventory, audit, clock, crls, crlPolicy);
    }

    /**
     * With a CRL store: the ceremony ends by signing the root's first CRL (ARL), valid for the
     * policy's rootValidity, so that the CDP in the issuing CA certificates names a CRL from the
     * start. {@code crls} null: no ARL. {@code keys}: the CA token; {@code ocspKeys}: the OCSP
     * signers' token.
     */
    public Ceremony(SigningKeys keys, SigningKeys ocspKeys, Inventory inventory, AuditLog audit, Clock clock,
                    CrlStore crls, CrlPolicy crlPolicy) {
        this.ocspKeys = java.util.Objects.requireNonNull(ocspKeys, "ocspKeys");
        this.crls = crls;
        this.crlPolicy = crlPolicy == null ? CrlPolicy.DEFAULT : crlPolicy;
        this.keys = keys;
        this.inventory = inventory;
        this.audit = audit;
        this.clock = clock;
        this.maker = new PkiCertificateMaker(keys, inventory);
    }

    public Hierarchy run(CeremonyPlan plan, String operator) {
        if (!inventory.cas().isEmpty()) {
            throw new PkiException(ErrorKind.CONFLICT, "this PKI already has its CA hierarchy; a second "
                    + "ceremony would replace the root (use a new PKI_HOME and database for a new PKI)");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        String stamp = STAMP.format(now);
        TokenDescription token = keys.token();
        TokenDescription ocspToken = ocspKeys.token();
        List<Map<String, String>> made = new ArrayList<>();
        try {
            PkiCertificateMaker.Made root = maker.make(ROOT, CaRole.ROOT, plan.rootKey(), ROOT + "." + stamp,
                    null, key -> templates.root(name(plan, "Root CA"), key,
                            SignatureAlgorithms.forAlgorithm(plan.rootKey().defaultSignatureAlgorithm()),
                            serials.next(), now, now.plus(plan.rootValidity())));
            made.add(facts(root));
            CaCertificate rootCa = root.ca();

            for (CeremonyPlan.IssuingCa planned : plan.issuingCas()) {
                String issuingName = planned.name();
                // pathLen 0: an issuing CA certifies end entities and its own OCSP signer, never a CA.
                PkiCertificateMaker.Made issuing = maker.make(issuingName, CaRole.ISSUING, plan.issuingKey(),
                        issuingName + "." + stamp, rootCa, key -> templates.issuing(rootCa.issuerInfo(),
                                name(plan, issuingName), key, serials.next(), now, now.plus(planned.validity()), 0,
                                planned.policyOids(), plan.crlBaseUrl() == null ? null : plan.crlBaseUrl() + "/" + ROOT + ".crl",
                                plan.caIssuersBaseUrl() == null ? null : plan.caIssuersBaseUrl() + "/" + ROOT + ".crt"));
                made.add(facts(issuing));
                CaCertificate issuingCa = issuing.ca();
                // The OCSP-signing delegate (id-kp-OCSPSigning, id-pkix-ocsp-nocheck).
                // Its key in the OCSP token; its certificate signed with the issuing CA's key in the CA token.
                made.add(facts(maker.make(ocspKeys, issuingName + "-ocsp-" + stamp.toLowerCase(Locale.ROOT),
                        CaRole.OCSP_SIGNER,
                        plan.delegateKey(), issuingName + "-ocsp." + stamp, issuingCa,
                        key -> templates.ocspSigner(issuingCa.issuerInfo(), name(plan, issuingName + " OCSP Signer"),
                                key, serials.next(), now, now.plus(plan.ocspSignerValidity())))));
            }

            PkiCertificateMaker.Made audited = maker.make(AUDIT_SIGNER, CaRole.AUDIT, plan.delegateKey(),
                    AUDIT_SIGNER + "." + stamp, rootCa, key -> templates.auditSigner(rootCa.issuerInfo(),
                            name(plan, "Audit Signer"), key, serials.next(), now, now.plus(plan.auditSignerValidity())));
            made.add(facts(audited));
            CaCertificate auditSigner = audited.ca();

            Map<String, String> details = new LinkedHashMap<>();
            if (crls != null) {
                PublishedCrl arl = new CrlIssuer(crls, keys, crlPolicy,
                        plan.crlBaseUrl() == null ? "" : plan.crlBaseUrl(), clock).publishRoot(rootCa);
                details.put("rootCrlNumber", arl.number().toString());
                details.put("rootCrlNextUpdate", arl.nextUpdate().toString());
            }
            details.put("tokenLabel", token.label());
            details.put("tokenManufacturer", token.manufacturer());
            details.put("tokenModel", token.model());
            details.put("tokenSerial", token.serialNumber());
            details.put("module", token.module());
            details.put("ocspTokenLabel", ocspToken.label());
            details.put("ocspTokenManufacturer", ocspToken.manufacturer());
            details.put("ocspTokenModel", ocspToken.model());
            details.put("ocspTokenSerial", ocspToken.serialNumber());
            details.put("ocspModule", ocspToken.module());
            for (int i = 0; i < made.size(); i++) {
                for (Map.Entry<String, String> e : made.get(i).entrySet()) {
                    details.put("ca" + i + "." + e.getKey(), e.getValue());
                }
            }
            audit.record(AuditEvent.success(clock.instant(), "ceremony.completed", operator, details));
            audit.checkpoint(HsmAuditSigner.of(keys, auditSigner));
            return Hierarchy.load(inventory);
        } catch (PkiException e) {
            audit.recordQuietly(AuditEvent.failure(clock.instant(), "ceremony.failed", operator,
                    Map.of("kind", e.kind().name(), "reason", e.publicDetail(), "tokenLabel", token.label())));
            throw e;
        }
    }

    /** What the audit entry of the ceremony records of each certificate and key. */
    private static Map<String, String> facts(PkiCertificateMaker.Made m) {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("name", m.record().name());
        facts.put("role", m.record().role().wireName());
        facts.put("keyLabel", m.keyLabel());
        facts.put("keyToken", m.tokenLabel());
        facts.put("keyAlgorithm", m.keyAlgorithm().name());
        facts.put("keySha256", m.keySha256());
        facts.put("certificateSha256", HexFormat.of().formatHex(PublicKeys.sha256(m.der())));
        facts.put("subject", m.certificate().getSubject().toString());
        facts.put("serial", m.certificate().getSerialNumber().toString(16));
        return facts;
    }

    private static X500Name name(CeremonyPlan plan, String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, plan.organisation())
                .addRDN(BCStyle.CN, plan.organisation() + " " + commonName)
                .build();
    }
}
