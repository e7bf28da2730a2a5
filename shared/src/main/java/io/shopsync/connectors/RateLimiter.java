package io.shopsync.connectors;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * A client-side sliding-window limit (HubSpot: 100 or 190 requests per 10 s), so a burst is slowed
 * here instead of answered with 429s. Per container: the function's maximum concurrency times this
 * limit must stay within the account's (the template caps concurrency for that reason).
 */
public final class RateLimiter {

    private final int permits;
    private final Duration window;
    private final Clock clock;
    private final Deque<Instant> recent = new ArrayDeque<>();

    public RateLimiter(int permits, Duration window, Clock clock) {
        if (permits < 1) {
            throw new IllegalArgumentException("a rate limit needs at least one request per window");
        }
        this.permits = permits;
        this.window = window;
        this.clock = clock;
    }

    /**
     * Takes a permit, waiting for it when it frees within {@code longestWait} (a short sleep costs less than
     * a retry through the queue); otherwise says when it frees, for the caller to retry then.
     */
    public Optional<Instant> acquire(Duration longestWait) {
        for (int attempt = 0; attempt < 3; attempt++) {
            Optional<Instant> busyUntil = tryAcquire();
            if (busyUntil.isEmpty()) {
                return busyUntil;
            }
            Duration wait = Duration.between(clock.instant(), busyUntil.get());
            if (wait.compareTo(longestWait) > 0) {
                return busyUntil;
            }
            try {
                Thread.sleep(Math.max(1, wait.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return busyUntil;
            }
        }
        return tryAcquire();
    }

    /** Takes a permit now, or says when the next one frees (the caller waits or retries later). */
    public synchronized Optional<Instant> tryAcquire() {
        Instant now = clock.instant();
        while (!recent.isEmpty() && !recent.peekFirst().plus(window).isAfter(now)) {
            recent.pollFirst();
        }
        if (recent.size() < permits) {
            recent.addLast(now);
            return Optional.empty();
        }
        return Optional.of(recent.peekFirst().plus(window));
    }
}
