package io.shopsync.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * How long a message waits before its next attempt: exponential in the receive count, with jitter
 * so a recovering target is not hit by every retry at once, never sooner than a target's
 * Retry-After, and within SQS's 12-hour visibility limit.
 */
public final class Backoff {

    private static final Duration SQS_MAX_VISIBILITY = Duration.ofHours(12);

    private final Duration base;
    private final Duration max;
    private final DoubleSupplier random;

    /** @param random values in [0, 1) */
    public Backoff(Duration base, Duration max, DoubleSupplier random) {
        this.base = base;
        this.max = max;
        this.random = random;
    }

    /**
     * The delay after attempt {@code receiveCount} failed: uniformly within the upper half of
     * {@code base * 2^(receiveCount-1)} (capped at {@code max}), so delays grow with every attempt.
     */
    public Duration delay(int receiveCount, Optional<Instant> notBefore, Instant now) {
        int exponent = Math.min(Math.max(receiveCount, 1) - 1, 30);
        long ceiling = Math.min(max.toMillis(), base.toMillis() << exponent);
        long jittered = ceiling / 2 + (long) (random.getAsDouble() * (ceiling - ceiling / 2));
        Duration delay = Duration.ofMillis(jittered);
        if (notBefore.isPresent()) {
            Duration hint = Duration.between(now, notBefore.get());
            if (hint.compareTo(delay) > 0) {
                delay = hint;
            }
        }
        return delay.compareTo(SQS_MAX_VISIBILITY) > 0 ? SQS_MAX_VISIBILITY : delay;
    }
}
