package io.shopsync.connectors.klaviyo;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Reading Klaviyo's hints out of a failure reason (the JSON:API error body TargetHttp quotes). */
class KlaviyoApiTest {

    private static final Instant NOW = Instant.parse("2026-11-27T16:00:00Z");

    @Test
    void throttledUntil_shouldReadTheWaitFromTheDetail_inSecondsOrOneSecond() {
        // given
        String plural = "klaviyo POST /api/events answered 429: {\"errors\":[{\"detail\":\"Request was throttled. "
                + "Expected available in 23 seconds.\"}]}";
        String singular = "klaviyo POST /api/events answered 429: {\"errors\":[{\"detail\":\"Request was throttled. "
                + "Expected available in 1 second.\"}]}";

        // when / then
        assertThat(KlaviyoApi.throttledUntil(plural, NOW)).contains(NOW.plusSeconds(23));
        assertThat(KlaviyoApi.throttledUntil(singular, NOW)).contains(NOW.plusSeconds(1));
        assertThat(KlaviyoApi.throttledUntil("klaviyo POST /api/events answered 429", NOW)).isEmpty();
    }

    @Test
    void detail_shouldQuoteTheFirstErrorWithItsPointer_andMaskPhoneNumbers() {
        // given
        String reason = "klaviyo POST /api/profile-import answered 400: {\"errors\":[{\"id\":\"1\",\"status\":400,"
                + "\"code\":\"invalid\",\"title\":\"Invalid input.\",\"detail\":\"Invalid phone number +1 317-555-0199 "
                + "for \\\"profile\\\"\",\"source\":{\"pointer\":\"/data/attributes/phone_number\"}}]}";

        // when / then
        assertThat(KlaviyoApi.detail(reason)).contains(
                "Invalid phone number <phone> for \"profile\" (at /data/attributes/phone_number)");
        assertThat(KlaviyoApi.detail("klaviyo POST /api/events answered 400")).isEmpty();
    }
}
