package org.medpki.admin;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.CertificatePolicies;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.PolicyInformation;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.medpki.core.audit.AuditEntry;
import org.medpki.core.audit.AuditStore;
import org.medpki.core.crl.CrlKind;
import org.medpki.core.crl.CrlStore;
import org.medpki.core.crl.PublishedCrl;
import org.medpki.core.inventory.CaRecord;
import org.medpki.core.inventory.CertificateRecord;
import org.medpki.core.inventory.Inventory;

/**
 * One certificate as the console's detail page shows it ({@code GET /api/v1/certificates/{issuer}/{serial}}):
 * the certificate decoded, its chain, its status in the inventory (which is what the OCSP
 * responder answers), whether the newest complete CRL of its CA lists it, and for auditors the
 * newest audit entries that name it. Also the certificate itself as PEM or DER. Blocking.
 */
final class CertificateDetail {
    private static final Pattern HEX_SERIAL = Pattern.compile("[0-9a-fA-F]{1,40}");
    private static final Pattern CA_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._-]{0,127}");
    /** How far back (entries) the audit log is searched for a certificate's entries. */
    static final int AUDIT_WINDOW = 5000;

    private final Inventory inventory;
    private final AuditStore auditStore;
    private CrlStore crls;

    CertificateDetail(Inventory inventory, AuditStore auditStore) {
        this.inventory = inventory;
        this.auditStore = auditStore;
    }

    /** Where the CRLs are, to tell whether the newest one lists a certificate; without it, not told. */
    void crls(CrlStore store) {
        this.crls = store;
    }

    /** The certificate record, or 404 / 422. */
    CertificateRecord find(String issuer, String serialHex) {
        if (!CA_NAME.matcher(issuer).matches()) {
            throw Problem.badInput("issuer", "issuer must be the name of a CA of this PKI");
        }
        if (!HEX_SERIAL.matcher(serialHex).matches()) {
            throw Problem.badInput("serial", "serial must be a hex serial (1-40 digits)");
        }
        CaRecord ca = inventory.ca(issuer).orElseThrow(() -> Problem.notFound("no CA is named " + issuer));
        CertificateRecord r = inventory.certificate(ca.id(), new BigInteger(serialHex, 16))
                .orElseThrow(() -> Problem.notFound("no certificate " + serialHex.toLowerCase(Locale.ROOT)
                        + " of " + issuer));
        if (r.der() == null) {
            throw Problem.notFound("certificate " + r.serialHex() + " is not signed yet");
        }
        return r;
    }

    static String pem(byte[] der) {
        return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END CERTIFICATE-----\n";
    }

    JsonObject describe(String issuer, String serialHex, boolean withAudit) {
        CertificateRecord r = find(issuer, serialHex);
        X509CertificateHolder cert;
        try {
            cert = new X509CertificateHolder(r.der());
        } catch (IOException e) {
            throw new IllegalStateException("the inventory holds a certificate that does not parse", e);
        }
        String status = r.status().name().toLowerCase(Locale.ROOT);
        JsonObject j = new JsonObject().put("serial", r.serialHex()).put("issuer", issuer)
                .put("issuerDn", cert.getIssuer().toString()).put("subject", cert.getSubject().toString())
                .put("profile", r.profile()).put("sans", sans(cert)).put("key", key(cert.getSubjectPublicKeyInfo()))
                .put("notBefore", r.notBefore().toString()).put("notAfter", r.notAfter().toString())
                .put("status", status).put("extensions", extensions(cert))
                .put("chain", chain(r.caId()));
        if (r.revokedAt() != null) {
            j.put("revokedAt", r.revokedAt().toString()).put("reason", r.reason() == null ? null : r.reason().name());
        }
        j.put("ocsp", new JsonObject()
                .put("status", switch (r.status()) {
                    case ISSUED -> "good";
                    case REVOKED -> "revoked";
                    default -> "unknown";
                })
                .put("note", "the OCSP responder answers from this inventory status"));
        j.put("crl", crl(r));
        if (withAudit) {
            j.put("audit", audit(r.serialHex()));
        }
        String base = "/api/v1/certificates/" + issuer + "/" + r.serialHex();
        j.put("downloads", new JsonObject().put("pem", base + "/pem").put("der", base + "/der"));
        return j;
    }

    private static JsonArray sans(X509CertificateHolder cert) {
        JsonArray out = new JsonArray();
        Extension ext = cert.getExtension(Extension.subjectAlternativeName);
        if (ext != null) {
            for (GeneralName n : GeneralNames.getInstance(ext.getParsedValue()).getNames()) {
                out.add(new JsonObject().put("type", nameType(n.getTagNo())).put("value", name(n)));
            }
        }
        return out;
    }

    private static String nameType(int tag) {
        return switch (tag) {
            case GeneralName.dNSName -> "dns";
            case GeneralName.iPAddress -> "ip";
            case GeneralName.rfc822Name -> "email";
            case GeneralName.uniformResourceIdentifier -> "uri";
            case GeneralName.directoryName -> "dn";
            default -> "other";
        };
    }

    private static String name(GeneralName n) {
        if (n.getTagNo() == GeneralName.iPAddress) {
            try {
                return java.net.InetAddress.getByAddress(
                        org.bouncycastle.asn1.ASN1OctetString.getInstance(n.getName()).getOctets()).getHostAddress();
            } catch (java.net.UnknownHostException e) {
                return "(bad address)";
            }
        }
        return n.getName().toString();
    }

    private static JsonObject key(SubjectPublicKeyInfo spki) {
        JsonObject k = new JsonObject();
        ASN1ObjectIdentifier alg = spki.getAlgorithm().getAlgorithm();
        try {
            if (alg.equals(PKCSObjectIdentifiers.rsaEncryption)) {
                k.put("algorithm", "RSA").put("size", RSAPublicKey.getInstance(spki.parsePublicKey()).getModulus().bitLength());
            } else if (alg.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
                ASN1Encodable params = spki.getAlgorithm().getParameters();
                String curve = params instanceof ASN1ObjectIdentifier oid && ECNamedCurveTable.getName(oid) != null
                        ? ECNamedCurveTable.getName(oid) : String.valueOf(params);
                k.put("algorithm", "EC").put("curve", curve);
            } else if (alg.equals(EdECObjectIdentifiers.id_Ed25519)) {
                k.put("algorithm", "Ed25519");
            } else {
                k.put("algorithm", alg.getId());
            }
            k.put("spkiSha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(spki.getEncoded())));
        } catch (IOException | NoSuchAlgorithmException e) {
            k.put("algorithm", alg.getId());
        }
        return k;
    }

    private static JsonObject extensions(X509CertificateHolder cert) {
        JsonObject e = new JsonObject();
        Extension ku = cert.getExtension(Extension.keyUsage);
        if (ku != null) {
            KeyUsage usage = KeyUsage.getInstance(ku.getParsedValue());
            String[] names = {"digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment",
                    "keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly"};
            int[] bits = {KeyUsage.digitalSignature, KeyUsage.nonRepudiation, KeyUsage.keyEncipherment,
                    KeyUsage.dataEncipherment, KeyUsage.keyAgreement, KeyUsage.keyCertSign, KeyUsage.cRLSign,
                    KeyUsage.encipherOnly, KeyUsage.decipherOnly};
            JsonArray used = new JsonArray();
            for (int i = 0; i < bits.length; i++) {
                if (usage.hasUsages(bits[i])) {
                    used.add(names[i]);
                }
            }
            e.put("keyUsage", used);
        }
        Extension eku = cert.getExtension(Extension.extendedKeyUsage);
        if (eku != null) {
            JsonArray purposes = new JsonArray();
            for (KeyPurposeId p : ExtendedKeyUsage.getInstance(eku.getParsedValue()).getUsages()) {
                purposes.add(purpose(p));
            }
            e.put("extendedKeyUsage", purposes);
        }
        Extension policies = cert.getExtension(Extension.certificatePolicies);
        if (policies != null) {
            JsonArray ids = new JsonArray();
            for (PolicyInformation p : CertificatePolicies.getInstance(policies.getParsedValue()).getPolicyInformation()) {
                ids.add(p.getPolicyIdentifier().getId());
            }
            e.put("certificatePolicies", ids);
        }
        Extension cdp = cert.getExtension(Extension.cRLDistributionPoints);
        if (cdp != null) {
            JsonArray uris = new JsonArray();
            for (DistributionPoint dp : CRLDistPoint.getInstance(cdp.getParsedValue()).getDistributionPoints()) {
                DistributionPointName n = dp.getDistributionPoint();
                if (n != null && n.getType() == DistributionPointName.FULL_NAME) {
                    for (GeneralName g : GeneralNames.getInstance(n.getName()).getNames()) {
                        uris.add(name(g));
                    }
                }
            }
            e.put("crlDistributionPoints", uris);
        }
        Extension aia = cert.getExtension(Extension.authorityInfoAccess);
        if (aia != null) {
            JsonArray access = new JsonArray();
            for (AccessDescription d : AuthorityInformationAccess.getInstance(aia.getParsedValue()).getAccessDescriptions()) {
                String method = d.getAccessMethod().equals(AccessDescription.id_ad_ocsp) ? "ocsp"
                        : d.getAccessMethod().equals(AccessDescription.id_ad_caIssuers) ? "caIssuers"
                        : d.getAccessMethod().getId();
                access.add(new JsonObject().put("method", method).put("location", name(d.getAccessLocation())));
            }
            e.put("authorityInfoAccess", access);
        }
        return e;
    }

    private static String purpose(KeyPurposeId p) {
        if (p.equals(KeyPurposeId.id_kp_serverAuth)) {
            return "serverAuth";
        } else if (p.equals(KeyPurposeId.id_kp_clientAuth)) {
            return "clientAuth";
        } else if (p.equals(KeyPurposeId.id_kp_codeSigning)) {
            return "codeSigning";
        } else if (p.equals(KeyPurposeId.id_kp_emailProtection)) {
            return "emailProtection";
        } else if (p.equals(KeyPurposeId.id_kp_OCSPSigning)) {
            return "OCSPSigning";
        }
        return p.toOID().getId();
    }

    /** The issuing CA up to its root, each with subject, validity and PEM. */
    private JsonArray chain(long caId) {
        JsonArray out = new JsonArray();
        Set<Long> seen = new LinkedHashSet<>();
        Long id = caId;
        while (id != null && seen.add(id) && seen.size() <= 8) {
            CaRecord ca = inventory.ca(id).orElse(null);
            if (ca == null) {
                break;
            }
            String subject;
            try {
                subject = new X509CertificateHolder(ca.certificate()).getSubject().toString();
            } catch (IOException e) {
                subject = ca.name();
            }
            out.add(new JsonObject().put("name", ca.name()).put("subject", subject)
                    .put("notAfter", ca.notAfter() == null ? null : ca.notAfter().toString())
                    .put("pem", pem(ca.certificate())));
            id = ca.parentId();
        }
        return out;
    }

    private JsonObject crl(CertificateRecord r) {
        if (crls == null) {
            return new JsonObject().put("checked", false);
        }
        List<Integer> shards = new ArrayList<>(crls.shardsOf(r.caId(), List.of(r.serial())));
        if (!shards.contains(0)) {
            shards.add(0);
        }
        for (int shard : shards) {
            PublishedCrl crl = crls.latest(r.caId(), shard, CrlKind.FULL).orElse(null);
            if (crl != null) {
                boolean listed;
                try {
                    listed = new X509CRLHolder(crl.der()).getRevokedCertificate(r.serial()) != null;
                } catch (IOException e) {
                    continue;
                }
                return new JsonObject().put("checked", true).put("listed", listed).put("shard", shard)
                        .put("number", crl.number().toString()).put("thisUpdate", crl.thisUpdate().toString())
                        .put("nextUpdate", crl.nextUpdate().toString());
            }
        }
        return new JsonObject().put("checked", true).put("listed", false).putNull("number");
    }

    /** The entries among the newest {@link #AUDIT_WINDOW} of the log whose details name the serial. */
    private JsonObject audit(String serialHex) {
        long head = auditStore.head().map(AuditEntry::seq).orElse(0L);
        long from = Math.max(1, head - AUDIT_WINDOW + 1);
        Pattern named = Pattern.compile("(?i)(?<![0-9a-f])0*" + Pattern.quote(serialHex) + "(?![0-9a-f])");
        JsonArray items = new JsonArray();
        for (AuditEntry e : auditStore.page(from, null, AUDIT_WINDOW)) {
            if (e.details() != null && named.matcher(e.details()).find()) {
                items.add(new JsonObject().put("seq", e.seq()).put("at", e.at().toString()).put("type", e.type())
                        .put("actor", e.actor()).put("outcome", e.outcome()));
            }
        }
        return new JsonObject().put("searchedFromSeq", from).put("items", items);
    }
}
