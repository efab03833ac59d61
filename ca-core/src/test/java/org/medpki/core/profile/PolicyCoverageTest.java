package org.medpki.core.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.api.Test;
import org.medpki.core.keys.SignatureAlgorithm;
import org.medpki.core.template.CaTemplates;
import org.medpki.core.testpki.SoftwareSigner;
import org.medpki.core.testpki.TestKeys;
import org.medpki.core.testpki.TestPki;
import org.medpki.core.testpki.TestProfiles;

/** Issuing CA certificates against the policy OIDs of the repository's profiles. */
class PolicyCoverageTest {
    private static final TestPki PKI = TestPki.create("server-ca", TestKeys.freshEc("secp256r1"),
            SignatureAlgorithm.ECDSA_SHA256);
    private final ProfileCatalog profiles = TestProfiles.catalog();

    @Test
    void issuingCasThatAssertTheirProfilesOidsLeaveNoGap() {
        Map<String, X509CertificateHolder> cas = Map.of(
                "server-ca", issuing(List.of(oid("tls-server"), oid("device"), oid("shortlived"), oid("sdc-participant"),
                        oid("atna-node"))),
                "identity-ca", issuing(List.of(oid("user"), oid("code-signing"), oid("service"), oid("admin"),
                        oid("tls-client"), oid("udap-client"), oid("scep-ra"))));
        assertThat(PolicyCoverage.gaps(profiles.all(), cas::get)).isEmpty();
    }

    @Test
    void anOidMissingFromTheIssuingCaIsAGapNamingProfileAndCa() {
        Map<String, X509CertificateHolder> cas = Map.of(
                "server-ca", issuing(List.of(oid("tls-server"))),
                "identity-ca", issuing(List.of(TestPki.CP_OID))); // the CP's OID alone covers no profile
        assertThat(PolicyCoverage.gaps(profiles.all(), cas::get)).extracting(PolicyCoverage.Gap::profile)
                .containsExactlyInAnyOrder("device", "shortlived", "sdc-participant", "atna-node", "user",
                        "code-signing", "service", "admin", "tls-client", "udap-client", "scep-ra");
        assertThat(PolicyCoverage.gaps(profiles.all(), cas::get).toString())
                .contains("issuing CA server-ca does not assert policy " + oid("device"));
    }

    @Test
    void anyPolicyCoversEveryProfileAndAnUnknownIssuerIsSkipped() {
        Map<String, X509CertificateHolder> cas = Map.of("server-ca", issuing(List.of(CaTemplates.ANY_POLICY)));
        assertThat(PolicyCoverage.gaps(profiles.all(), cas::get)).isEmpty();
    }

    private String oid(String profile) {
        return profiles.get(profile).policyOid();
    }

    private static X509CertificateHolder issuing(List<String> policies) {
        var key = TestKeys.freshEc("secp256r1");
        return SoftwareSigner.sign(new CaTemplates().issuing(PKI.rootInfo(), new X500Name("CN=Coverage CA"),
                TestPki.spki(key), TestPki.serial(), TestPki.NOW, TestPki.NOW.plus(Duration.ofDays(30)), 0, policies,
                null, null), PKI.rootKey().getPrivate(), SignatureAlgorithm.ECDSA_SHA384);
    }
}
