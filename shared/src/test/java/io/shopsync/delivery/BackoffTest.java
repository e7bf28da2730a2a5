package io.shopsync.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private static final Instant NOW = Instant.parse("2026-11-27T16:00:00Z");

    @Test
    void delay_shouldStayWithinTheUpperHalfOfTheExponentialCeiling() {
        Backoff low = new Backoff(Duration.ofSeconds(10), Duration.ofSeconds(900), () -> 0.0);
        Backoff high = new Backoff(Duration.ofSeconds(10), Duration.ofSeconds(900), () -> 0.999_999);

        assertThat(low.delay(1, Optional.empty(), NOW)).isEqualTo(Duration.ofSeconds(5));
        assertThat(high.delay(1, Optional.empty(), NOW)).isLessThanOrEqualTo(Duration.ofSeconds(10));
        assertThat(low.delay(4, Optional.empty(), NOW)).isEqualTo(Duration.ofSeconds(40));
        assertThat(low.delay(30, Optional.empty(), NOW)).isEqualTo(Duration.ofSeconds(450));
        assertThat(high.delay(30, Optional.empty(), NOW)).isLessThanOrEqualTo(Duration.ofSeconds(900));
    }

    @Test
    void delay_shouldHonourANotBeforeLaterThanTheBackoff_butNotAnEarlierOne() {
        Backoff backoff = new Backoff(Duration.ofSeconds(10), Duration.ofSeconds(900), () -> 0.5);

        assertThat(backoff.delay(1, Optional.of(NOW.plusSeconds(120)), NOW)).isEqualTo(Duration.ofSeconds(120));
        assertThat(backoff.delay(1, Optional.of(NOW.plusSeconds(1)), NOW)).isEqualTo(Duration.ofMillis(7_500));
    }

    @Test
    void delay_shouldNeverExceedSqsTwelveHourVisibilityLimit() {
        Backoff backoff = new Backoff(Duration.ofSeconds(10), Duration.ofSeconds(900), () -> 0.5);

        assertThat(backoff.delay(1, Optional.of(NOW.plus(Duration.ofDays(2))), NOW)).isEqualTo(Duration.ofHours(12));
    }
}
