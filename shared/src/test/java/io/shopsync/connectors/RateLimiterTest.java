package io.shopsync.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

    @Test
    void tryAcquire_shouldAllowThePermitsPerWindow_thenSayWhenTheOldestFrees() {
        Clock clock = Clock.fixed(Instant.parse("2026-11-27T16:00:00Z"), ZoneOffset.UTC);
        RateLimiter limiter = new RateLimiter(2, Duration.ofSeconds(10), clock);

        assertThat(limiter.tryAcquire()).isEmpty();
        assertThat(limiter.tryAcquire()).isEmpty();
        assertThat(limiter.tryAcquire()).contains(Instant.parse("2026-11-27T16:00:10Z"));
    }

    @Test
    void acquire_shouldWaitForAPermitThatFreesSoon_andNotForOneThatFreesLate() {
        RateLimiter shortWindow = new RateLimiter(1, Duration.ofMillis(50), Clock.systemUTC());
        RateLimiter longWindow = new RateLimiter(1, Duration.ofSeconds(30), Clock.systemUTC());
        shortWindow.tryAcquire();
        longWindow.tryAcquire();

        long started = System.nanoTime();
        Optional<Instant> waited = shortWindow.acquire(Duration.ofSeconds(2));
        Optional<Instant> refused = longWindow.acquire(Duration.ofSeconds(2));

        assertThat(waited).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        assertThat(refused).isPresent();
    }
}
