package org.medpki.acme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The validation limits: concurrent validations in this process, validations per account and hour. */
class ValidationGateTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-06T08:00:00Z"), ZoneOffset.UTC);
    private final AtomicLong startedLastHour = new AtomicLong();
    private final AtomicLong askedSince = new AtomicLong();
    private final List<Challenge> processing = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<String> finished = new java.util.concurrent.CopyOnWriteArrayList<>();
    private Instant abandonedCutOff;

    /** A repository that answers only the count the gate asks for. */
    private AcmeRepository repository() {
        return (AcmeRepository) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {AcmeRepository.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "validationsSince" -> {
                            askedSince.set(((Instant) args[1]).getEpochSecond());
                            return startedLastHour.get();
                        }
                        case "abandonedValidations" -> {
                            abandonedCutOff = (Instant) args[0];
                            return List.copyOf(processing);
                        }
                        case "finishChallenge" -> {
                            Challenge c = (Challenge) args[0];
                            finished.add(c.id() + " " + args[1] + " " + args[2]);
                            return null;
                        }
                        default -> {
                        }
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private ValidationGate gate(int concurrent, int perAccount) {
        AcmeConfig d = AcmeConfig.defaults("127.0.0.1", 8443, "acme.hospital.test");
        AcmeConfig c = new AcmeConfig(d.listenHost(), d.port(), d.publicHost(), d.profile(), d.http01Port(),
                d.tlsAlpn01Port(), d.dnsServer(), d.hostsFile(), d.eabRequired(), d.deniedRanges(), d.caaIdentities(),
                null, null, d.orderLifetime(), d.authorizationLifetime(), d.authorizationReuse(), d.validationTimeout(),
                d.maxPayloadBytes(), d.ordersPerAccountPerHour(), d.ordersPerNamePerHour(), concurrent, perAccount,
                false, List.of());
        return new ValidationGate(null, repository(), c, CLOCK);
    }

    @Test
    void beyondTheConcurrentValidationsOneIsRefusedAsRateLimitedWithRetryAfter() {
        ValidationGate gate = gate(2, 100);
        ValidationGate.Slot first = gate.admit("acct-1");
        try (ValidationGate.Slot second = gate.admit("acct-2")) {
            AcmeException refused = catchThrowableOfType(AcmeException.class, () -> gate.admit("acct-3"));
            assertThat(refused.type()).isEqualTo(ProblemType.RATE_LIMITED);
            assertThat(refused.retryAfter()).isPositive();
        }
        first.close();
        first.close();
        assertThat(gate.freeSlots()).as("a slot is freed once, however often closed").isEqualTo(2);
        try (ValidationGate.Slot again = gate.admit("acct-3")) {
            assertThat(gate.freeSlots()).isEqualTo(1);
        }
    }

    @Test
    void anAccountThatStartedItsHoursValidationsIsRefusedAsRateLimitedWithRetryAfter() {
        ValidationGate gate = gate(10, 3);
        startedLastHour.set(2);
        gate.admit("acct-1").close();
        assertThat(Instant.ofEpochSecond(askedSince.get())).isEqualTo(CLOCK.instant().minus(Duration.ofHours(1)));

        startedLastHour.set(3);
        AcmeException refused = catchThrowableOfType(AcmeException.class, () -> gate.admit("acct-1"));
        assertThat(refused.type()).isEqualTo(ProblemType.RATE_LIMITED);
        assertThat(refused.retryAfter()).isPositive();
        assertThat(gate.freeSlots()).as("a refused validation holds no slot").isEqualTo(10);
    }

    @Test
    void validationsLeftProcessingWellPastTheirDeadlineEndInvalid() {
        ValidationGate gate = gate(10, 100);
        processing.add(new Challenge("ch-1", "az-1", "http-01", "tok", "processing", null, null));

        assertThat(gate.endAbandoned()).isEqualTo(1);

        assertThat(abandonedCutOff).isBefore(CLOCK.instant().minus(Duration.ofSeconds(30)));
        assertThat(finished).singleElement().asString().startsWith("ch-1 false ").contains("serverInternal");
    }
}
