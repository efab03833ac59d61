package org.medpki.acme.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.medpki.acme.ProblemType;
import org.medpki.acme.validation.DnsPersistRecord.Authorizes;
import org.medpki.acme.validation.DnsPersistRecord.NotForUs;
import org.medpki.acme.validation.DnsPersistRecord.Refused;
import org.medpki.acme.validation.DnsPersistRecord.Verdict;

/** How one _validation-persist TXT value is judged (draft-ietf-acme-dns-persist-01 4.1 and 9.3.1), without DNS. */
class DnsPersistRecordTest {
    private static final List<String> US = List.of("acme.hospital.test", "pki.hospital.test");
    private static final String ACCOUNT = "https://acme.hospital.test:8443/acme/account/a1";
    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

    @Test
    void aRecordNamingUsAndThisAccountAuthorizesTheExactName() {
        assertThat(judge("acme.hospital.test; accounturi=" + ACCOUNT, false)).isInstanceOf(Authorizes.class);
        assertThat(judge("PKI.hospital.test ;accounturi=" + ACCOUNT + "; persistUntil=" + (NOW.getEpochSecond() + 1)
                + "; future=x", false)).isInstanceOf(Authorizes.class);
        // a policy value we do not know counts as none (4.1 item 4): the exact name only
        assertThat(judge("acme.hospital.test; accounturi=" + ACCOUNT + "; policy=subdomains", false))
                .isInstanceOf(Authorizes.class);
    }

    @Test
    void onlyPolicyWildcardAuthorizesAWildcardOrASubdomain() {
        assertThat(judge("acme.hospital.test; accounturi=" + ACCOUNT + "; policy=WildCard", true))
                .isInstanceOf(Authorizes.class);
        for (String policy : List.of("", "; policy=subdomains", "; policy=", "; policy=wildcards")) {
            assertThat(judge("acme.hospital.test; accounturi=" + ACCOUNT + policy, true)).as(policy)
                    .isEqualTo(new Refused(ProblemType.UNAUTHORIZED,
                            "does not allow wildcards or subdomains (no policy=wildcard)"));
        }
    }

    @Test
    void anotherAccountOrAPassedPersistUntilIsUnauthorized() {
        assertThat(refused("acme.hospital.test; accounturi=" + ACCOUNT.replace("a1", "a2"))).isEqualTo(
                ProblemType.UNAUTHORIZED);
        // compared exactly: no case folding, no trailing slash
        assertThat(refused("acme.hospital.test; accounturi=" + ACCOUNT.toUpperCase())).isEqualTo(
                ProblemType.UNAUTHORIZED);
        assertThat(refused("acme.hospital.test; accounturi=" + ACCOUNT + "/")).isEqualTo(ProblemType.UNAUTHORIZED);
        assertThat(judge("acme.hospital.test; accounturi=" + ACCOUNT + "; persistUntil=" + (NOW.getEpochSecond() - 1),
                false)).isEqualTo(new Refused(ProblemType.UNAUTHORIZED, "expired at 2026-12-06T11:59:59Z (persistUntil)"));
    }

    @Test
    void brokenRecordsNamingUsAreMalformed() {
        for (String bad : List.of("acme.hospital.test", "acme.hospital.test; policy=wildcard",
                "acme.hospital.test; accounturi=" + ACCOUNT + "; accounturi=" + ACCOUNT,
                "acme.hospital.test; accounturi=" + ACCOUNT + "; policy=wildcard; policy=wildcard",
                "acme.hospital.test; accounturi=" + ACCOUNT + "; persistUntil=soon",
                "acme.hospital.test; accounturi=" + ACCOUNT + "; persistUntil=-5",
                "acme.hospital.test; accounturi=" + ACCOUNT + "; persistUntil=99999999999999999999",
                "acme.hospital.test; accounturi=" + ACCOUNT + "; persistUntil=1; persistUntil=2",
                "acme.hospital.test; accounturi=" + ACCOUNT + ";", "acme.hospital.test accounturi=" + ACCOUNT,
                "acme.hospital.test; accounturi=\"" + ACCOUNT + "\" x")) {
            assertThat(refused(bad)).as(bad).isEqualTo(ProblemType.MALFORMED);
        }
    }

    @Test
    void recordsForOtherIssuersAreNoneOfOurBusiness() {
        for (String other : List.of("other-ca.example; accounturi=" + ACCOUNT, "hospital.test; accounturi=" + ACCOUNT,
                "other-ca.example; broken;;", "", "  ", "v=spf1 -all", "acme.hospital.test.evil; accounturi=" + ACCOUNT)) {
            assertThat(judge(other, true)).as(other).isInstanceOf(NotForUs.class);
        }
    }

    private static Verdict judge(String value, boolean wildcardScope) {
        return new DnsPersistRecord(value).judge(US, ACCOUNT, wildcardScope, NOW);
    }

    private static ProblemType refused(String value) {
        return judge(value, false) instanceof Refused r ? r.type() : null;
    }
}
