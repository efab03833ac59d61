package org.medpki.ops.compliance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.core.hierarchy.HierarchyConformance;
import org.medpki.core.lint.CertificateLinter;
import org.medpki.core.lint.LintFinding;
import org.medpki.core.profile.CaHierarchyTable;
import org.medpki.core.profile.CertificatePolicyTables;
import org.medpki.core.profile.CertificateProfile;
import org.medpki.core.profile.PolicyConformance;
import org.medpki.core.profile.HierarchyViolation;
import org.medpki.core.profile.PolicyCoverage;
import org.medpki.core.profile.PolicyViolation;
import org.medpki.core.profile.ProfileCatalog;
import org.medpki.inventory.pg.PgComplianceQueries;

/**
 * 164.312(c): the installation's profiles against the CP's tables (CP 7.1.9), its CA certificates
 * against the CP's hierarchy table (CP 1.1, 6.3), the CP document against the tables, and the
 * stored certificates against their profiles: each certificate's signature verified with its
 * issuer's key and its to-be-signed part linted again with today's profile, as at issuance.
 */
final class ConformanceChecks {
    /** At most this many non-conforming certificates are named in the details. */
    private static final int NAMED = 50;

    private final ProfileCatalog profiles;
    private final Hierarchy hierarchy;

    ConformanceChecks(ProfileCatalog profiles, Hierarchy hierarchy) {
        this.profiles = profiles;
        this.hierarchy = hierarchy;
    }

    ComplianceCheck profilesConformToCp(Path cpTables, Path profileDir) {
        CertificatePolicyTables cp = CertificatePolicyTables.load(cpTables);
        List<PolicyViolation> violations = PolicyConformance.check(cp, profiles.all());
        List<String> details = new ArrayList<>();
        details.add("profiles in " + profileDir + " checked against " + cpTables);
        violations.forEach(v -> details.add("VIOLATION " + v));
        List<String> missing = cp.types().keySet().stream().filter(t -> !profiles.names().contains(t)).toList();
        if (!missing.isEmpty()) {
            details.add("CP certificate types without a profile here (not issued): " + String.join(", ", missing));
        }
        Map<String, Object> data = Map.of("profiles", profiles.names(), "cpOid", cp.cpOid(),
                "violations", violations.stream().map(v -> Map.of("profile", v.profile(), "rule", v.rule(),
                        "message", v.message())).toList());
        return ComplianceCheck.of("profiles-conform-to-cp", Safeguard.INTEGRITY,
                violations.isEmpty() ? CheckStatus.PASS : CheckStatus.FAIL,
                violations.isEmpty() ? profiles.names().size() + " profiles stay within CP " + cp.cpOid()
                        : violations.size() + " profile rule(s) exceed the CP: " + violations.getFirst(),
                details).withData(data);
    }

    /**
     * The CA certificates in the inventory against the CP's hierarchy table: the table agrees with
     * the certificate types, every CA it names is installed, no other issuing CA is, and none is
     * valid longer than the table says (dates read from the certificates).
     */
    static ComplianceCheck caHierarchyConformsToCp(Path cpTables, Hierarchy hierarchy) {
        CertificatePolicyTables cp = CertificatePolicyTables.load(cpTables);
        CaHierarchyTable table = cp.caHierarchy();
        List<HierarchyViolation> violations = new ArrayList<>(PolicyConformance.checkHierarchy(cp));
        List<HierarchyConformance.Installed> installed = HierarchyConformance.installed(hierarchy);
        violations.addAll(HierarchyConformance.check(table, installed));
        List<String> details = new ArrayList<>();
        details.add("CA certificates in the inventory checked against the hierarchy table of " + cpTables);
        List<Map<String, Object>> cas = new ArrayList<>();
        for (HierarchyConformance.Installed ca : installed) {
            Optional<Duration> allowed = HierarchyConformance.allowed(table, ca);
            details.add(ca.role().wireName() + " " + ca.name() + ": " + ca.notBefore() + " to " + ca.notAfter() + ", "
                    + CertificatePolicyTables.human(ca.validity()) + " (CP: "
                    + allowed.map(CertificatePolicyTables::human).orElse("not in the table") + ")");
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", ca.name());
            row.put("role", ca.role().wireName());
            row.put("issuer", ca.issuer() == null ? "" : ca.issuer());
            row.put("notBefore", ca.notBefore().toString());
            row.put("notAfter", ca.notAfter().toString());
            row.put("validitySeconds", ca.validity().toSeconds());
            allowed.ifPresent(d -> row.put("cpValidityDays", d.toDays()));
            cas.add(row);
        }
        violations.forEach(v -> details.add("VIOLATION " + v));
        Map<String, Object> data = Map.of("issuingCas", table.issuingCaNames(), "cas", cas,
                "violations", violations.stream().map(v -> Map.of("subject", v.subject(), "rule", v.rule(),
                        "message", v.message())).toList());
        return ComplianceCheck.of("ca-hierarchy-conforms-to-cp", Safeguard.INTEGRITY,
                violations.isEmpty() ? CheckStatus.PASS : CheckStatus.FAIL,
                violations.isEmpty() ? installed.size() + " CA certificates are the CP's hierarchy ("
                        + String.join(", ", table.issuingCaNames()) + " under " + CaHierarchyTable.ROOT_CA
                        + "), none valid longer than it allows"
                        : violations.size() + " difference(s) from the CP's hierarchy table: " + violations.getFirst(),
                details).withData(data);
    }

    /**
     * CP.md beside the tables shows them as they are (the rendered blocks between the cp-tables
     * markers), so that the CP relying parties read is the one the checks apply.
     */
    static ComplianceCheck cpDocumentShowsTables(Path cpTables) {
        Path document = cpTables.resolveSibling("CP.md");
        if (!Files.isRegularFile(document)) {
            return ComplianceCheck.of("cp-document-shows-tables", Safeguard.INTEGRITY, CheckStatus.NOT_MEASURED,
                    "no CP.md beside " + cpTables + " to compare", List.of());
        }
        CertificatePolicyTables cp = CertificatePolicyTables.load(cpTables);
        String text;
        try {
            text = Files.readString(document);
        } catch (IOException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, "cannot read " + document + ": " + e.getMessage());
        }
        List<String> differing = new ArrayList<>();
        if (!CertificatePolicyTables.renderedIn(text).equals(Optional.of(cp.markdown()))) {
            differing.add("certificate types and service levels (1.4.1)");
        }
        if (!CertificatePolicyTables.hierarchyRenderedIn(text).equals(Optional.of(cp.hierarchyMarkdown()))) {
            differing.add("CA hierarchy (1.1)");
        }
        List<String> details = List.of(document + " compared with " + cpTables);
        return ComplianceCheck.of("cp-document-shows-tables", Safeguard.INTEGRITY,
                differing.isEmpty() ? CheckStatus.PASS : CheckStatus.FAIL,
                differing.isEmpty() ? "CP.md shows the tables the checks apply"
                        : "CP.md does not show the tables the checks apply: " + String.join(", ", differing),
                details).withData(Map.of("document", document.toString(), "differing", differing));
    }

    /** Each profile's policy OID asserted by its issuing CA (for relying parties requiring an explicit policy). */
    ComplianceCheck issuingCasAssertProfilePolicies() {
        List<PolicyCoverage.Gap> gaps = PolicyCoverage.gaps(profiles.all(), name -> {
            try {
                return hierarchy.issuing(name).certificate();
            } catch (PkiException e) {
                return null; // no such issuing CA: the profiles check names that
            }
        });
        List<String> details = new ArrayList<>();
        gaps.forEach(g -> details.add("GAP " + g + ": relying parties that require an explicit policy reject "
                + "its certificates; re-issue the CA certificate (new ceremony) or use an OID it asserts"));
        return ComplianceCheck.of("issuing-cas-assert-profile-policies", Safeguard.INTEGRITY,
                gaps.isEmpty() ? CheckStatus.PASS : CheckStatus.FAIL,
                gaps.isEmpty() ? "every profile's policy OID is asserted by its issuing CA"
                        : gaps.size() + " profile(s) whose policy OID the issuing CA does not assert: " + gaps.getFirst(),
                details).withData(Map.of("gaps", gaps.stream().map(g -> Map.of("profile", g.profile(),
                        "policyOid", g.policyOid(), "issuer", g.issuer())).toList()));
    }

    ComplianceCheck certificatesConform(PgComplianceQueries queries, long sampleLimit) {
        long total = queries.signedCertificates();
        CertificateLinter linter = new CertificateLinter();
        List<String> named = new ArrayList<>();
        Map<String, Long> byCode = new LinkedHashMap<>();
        long[] bad = {0};
        long checked = queries.forEachSignedCertificate(sampleLimit, c -> {
            List<String> problems = problems(c, linter);
            if (!problems.isEmpty()) {
                bad[0]++;
                problems.forEach(p -> byCode.merge(p.contains(":") ? p.substring(0, p.indexOf(':')) : p, 1L, Long::sum));
                if (named.size() < NAMED) {
                    named.add("serial " + c.serial().toString(16) + " (" + c.profile() + "): " + String.join("; ", problems));
                }
            }
        });
        List<String> details = new ArrayList<>();
        details.add(checked + " of " + total + " signed certificates checked" + (checked < total
                ? " (sample limit " + sampleLimit + ", in serial order, which is random)" : ""));
        named.forEach(n -> details.add("NON-CONFORMING " + n));
        if (bad[0] > named.size()) {
            details.add("... and " + (bad[0] - named.size()) + " more");
        }
        Map<String, Object> data = Map.of("total", total, "checked", checked, "nonConforming", bad[0],
                "findings", byCode);
        return ComplianceCheck.of("certificates-conform", Safeguard.INTEGRITY,
                bad[0] == 0 ? CheckStatus.PASS : CheckStatus.FAIL,
                bad[0] == 0 ? "every checked certificate verifies against its issuer and passes lint under its profile"
                        : bad[0] + " of " + checked + " checked certificates do not conform to their profile",
                details).withData(data);
    }

    /** What is wrong with one stored certificate: lint errors (code: message) and signature or issuer problems. */
    private List<String> problems(PgComplianceQueries.StoredCertificate stored, CertificateLinter linter) {
        List<String> out = new ArrayList<>();
        X509CertificateHolder cert;
        try {
            cert = new X509CertificateHolder(stored.der());
        } catch (IOException | RuntimeException e) {
            return List.of("x_unparseable: the stored DER is not a certificate");
        }
        if (!cert.getSerialNumber().equals(stored.serial())) {
            out.add("x_serial_mismatch: the certificate's serial is not the inventory's");
        }
        Optional<CaCertificate> issuer = hierarchy.byId(stored.caId());
        if (issuer.isEmpty()) {
            return List.of("x_unknown_issuer: CA " + stored.caId() + " is not in the hierarchy");
        }
        try {
            if (!cert.isSignatureValid(new JcaContentVerifierProviderBuilder().build(issuer.get().publicKey()))) {
                out.add("x_signature: the signature does not verify with " + issuer.get().name() + "'s key");
            }
        } catch (Exception e) {
            out.add("x_signature: the signature cannot be verified (" + e.getClass().getSimpleName() + ")");
        }
        CertificateProfile profile;
        try {
            profile = profiles.get(stored.profile());
        } catch (PkiException e) {
            out.add("x_unknown_profile: profile " + stored.profile() + " is not in this installation's profiles");
            return out;
        }
        try {
            byte[] tbs = cert.toASN1Structure().getTBSCertificate().getEncoded(ASN1Encoding.DER);
            for (LintFinding f : linter.lintEncoded(tbs, profile, issuer.get().certificate())) {
                if (f.isError()) {
                    out.add(f.toString());
                }
            }
        } catch (IOException e) {
            out.add("x_unparseable: the to-be-signed part cannot be encoded");
        }
        return out;
    }
}
