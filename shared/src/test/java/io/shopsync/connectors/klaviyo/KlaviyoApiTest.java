package io.shopsync.connectors.klaviyo;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Reading Klaviyo's hints out of its answer (the JSON:API error body, never quoted in a reason). */
class KlaviyoApiTest {

    private static final Instant NOW = Instant.parse("2026-11-27T16:00:00Z");

    @Test
    void throttledUntil_shouldReadTheWaitFromTheDetail_inSecondsOrOneSecond() {
        // given
        String plural = "{\"errors\":[{\"id\":\"8c8f4aea-7289-4a13-b697-5dd5dde38f1e\",\"status\":429,\"code\":\"throttled\","
                + "\"title\":\"Request was throttled.\",\"detail\":\"Request was throttled. Expected available in 23 seconds.\"}]}";
        String singular = "{\"errors\":[{\"detail\":\"Request was throttled. Expected available in 1 second.\"}]}";

        // when / then
        assertThat(KlaviyoApi.throttledUntil(plural, NOW)).contains(NOW.plusSeconds(23));
        assertThat(KlaviyoApi.throttledUntil(singular, NOW)).contains(NOW.plusSeconds(1));
        assertThat(KlaviyoApi.throttledUntil("", NOW)).isEmpty();
    }
}
