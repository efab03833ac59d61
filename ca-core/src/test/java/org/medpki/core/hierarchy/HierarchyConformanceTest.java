package org.medpki.core.hierarchy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.keys.KeyAlgorithm;
import org.medpki.core.profile.CaHierarchyTable;
import org.medpki.core.profile.CertificatePolicyTables;
import org.medpki.core.profile.HierarchyViolation;
import org.medpki.core.testpki.TestProfiles;

/**
 * The CA hierarchy as data (CP 1.1, 6.3): the ceremony planned from the shipped table is the one
 * 'pki init' has always made, and installed CA certificates are compared against the table.
 */
class HierarchyConformanceTest {
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    static CaHierarchyTable shipped() {
        return CertificatePolicyTables.load(TestProfiles.dir().getParent().resolve("cp-tables.yaml")).caHierarchy();
    }

    @Test
    void theShippedTablePlansTheCeremonyOfEveryInstallationSoFar() {
        CeremonyPlan plan = CeremonyPlan.of(shipped(), "Test Hospital", KeyAlgorithm.EC_P384, KeyAlgorithm.EC_P256,
                KeyAlgorithm.EC_P256, Map.of("server-ca", List.of("1.3.6.1.4.1.55555.1.1.1"),
                        "identity-ca", List.of("1.3.6.1.4.1.55555.1.1.2")), null, null);
        assertThat(plan.rootValidity()).isEqualTo(Duration.ofDays(20 * 365 + 5));
        assertThat(plan.issuingCas()).extracting(CeremonyPlan.IssuingCa::name).containsExactly("server-ca", "identity-ca");
        assertThat(plan.issuingCas()).extracting(CeremonyPlan.IssuingCa::validity)
                .containsOnly(Duration.ofDays(10 * 365 + 2));
        assertThat(plan.ocspSignerValidity()).isEqualTo(Duration.ofDays(90));
        assertThat(plan.auditSignerValidity()).isEqualTo(Duration.ofDays(5 * 365 + 1));
        assertThat(plan.issuingCas().getLast().policyOids()).containsExactly("1.3.6.1.4.1.55555.1.1.2");
    }

    @Test
    void aPlanRefusesACertificateOutlivingItsIssuer() {
        CaHierarchyTable t = shipped();
        Map<String, List<String>> policies = Map.of("server-ca", List.of("1.2.3"), "identity-ca", List.of("1.2.3"));
        var auditTooLong = new CaHierarchyTable(t.rootValidity(), t.issuingCas(), t.ocspSignerValidity(), t.rootValidity());
        assertThatThrownBy(() -> CeremonyPlan.of(auditTooLong, "O", KeyAlgorithm.EC_P384, KeyAlgorithm.EC_P256,
                KeyAlgorithm.EC_P256, policies, null, null)).hasMessageContaining("audit signer");
        var issuingTooLong = new CaHierarchyTable(t.rootValidity(), Map.of("server-ca", t.rootValidity(),
                "identity-ca", Duration.ofDays(10)), t.ocspSignerValidity(), t.auditSignerValidity());
        assertThatThrownBy(() -> CeremonyPlan.of(issuingTooLong, "O", KeyAlgorithm.EC_P384, KeyAlgorithm.EC_P256,
                KeyAlgorithm.EC_P256, policies, null, null)).hasMessageContaining("expire before the one that signs it");
        assertThatThrownBy(() -> CeremonyPlan.of(t, "O", KeyAlgorithm.EC_P384, KeyAlgorithm.EC_P256,
                KeyAlgorithm.EC_P256, Map.of("server-ca", List.of("1.2.3")), null, null))
                .hasMessageContaining("identity-ca", "no policy OID");
    }

    @Test
    void anInstallationMadeFromTheTableConforms() {
        assertThat(HierarchyConformance.check(shipped(), ceremony(shipped()))).isEmpty();
    }

    @Test
    void aRotatedOcspSignerCutShortAtItsCaConforms() {
        List<HierarchyConformance.Installed> installed = new ArrayList<>(ceremony(shipped()));
        installed.add(new HierarchyConformance.Installed("server-ca-ocsp-20341110t000000", CaRole.OCSP_SIGNER,
                "server-ca", T0.plus(Duration.ofDays(3600)), T0.plus(Duration.ofDays(3652))));
        assertThat(HierarchyConformance.check(shipped(), installed)).isEmpty();
    }

    @Test
    void aCaCertificateValidLongerThanTheTableIsReported() {
        CaHierarchyTable t = shipped();
        CaHierarchyTable shorter = new CaHierarchyTable(t.rootValidity(), Map.of("server-ca", Duration.ofDays(1825),
                "identity-ca", Duration.ofDays(3652)), t.ocspSignerValidity(), t.auditSignerValidity());
        List<HierarchyViolation> violations = HierarchyConformance.check(shorter, ceremony(t));
        assertThat(violations).extracting(HierarchyViolation::toString).containsExactly(
                "issuing server-ca [ca-validity]: valid 3652 days (2025-01-01T00:00:00Z to 2035-01-01T00:00:00Z), "
                        + "longer than the CP's 1825 days");
    }

    @Test
    void missingAndUnlistedCasAreReported() {
        List<HierarchyConformance.Installed> installed = new ArrayList<>(ceremony(shipped()));
        installed.removeIf(i -> i.name().startsWith("identity-ca") || i.role() == CaRole.AUDIT);
        installed.add(at("lab-ca", CaRole.ISSUING, "root-ca", Duration.ofDays(365)));
        List<HierarchyViolation> violations = HierarchyConformance.check(shipped(), installed);
        assertThat(violations).extracting(HierarchyViolation::subject, HierarchyViolation::rule).containsExactly(
                org.assertj.core.groups.Tuple.tuple("issuing CA identity-ca", "missing-ca"),
                org.assertj.core.groups.Tuple.tuple("audit-signer", "missing-ca"),
                org.assertj.core.groups.Tuple.tuple("issuing CA lab-ca", "unlisted-ca"));

        installed.removeIf(i -> i.role() == CaRole.OCSP_SIGNER);
        assertThat(HierarchyConformance.check(shipped(), installed)).extracting(HierarchyViolation::subject)
                .contains("OCSP signer of server-ca");
    }

    /** What the ceremony of {@code table} installs, every certificate valid exactly its table's days. */
    private static List<HierarchyConformance.Installed> ceremony(CaHierarchyTable table) {
        List<HierarchyConformance.Installed> out = new ArrayList<>();
        out.add(at("root-ca", CaRole.ROOT, null, table.rootValidity()));
        table.issuingCas().forEach((name, validity) -> {
            out.add(at(name, CaRole.ISSUING, "root-ca", validity));
            out.add(at(name + "-ocsp-20250101t000000", CaRole.OCSP_SIGNER, name, table.ocspSignerValidity()));
        });
        out.add(at("audit-signer", CaRole.AUDIT, "root-ca", table.auditSignerValidity()));
        return out;
    }

    private static HierarchyConformance.Installed at(String name, CaRole role, String issuer, Duration validity) {
        return new HierarchyConformance.Installed(name, role, issuer, T0, T0.plus(validity));
    }
}
