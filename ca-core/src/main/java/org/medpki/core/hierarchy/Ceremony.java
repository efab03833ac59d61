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
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.cert.X509CertificateHolder;
import org.medpki.core.audit.AuditEvent;
import org.medpki.core.audit.AuditLog;
import org.medpki.core.crl.CrlIssuer;
import org.medpki.core.crl.CrlPolicy;
import org.medpki.core.crl.CrlStore;
import org.medpki.core.crl.PublishedCrl;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.inventory.CaRecord;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.inventory.Inventory;
import org.medpki.core.inventory.NewCa;
import org.medpki.core.keys.KeyPairInfo;
import org.medpki.core.keys.PublicKeys;
import org.medpki.core.keys.SigningKeys;
import org.medpki.core.keys.TokenDescription;
import org.medpki.core.lint.CaCertificateLinter;
import org.medpki.core.signing.CertificateSigner;
import org.medpki.core.template.CaTemplates;
import org.medpki.core.template.SerialNumbers;
import org.medpki.core.template.SignatureAlgorithms;

/**
 * The key ceremony (CP/CPS 6.1.1, 5.2.2): every key is generated inside the token, every
 * certificate is built, linted and signed there, recorded in the inventory and the whole
 * ceremony written to the audit log with key fingerprints and the token's identity. Signs the
 * root's first CRL when given a CRL store. Ends with the first audit checkpoint, signed by the new
 * audit key.
 */
public final class Ceremony {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss")
            .withZone(ZoneOffset.UTC);

    private final SigningKeys keys;
    private final Inventory inventory;
    private final AuditLog audit;
    private final Clock clock;
    private final CertificateSigner signer;
    private final CaTemplates templates = new CaTemplates();
    private final CaCertificateLinter linter = new CaCertificateLinter();
    private final SerialNumbers serials = new SerialNumbers();
    private final CrlStore crls;
    private final CrlPolicy crlPolicy;

    public Ceremony(SigningKeys keys, Inventory inventory, AuditLog audit, Clock clock) {
        this(keys, inventory, audit, clock, null, null);
    }

    /**
     * With a CRL store: the ceremony ends by signing the root's first CRL (ARL), valid for the
     * policy's rootValidity, so that the CDP in the issuing CA certificates names a CRL from the
     * start. {@code crls} null: no ARL.
     */
    public Ceremony(SigningKeys keys, Inventory inventory, AuditLog audit, Clock clock, CrlStore crls,
                    CrlPolicy crlPolicy) {
        this.crls = crls;
        this.crlPolicy = crlPolicy == null ? CrlPolicy.DEFAULT : crlPolicy;
        this.keys = keys;
        this.inventory = inventory;
        this.audit = audit;
        this.clock = clock;
        this.signer = new CertificateSigner(keys);
    }

    public Hierarchy run(CeremonyPlan plan, String operator) {
        if (!inventory.cas().isEmpty()) {
            throw new PkiException(ErrorKind.CONFLICT, "this PKI already has its CA hierarchy; a second "
                    + "ceremony would replace the root (use a new PKI_HOME and database for a new PKI)");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        String stamp = STAMP.format(now);
        TokenDescription token = keys.token();
        List<Map<String, String>> made = new ArrayList<>();
        try {
            KeyPairInfo rootKey = keys.generate(plan.rootKey(), "root-ca." + stamp);
            TBSCertificate rootTbs = templates.root(name(plan, "Root CA"), spki(rootKey),
                    SignatureAlgorithms.forAlgorithm(plan.rootKey().defaultSignatureAlgorithm()), serials.next(),
                    now, now.plus(plan.rootValidity()));
            linter.check(rootTbs, CaRole.ROOT, null);
            X509CertificateHolder rootCert = signer.sign(rootTbs, rootKey.label(),
                    plan.rootKey().defaultSignatureAlgorithm(), rootKey.publicKey());
            CaRecord root = save("root-ca", CaRole.ROOT, null, rootKey, rootCert, made);
            CaCertificate rootCa = CaCertificate.of(root);

            for (String issuingName : plan.issuingCas()) {
                KeyPairInfo key = keys.generate(plan.issuingKey(), issuingName + "." + stamp);
                TBSCertificate tbs = templates.issuing(rootCa.issuerInfo(), name(plan, issuingName), spki(key),
                        serials.next(), now, now.plus(plan.issuingValidity()), 0, plan.policyOid(),
                        plan.crlBaseUrl() == null ? null : plan.crlBaseUrl() + "/root-ca.crl",
                        plan.caIssuersBaseUrl() == null ? null : plan.caIssuersBaseUrl() + "/root-ca.crt");
                linter.check(tbs, CaRole.ISSUING, rootCa.certificate());
                X509CertificateHolder cert = signer.sign(tbs, rootCa.keyLabel(), rootCa.signatureAlgorithm(),
                        rootCa.publicKey());
                CaCertificate issuing = CaCertificate.of(save(issuingName, CaRole.ISSUING, root.id(), key, cert, made));
                issueOcspSigner(plan, issuing, now, stamp, made);
            }

            KeyPairInfo auditKey = keys.generate(plan.delegateKey(), "audit-signer." + stamp);
            TBSCertificate auditTbs = templates.auditSigner(rootCa.issuerInfo(), name(plan, "Audit Signer"),
                    spki(auditKey), serials.next(), now, now.plus(plan.auditSignerValidity()));
            linter.check(auditTbs, CaRole.AUDIT, rootCa.certificate());
            X509CertificateHolder auditCert = signer.sign(auditTbs, rootCa.keyLabel(), rootCa.signatureAlgorithm(),
                    rootCa.publicKey());
            CaCertificate auditSigner = CaCertificate.of(save("audit-signer", CaRole.AUDIT, root.id(), auditKey,
                    auditCert, made));

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

    /** Issues the OCSP-signing delegate of an issuing CA (id-kp-OCSPSigning, id-pkix-ocsp-nocheck). */
    private CaCertificate issueOcspSigner(CeremonyPlan plan, CaCertificate issuing, Instant now, String stamp,
                                         List<Map<String, String>> made) {
        KeyPairInfo key = keys.generate(plan.delegateKey(), issuing.name() + "-ocsp." + stamp);
        TBSCertificate tbs = templates.ocspSigner(issuing.issuerInfo(), name(plan, issuing.name() + " OCSP Signer"),
                spki(key), serials.next(), now, now.plus(plan.ocspSignerValidity()));
        linter.check(tbs, CaRole.OCSP_SIGNER, issuing.certificate());
        X509CertificateHolder cert = signer.sign(tbs, issuing.keyLabel(), issuing.signatureAlgorithm(),
                issuing.publicKey());
        return CaCertificate.of(save(issuing.name() + "-ocsp-" + stamp.toLowerCase(java.util.Locale.ROOT),
                CaRole.OCSP_SIGNER, issuing.record().id(), key, cert, made));
    }

    private CaRecord save(String name, CaRole role, Long parentId, KeyPairInfo key, X509CertificateHolder cert,
                          List<Map<String, String>> made) {
        byte[] der = encoded(cert);
        CaRecord record = inventory.saveCa(new NewCa(name, role, parentId, key.label(), der,
                cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant()));
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("name", name);
        facts.put("role", role.wireName());
        facts.put("keyLabel", key.label());
        facts.put("keyAlgorithm", key.algorithm().name());
        facts.put("keySha256", PublicKeys.fingerprint(key.publicKey()));
        facts.put("certificateSha256", HexFormat.of().formatHex(PublicKeys.sha256(der)));
        facts.put("subject", cert.getSubject().toString());
        facts.put("serial", cert.getSerialNumber().toString(16));
        made.add(facts);
        return record;
    }

    private static X500Name name(CeremonyPlan plan, String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, plan.organisation())
                .addRDN(BCStyle.CN, plan.organisation() + " " + commonName)
                .build();
    }

    private static SubjectPublicKeyInfo spki(KeyPairInfo key) {
        return SubjectPublicKeyInfo.getInstance(key.publicKey().getEncoded());
    }

    private static byte[] encoded(X509CertificateHolder cert) {
        try {
            return cert.getEncoded();
        } catch (java.io.IOException e) {
            throw new PkiException(ErrorKind.INTERNAL, "cannot encode a CA certificate", e);
        }
    }
}
