package org.medpki.core.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.testpki.TestProfiles;

/**
 * The build's guard that the profiles are the CP's tables as data (CP 7.1.9): every profile in
 * policies/profiles stays inside its row of policies/cp-tables.yaml, the CA hierarchy table agrees
 * with the certificate types (CP 1.1, 6.3), CP.md shows exactly those tables, and each way of
 * loosening a profile or contradicting the hierarchy is caught and named.
 */
class PolicyConformanceTest {
    private static final Path POLICIES = TestProfiles.dir().getParent();

    @TempDir
    Path tmp;

    static CertificatePolicyTables cp() {
        return CertificatePolicyTables.load(POLICIES.resolve("cp-tables.yaml"));
    }

    @Test
    void everyProfileConformsToTheCp() {
        CertificatePolicyTables cp = cp();
        ProfileCatalog catalog = TestProfiles.catalog();
        assertThat(PolicyConformance.check(cp, catalog.all())).isEmpty();
        assertThat(catalog.names()).as("a profile for every CP certificate type and no other")
                .containsExactlyInAnyOrderElementsOf(cp.types().keySet());
        for (CertificateProfile p : catalog.all()) {
            assertThat(p.policyOid()).startsWith(cp.cpOid() + ".");
        }
    }

    @Test
    void cpMarkdownShowsTheTablesOfTheYaml() throws IOException {
        String document = Files.readString(POLICIES.resolve("CP.md"));
        String expected = cp().markdown();
        assertThat(CertificatePolicyTables.renderedIn(document))
                .as("CP.md must contain, between the cp-tables markers, exactly this rendering of cp-tables.yaml:%n%s",
                        expected)
                .contains(expected);
    }

    @Test
    void cpMarkdownShowsTheHierarchyOfTheYaml() throws IOException {
        String document = Files.readString(POLICIES.resolve("CP.md"));
        String expected = cp().hierarchyMarkdown();
        assertThat(CertificatePolicyTables.hierarchyRenderedIn(document))
                .as("CP.md must contain, between the cp-tables:ca-hierarchy markers, exactly this rendering of "
                        + "cp-tables.yaml:%n%s", expected)
                .contains(expected);
    }

    @Test
    void theHierarchyAgreesWithTheCertificateTypes() {
        CertificatePolicyTables cp = cp();
        assertThat(PolicyConformance.checkHierarchy(cp)).isEmpty();
        for (CertificateTypeRules t : cp.types().values()) {
            assertThat(cp.caHierarchy().issuingCaNames()).as(t.name() + "'s issuer").contains(t.issuer());
        }
    }

    static Stream<Arguments> contradictions() {
        return Stream.of(
                Arguments.of("issuer: server-ca\n    maxValidityDays: 1096", "issuer: device-ca\n    maxValidityDays: 1096",
                        List.of("certificate type device [type-issuer]: issuer device-ca is not an issuing CA")),
                Arguments.of("validityDays: 3652      # 10 years", "validityDays: 7400",
                        List.of("issuing CA server-ca [issuing-validity]: validity 7400 days does not end before that "
                                + "of root-ca, its issuer, 7305 days")),
                Arguments.of("validityDays: 3652      # 10 years", "validityDays: 1000",
                        List.of("certificate type device [type-validity]: maxValidityDays 1096 days exceeds the "
                                + "validity of its issuing CA server-ca, 1000 days",
                                "certificate type sdc-participant [type-validity]: maxValidityDays 1096 days exceeds "
                                + "the validity of its issuing CA server-ca, 1000 days")),
                Arguments.of("validityDays: 90 ", "validityDays: 3652 ",
                        List.of("OCSP signer of server-ca [ocsp-signer-validity]", "OCSP signer of identity-ca "
                                + "[ocsp-signer-validity]")),
                Arguments.of("validityDays: 1826 ", "validityDays: 7305 ",
                        List.of("audit-signer [audit-signer-validity]: validity 7305 days does not end before that "
                                + "of root-ca")));
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("contradictions")
    void aHierarchyTheTypesOrItsOwnCertificatesContradictIsReported(String from, String to, List<String> expected)
            throws IOException {
        Path tables = tmp.resolve("cp-tables.yaml");
        String text = Files.readString(POLICIES.resolve("cp-tables.yaml"));
        assertThat(text).as("the test's edit must apply").contains(from);
        Files.writeString(tables, text.replaceFirst(java.util.regex.Pattern.quote(from), to));

        List<HierarchyViolation> violations = PolicyConformance.checkHierarchy(CertificatePolicyTables.load(tables));

        assertThat(violations).as(violations.toString()).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(violations.get(i).toString()).startsWith(expected.get(i));
        }
    }

    @Test
    void aProfileValidLongerThanItsIssuingCaIsReported() throws IOException {
        Path tables = tmp.resolve("cp-tables.yaml");
        Files.writeString(tables, Files.readString(POLICIES.resolve("cp-tables.yaml"))
                .replace("validityDays: 3652      # 10 years", "validityDays: 300"));
        List<PolicyViolation> violations = PolicyConformance.check(CertificatePolicyTables.load(tables),
                TestProfiles.catalog().all());
        assertThat(violations).extracting(PolicyViolation::profile, PolicyViolation::rule)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("tls-server", "issuer-validity"),
                        org.assertj.core.groups.Tuple.tuple("device", "issuer-validity"),
                        org.assertj.core.groups.Tuple.tuple("sdc-participant", "issuer-validity"),
                        org.assertj.core.groups.Tuple.tuple("atna-node", "issuer-validity"));
        assertThat(violations.getFirst().message()).contains("exceeds the validity of its issuing CA server-ca, 300 days");
    }

    static Stream<Arguments> loosenings() {
        return Stream.of(
                Arguments.of("tls-server", "max: 397d", "max: 398d", "validity"),
                Arguments.of("code-signing", "rsaMinBits: 3072", "rsaMinBits: 2048", "key-rsa"),
                Arguments.of("code-signing", "ecCurves: [P-384]", "ecCurves: [P-256, P-384]", "key-ec-curve"),
                Arguments.of("tls-server", "optional: [clientAuth]", "optional: [clientAuth, codeSigning]", "eku"),
                Arguments.of("user", "required: [clientAuth, emailProtection]",
                        "required: [clientAuth]\n  optional: [emailProtection]", "eku-required"),
                Arguments.of("tls-server", "keyUsage: [digitalSignature, keyEncipherment]",
                        "keyUsage: [digitalSignature, keyEncipherment, keyAgreement]", "key-usage"),
                Arguments.of("device", "  dns: [\"*.devices.{domain}\"]",
                        "  dns: [\"*.devices.{domain}\"]\n  email: [\"*@{domain}\"]", "san-type"),
                Arguments.of("device", "  dns: [\"*.devices.{domain}\"]",
                        "  dns: [\"*.devices.{domain}\"]\n  dnsWildcards: true", "dns-wildcard"),
                Arguments.of("device", "allowed: [serialNumber, O, OU, C]",
                        "allowed: [serialNumber, O, OU, C, L]", "subject-attribute"),
                Arguments.of("user", "policyOid: 1.3.6.1.4.1.55555.1.1.2", "policyOid: 1.3.6.1.4.1.55555.1.1.9",
                        "policy-oid"),
                Arguments.of("user", "issuer: identity-ca", "issuer: server-ca", "issuer"));
    }

    @ParameterizedTest(name = "{0}: {3}")
    @MethodSource("loosenings")
    void aLoosenedProfileIsReportedByNameAndRule(String profile, String from, String to, String rule) throws IOException {
        Path dir = copyProfiles();
        Path file = dir.resolve(profile + ".yaml");
        String text = Files.readString(file);
        assertThat(text).as("the test's edit must apply to " + file.getFileName()).contains(from);
        Files.writeString(file, text.replace(from, to));

        List<PolicyViolation> violations = PolicyConformance.check(cp(),
                ProfileCatalog.load(dir, TestProfiles.VARIABLES).all());

        assertThat(violations).as(violations.toString()).hasSize(1);
        PolicyViolation v = violations.getFirst();
        assertThat(v.profile()).isEqualTo(profile);
        assertThat(v.rule()).isEqualTo(rule);
        assertThat(v.toString()).contains("profile " + profile, "[" + rule + "]");
    }

    @Test
    void aProfileWithoutACpRowIsReported() throws IOException {
        Path dir = copyProfiles();
        Files.writeString(dir.resolve("lab.yaml"), Files.readString(dir.resolve("device.yaml"))
                .replace("name: device", "name: lab"));
        List<PolicyViolation> violations = PolicyConformance.check(cp(), ProfileCatalog.load(dir, TestProfiles.VARIABLES).all());
        assertThat(violations).extracting(PolicyViolation::profile, PolicyViolation::rule)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("lab", "type"));
    }

    @Test
    void aTighterCpRowFlagsTheKeyTypesItNoLongerAllows() throws IOException {
        Path tables = tmp.resolve("cp-tables.yaml");
        Files.writeString(tables, Files.readString(POLICIES.resolve("cp-tables.yaml"))
                .replace("keys: {rsaMinBits: 3072, ecCurves: [P-384], ed25519: true}",
                        "keys: {rsaMinBits: 0, ecCurves: [P-384], ed25519: false}"));
        List<PolicyViolation> violations = PolicyConformance.check(CertificatePolicyTables.load(tables),
                TestProfiles.catalog().all());
        assertThat(violations).extracting(PolicyViolation::profile, PolicyViolation::rule)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("code-signing", "key-rsa"),
                        org.assertj.core.groups.Tuple.tuple("code-signing", "key-ed25519"));
    }

    @Test
    void aStricterProfileConforms() throws IOException {
        Path dir = copyProfiles();
        Path file = dir.resolve("tls-server.yaml");
        Files.writeString(file, Files.readString(file).replace("max: 397d", "max: 200d")
                .replace("  optional: [clientAuth]\n", "").replace("ecCurves: [P-256, P-384]", "ecCurves: [P-256]"));
        assertThat(PolicyConformance.check(cp(), ProfileCatalog.load(dir, TestProfiles.VARIABLES).all())).isEmpty();
    }

    @Test
    void aBadCpTablesFileNamesTheKey() throws IOException {
        Path tables = tmp.resolve("cp-tables.yaml");
        Files.writeString(tables, Files.readString(POLICIES.resolve("cp-tables.yaml"))
                .replace("maxValidityDays: 397", "maxValidityDays: 397\n    colour: red"));
        assertThatThrownBy(() -> CertificatePolicyTables.load(tables))
                .isInstanceOfSatisfying(PkiException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
                    assertThat(e.detail()).contains("cp-tables.yaml", "colour");
                });
        Files.writeString(tables, Files.readString(POLICIES.resolve("cp-tables.yaml"))
                .replace("revocationToCrl: 15m", "revocationToCrl: soon"));
        assertThatThrownBy(() -> CertificatePolicyTables.load(tables))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.detail())
                        .contains("serviceLevels.revocationToCrl", "soon"));
    }

    @Test
    void aBadHierarchyTableNamesTheKey() throws IOException {
        String shipped = Files.readString(POLICIES.resolve("cp-tables.yaml"));
        Path tables = tmp.resolve("cp-tables.yaml");
        Files.writeString(tables, shipped.replace("validityDays: 7305 ", "validityDays: 7305\n    pathLen: 1 "));
        assertThatThrownBy(() -> CertificatePolicyTables.load(tables))
                .isInstanceOfSatisfying(PkiException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
                    assertThat(e.detail()).contains("cp-tables.yaml", "pathLen");
                });
        Files.writeString(tables, shipped.replace("  auditSigner:\n    validityDays: 1826        # 5 years\n", ""));
        assertThatThrownBy(() -> CertificatePolicyTables.load(tables))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.detail())
                        .contains("caHierarchy.auditSigner"));
        Files.writeString(tables, shipped.replace("- name: identity-ca", "- name: server-ca"));
        assertThatThrownBy(() -> CertificatePolicyTables.load(tables))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.detail())
                        .contains("server-ca is listed twice"));
        Files.writeString(tables, shipped.replace("validityDays: 90 ", "validityDays: 0 "));
        assertThatThrownBy(() -> CertificatePolicyTables.load(tables))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.detail())
                        .contains("caHierarchy.ocspSigner.validityDays must be positive"));
        Files.writeString(tables, shipped.replace("- name: identity-ca", "- name: Identity CA"));
        assertThatThrownBy(() -> CertificatePolicyTables.load(tables))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.detail())
                        .contains("caHierarchy.issuingCas", "Identity CA"));
    }

    private Path copyProfiles() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("profiles"));
        try (DirectoryStream<Path> files = Files.newDirectoryStream(TestProfiles.dir(), "*.yaml")) {
            for (Path f : files) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        return dir;
    }
}
