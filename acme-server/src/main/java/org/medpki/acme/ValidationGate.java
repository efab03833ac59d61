package org.medpki.acme;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.medpki.acme.validation.ChallengeValidator;

/**
 * Admits validations: at most {@code acme.maxConcurrentValidations} at once in this process (one
 * beyond waits up to {@link #QUEUE_WAIT} for a slot) and {@code acme.validationsPerAccountPerHour}
 * per account, counted in the repository so that every instance sees the same count. A refusal is
 * rateLimited with Retry-After, before the challenge leaves pending: the client may respond to it
 * again later. The per-account count and the start are not one step, so concurrent responses on
 * several instances may pass the limit by as many as there are instances.
 */
public final class ValidationGate {
    /** How long a validation waits for a free slot before it is refused. */
    static final Duration QUEUE_WAIT = Duration.ofSeconds(2);
    /** Retry-After when every slot is taken. */
    static final Duration BUSY_RETRY = Duration.ofSeconds(10);
    /** Retry-After when the account used its hour's validations. */
    static final Duration ACCOUNT_RETRY = Duration.ofMinutes(5);
    /** How long past its deadline a validation still processing counts as abandoned. */
    static final Duration ABANDONED_AFTER = Duration.ofMinutes(2);
    private final ChallengeValidator validator;
    private final AcmeRepository store;
    private final AcmeConfig config;
    private final Clock clock;
    private final Semaphore slots;

    public ValidationGate(ChallengeValidator validator, AcmeRepository store, AcmeConfig config, Clock clock) {
        this.validator = validator;
        this.store = store;
        this.config = config;
        this.clock = clock;
        this.slots = new Semaphore(config.maxConcurrentValidations(), true);
    }

    public ChallengeValidator validator() {
        return validator;
    }

    /** A held slot; closing it frees the slot. */
    public interface Slot extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * A slot for one validation by {@code accountId}, or rateLimited. Blocks (the repository, the
     * wait for a slot): call it off the verticle's context.
     */
    public Slot admit(String accountId) {
        long started = store.validationsSince(accountId, clock.instant().minus(Duration.ofHours(1)));
        if (started >= config.validationsPerAccountPerHour()) {
            throw new AcmeException(ProblemType.RATE_LIMITED, "this account started "
                    + config.validationsPerAccountPerHour() + " validations in the last hour", null, List.of(),
                    ACCOUNT_RETRY);
        }
        return slot();
    }

    /**
     * A slot for work that asks the network as a validation does but starts no challenge (the
     * CAA re-check at finalize): counted against {@code maxConcurrentValidations} only, or
     * rateLimited. Blocks (the wait for a slot): call it off the verticle's context.
     */
    public Slot slot() {
        boolean acquired;
        try {
            acquired = slots.tryAcquire(QUEUE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) {
            throw new AcmeException(ProblemType.RATE_LIMITED, "the server is validating as many challenges as it may "
                    + "at once; respond to the challenge again later", null, List.of(), BUSY_RETRY);
        }
        boolean[] released = {false};
        return () -> {
            if (!released[0]) {
                released[0] = true;
                slots.release();
            }
        };
    }

    /**
     * Ends invalid the validations still processing well past their deadline (their process went
     * away mid-validation; a running one always ends by its deadline), so that no challenge stays
     * processing. Returns how many. Blocks (the repository).
     */
    public int endAbandoned() {
        java.time.Instant now = clock.instant();
        List<Challenge> abandoned = store.abandonedValidations(now.minus(config.validationTimeout())
                .minus(ABANDONED_AFTER));
        String error = AcmeProblem.json(new AcmeException(ProblemType.SERVER_INTERNAL,
                "the validation was interrupted on the server")).encode();
        for (Challenge c : abandoned) {
            store.finishChallenge(c, false, error, now);
        }
        return abandoned.size();
    }

    /** Slots free now (for tests and metrics). */
    int freeSlots() {
        return slots.availablePermits();
    }
}
