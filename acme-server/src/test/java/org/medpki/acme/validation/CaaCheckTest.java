package org.medpki.acme.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.medpki.acme.validation.TestDnsZone.issue;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medpki.acme.AcmeConfig;
import org.medpki.acme.AcmeException;
import org.medpki.acme.Identifier;
import org.medpki.acme.ProblemType;
import org.medpki.acme.validation.ChallengeValidator.CaaRecheck;

/** CAA look-ups through a DNS server on loopback: the relevant set, RFC 8657 parameters, failures. */
class CaaCheckTest {
    private static final String US = "acme.hospital.test";
    private static final String ACCOUNT = "https://acme.hospital.test/acme/account/a1";
    private static TestDnsZone zone;
    private static Vertx vertx;
    private static AcmeConfig config;

    @BeforeAll
    static void start() {
        zone = new TestDnsZone();
        vertx = Vertx.vertx();
        AcmeConfig d = AcmeConfig.defaults("127.0.0.1", 8443, "127.0.0.1");
        config = new AcmeConfig(d.listenHost(), d.port(), d.publicHost(), d.profile(), d.http01Port(),
                d.tlsAlpn01Port(), zone.address(), null, false, d.deniedRanges(), List.of(US), null, null,
                d.orderLifetime(), d.authorizationLifetime(), d.authorizationReuse(), Duration.ofSeconds(10),
                d.maxPayloadBytes(), d.ordersPerAccountPerHour(), d.ordersPerNamePerHour(),
                d.maxConcurrentValidations(), d.validationsPerAccountPerHour(), false, List.of());
    }

    @AfterAll
    static void stop() {
        zone.close();
        vertx.close().await();
    }

    @Test
    void theSetFoundClimbingTowardsTheRootDecidesWithItsParameters() {
        zone.caa("climb.hospital.test", issue(US + "; accounturi=" + ACCOUNT + "; validationmethods=dns-01"));
        Identifier below = new Identifier("dns", "www.a.climb.hospital.test");
        check(below, ACCOUNT, "dns-01");

        AcmeException otherAccount = refused(below, ACCOUNT.replace("a1", "a9"), "dns-01");
        assertThat(otherAccount.type()).isEqualTo(ProblemType.CAA);
        assertThat(otherAccount.identifier()).isEqualTo(below);
        assertThat(otherAccount.detail()).isEqualTo(
                "climb.hospital.test has CAA records that name this CA only for another ACME account (accounturi)");
        AcmeException otherMethod = refused(below, ACCOUNT, "http-01");
        assertThat(otherMethod.type()).isEqualTo(ProblemType.CAA);
        assertThat(otherMethod.detail()).contains("validationmethods").contains("http-01");
    }

    @Test
    void valuesAreJudgedByTheBytesSentNotByTheirPresentationForm() {
        // a byte outside the grammar after a parameter: the property authorizes no one
        zone.caa("byte.hospital.test", issue(US + "; note=\u00ff"));
        assertThat(refused(new Identifier("dns", "byte.hospital.test"), ACCOUNT, "dns-01").type())
                .isEqualTo(ProblemType.CAA);
        // a tab is whitespace of the grammar
        zone.caa("tab.hospital.test", issue(US + ";\taccounturi=" + ACCOUNT));
        check(new Identifier("dns", "tab.hospital.test"), ACCOUNT, "dns-01");
    }

    @Test
    void aFailedLookUpIsNoPermission() {
        zone.failing("servfail.hospital.test", true);
        AcmeException problem = refused(new Identifier("dns", "servfail.hospital.test"), ACCOUNT, "dns-01");
        assertThat(problem.type()).isEqualTo(ProblemType.DNS);
        assertThat(problem.detail()).isEqualTo("the CAA look-up at servfail.hospital.test failed");
    }

    @Test
    void theRecheckReportsEachRefusedIdentifierAndPassesTheOthers() {
        zone.caa("fine.hospital.test", issue(US));
        zone.caa("other.hospital.test", issue("other-ca.example"));
        zone.caa("pinned.hospital.test", issue(US + "; accounturi=" + ACCOUNT));
        zone.failing("broken.hospital.test", true);
        ChallengeValidator validator = new ChallengeValidator(config, vertx);

        List<AcmeException> refused = validator.recheckCaa(List.of(
                new CaaRecheck(new Identifier("dns", "fine.hospital.test"), false, "http-01"),
                new CaaRecheck(new Identifier("dns", "other.hospital.test"), false, "http-01"),
                new CaaRecheck(new Identifier("dns", "pinned.hospital.test"), true, "dns-01"),
                new CaaRecheck(new Identifier("dns", "broken.hospital.test"), false, "dns-01")), ACCOUNT);

        assertThat(refused).extracting(e -> e.identifier().value(), AcmeException::type).containsExactly(
                org.assertj.core.groups.Tuple.tuple("other.hospital.test", ProblemType.CAA),
                org.assertj.core.groups.Tuple.tuple("broken.hospital.test", ProblemType.DNS));
        assertThat(validator.recheckCaa(List.of(new CaaRecheck(new Identifier("dns", "pinned.hospital.test"), false,
                "dns-01")), ACCOUNT.replace("a1", "a2"))).singleElement()
                .satisfies(e -> assertThat(e.detail()).contains("another ACME account"));
        assertThat(validator.recheckCaa(List.of(), ACCOUNT)).isEmpty();
    }

    @Test
    void aChallengeIsRefusedByCaaNamingUsForAnotherAccountBeforeAnythingIsFetched() {
        zone.caa("challenge.hospital.test", issue(US + "; accounturi=" + ACCOUNT));
        ChallengeValidator validator = new ChallengeValidator(config, vertx);
        AcmeException problem = catchThrowableOfType(AcmeException.class, () -> validator.validate("dns-01",
                new Identifier("dns", "challenge.hospital.test"), false, ACCOUNT.replace("a1", "a3"), "tok",
                "tok.thumbprint"));
        assertThat(problem.type()).isEqualTo(ProblemType.CAA);
        assertThat(zone.caaQuestions()).contains("challenge.hospital.test");
    }

    private static void check(Identifier identifier, String accountUri, String method) {
        new CaaCheck(new Resolver(config), config.caaIdentities()).check(identifier, false, accountUri, method,
                Deadline.in(Duration.ofSeconds(10)));
    }

    private static AcmeException refused(Identifier identifier, String accountUri, String method) {
        AcmeException problem = catchThrowableOfType(AcmeException.class, () -> check(identifier, accountUri, method));
        assertThat(problem).as("CAA should refuse " + identifier.value()).isNotNull();
        return problem;
    }
}
