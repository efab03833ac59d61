package org.medpki.acme.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.medpki.acme.validation.CaaProperty.IssueValue;
import org.medpki.acme.validation.CaaProperty.Parameter;

/** The RFC 8659 4.2 issue-value grammar and the RFC 8657 parameters, as {@link CaaProperty} reads them. */
class CaaPropertyTest {
    private static final List<String> US = List.of("acme.hospital.test");
    private static final String ACCOUNT = "https://acme.hospital.test:8443/acme/account/a1";

    @Test
    void anIssueValueIsAnIssuerDomainAndParametersSeparatedByOptionalWhitespace() {
        assertThat(IssueValue.parse("ACME.Hospital.test")).isEqualTo(new IssueValue("acme.hospital.test", List.of()));
        assertThat(IssueValue.parse(" \tca-1.example ;  accounturi = https://ca/acct/1 ;validationmethods=dns-01\t"))
                .isEqualTo(new IssueValue("ca-1.example", List.of(new Parameter("accounturi", "https://ca/acct/1"),
                        new Parameter("validationmethods", "dns-01"))));
        assertThat(IssueValue.parse("ca.example;")).isEqualTo(new IssueValue("ca.example", List.of()));
        assertThat(IssueValue.parse(";")).isEqualTo(new IssueValue("", List.of()));
        assertThat(IssueValue.parse("")).isEqualTo(new IssueValue("", List.of()));
        assertThat(IssueValue.parse("; AccountURI=x")).isEqualTo(new IssueValue("", List.of(
                new Parameter("accounturi", "x"))));
        assertThat(IssueValue.parse("ca.example; empty=")).isEqualTo(new IssueValue("ca.example", List.of(
                new Parameter("empty", ""))));
        assertThat(IssueValue.parse("a--b.example")).isEqualTo(new IssueValue("a--b.example", List.of()));
    }

    @Test
    void valuesOutsideTheGrammarDoNotParse() {
        for (String bad : List.of("ca.example.", ".ca.example", "ca..example", "ca-.example", "-ca.example",
                "ca_x.example", "ca.example foo", "ca.example/path", "ca.example; a=b;", "ca.example; a=b c=d",
                "ca.example; =b", "ca.example; a", "ca.example; a=b;;c=d", "ca.example; a-=b", "ca.example; a=b\u00e9",
                "ca.example; a=\"b\" x", "c\u00e4.example", "ca.example\n")) {
            assertThat(IssueValue.parse(bad)).as(bad).isNull();
        }
    }

    @Test
    void validationMethodsAreACommaSeparatedListOfLabels() {
        assertThat(IssueValue.validationMethods("dns-01,http-01")).containsExactly("dns-01", "http-01");
        assertThat(IssueValue.validationMethods("tls-alpn-01")).containsExactly("tls-alpn-01");
        assertThat(IssueValue.validationMethods("")).isEmpty();
        for (String bad : List.of("dns-01,", ",dns-01", "dns-01,,http-01", "dns-01, http-01", "dns_01", "dns-01-")) {
            assertThat(IssueValue.validationMethods(bad)).as(bad).isNull();
        }
    }

    @Test
    void aPropertyNamingUsAuthorizesOnlyTheAccountAndMethodsItsParametersAllow() {
        assertThat(refusal("acme.hospital.test")).isNull();
        assertThat(refusal("acme.hospital.test; accounturi=" + ACCOUNT)).isNull();
        assertThat(refusal("acme.hospital.test; validationmethods=http-01,dns-01")).isNull();
        assertThat(refusal("acme.hospital.test; accounturi=" + ACCOUNT + "; validationmethods=dns-01; other=x"))
                .isNull();

        assertThat(refusal("acme.hospital.test; accounturi=" + ACCOUNT.replace("a1", "a2")))
                .contains("another ACME account");
        // exact comparison: no case folding, no trailing slash tolerated
        assertThat(refusal("acme.hospital.test; accounturi=" + ACCOUNT.toUpperCase())).contains("another ACME account");
        assertThat(refusal("acme.hospital.test; accounturi=" + ACCOUNT + "/")).contains("another ACME account");
        assertThat(refusal("acme.hospital.test; validationmethods=http-01")).contains("validationmethods")
                .contains("not dns-01");
        assertThat(refusal("acme.hospital.test; validationmethods=DNS-01")).contains("validationmethods");
        assertThat(refusal("acme.hospital.test; validationmethods=")).contains("validationmethods");
        assertThat(refusal("acme.hospital.test; validationmethods=dns-01,")).contains("not a list");
        assertThat(refusal("acme.hospital.test; accounturi=" + ACCOUNT + "; accounturi=" + ACCOUNT))
                .contains("given twice");
        // the parameter names are matched whatever their case: a restriction is never lost to it
        assertThat(refusal("acme.hospital.test; AccountUri=https://other/acct")).contains("another ACME account");
    }

    @Test
    void withoutAnAccountOrMethodARestrictedPropertyAuthorizesNoOne() {
        List<CaaProperty> set = List.of(new CaaProperty(0, "issue", "acme.hospital.test; accounturi=" + ACCOUNT
                + "; validationmethods=dns-01"));
        assertThat(CaaProperty.refusal(set, false, US, null, "dns-01")).contains("another ACME account");
        assertThat(CaaProperty.refusal(set, false, US, ACCOUNT, null)).contains("validationmethods");
    }

    @Test
    void aMalformedPropertyAuthorizesNoOneButStillRestrictsTheSet() {
        assertThat(refusal("acme.hospital.test; accounturi=" + ACCOUNT + ";")).isEqualTo(
                "CAA records that do not name this CA");
        assertThat(CaaProperty.refusal(List.of(new CaaProperty(0, "issue", "acme.hospital.test;;")), false, US,
                ACCOUNT, "dns-01")).isNotNull();
        assertThat(new CaaProperty(0, "issue", "acme.hospital.test foo").issuerDomain()).isEmpty();
    }

    @Test
    void anyPropertyThatAuthorizesUsIsEnough() {
        List<CaaProperty> set = List.of(
                new CaaProperty(0, "issue", "acme.hospital.test; accounturi=https://other/acct"),
                new CaaProperty(0, "issue", "other-ca.example"),
                new CaaProperty(0, "issue", "acme.hospital.test; validationmethods=dns-01"));
        assertThat(CaaProperty.refusal(set, false, US, ACCOUNT, "dns-01")).isNull();
        assertThat(CaaProperty.refusal(set, false, US, ACCOUNT, "http-01")).isEqualTo(
                "CAA records that name this CA only for another ACME account (accounturi)");
    }

    @Test
    void aWildcardIsJudgedByIssuewildAndItsParametersWhenTheSetHasIt() {
        List<CaaProperty> set = List.of(new CaaProperty(0, "issue", "acme.hospital.test"),
                new CaaProperty(0, "issuewild", "acme.hospital.test; validationmethods=http-01"));
        assertThat(CaaProperty.refusal(set, false, US, ACCOUNT, "dns-01")).isNull();
        assertThat(CaaProperty.refusal(set, true, US, ACCOUNT, "dns-01")).contains("validationmethods");
    }

    @Test
    void setsWithoutIssuePropertiesAllowAndUnknownCriticalOnesForbid() {
        assertThat(CaaProperty.refusal(List.of(new CaaProperty(0, "iodef", "mailto:x@hospital.test")), false, US,
                ACCOUNT, "dns-01")).isNull();
        assertThat(CaaProperty.refusal(List.of(new CaaProperty(0x80, "future", "x"),
                new CaaProperty(0, "issue", "acme.hospital.test")), false, US, ACCOUNT, "dns-01"))
                .contains("unknown critical");
    }

    @Test
    void validationmethodsNamesTheNewDnsChallengesLikeAnyOther() {
        List<CaaProperty> set = List.of(new CaaProperty(0, "issue",
                "acme.hospital.test; validationmethods=dns-persist-01,dns-account-01"));
        assertThat(CaaProperty.refusal(set, false, US, ACCOUNT, "dns-persist-01")).isNull();
        assertThat(CaaProperty.refusal(set, true, US, ACCOUNT, "dns-account-01")).isNull();
        assertThat(CaaProperty.refusal(set, false, US, ACCOUNT, "dns-01")).contains("not dns-01");
        assertThat(CaaProperty.refusal(List.of(new CaaProperty(0, "issue", "acme.hospital.test; validationmethods=dns-01")),
                false, US, ACCOUNT, "dns-persist-01")).contains("not dns-persist-01");
    }

    private static String refusal(String issueValue) {
        return CaaProperty.refusal(List.of(new CaaProperty(0, "issue", issueValue)), false, US, ACCOUNT, "dns-01");
    }
}
