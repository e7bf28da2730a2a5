package io.shopsync.connectors;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * A client-side sliding-window limit, per container: a burst is slowed here instead of answered with 429s.
 * Alone it keeps one instance within the limit; an account's limit shared by several instances is
 * {@link DynamoDbRequestBudget}'s, which falls back to one of these at its share of the limit.
 */
public final class RateLimiter implements RequestPermits {

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

    @Override
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
