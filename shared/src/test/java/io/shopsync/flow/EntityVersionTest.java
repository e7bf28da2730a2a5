package io.shopsync.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EntityVersionTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void of_shouldReadUpdatedAtWithItsOffset_andBreakTiesByTriggeredAt() throws Exception {
        EntityVersion paid = EntityVersion.of(JSON.readTree("{\"updated_at\":\"2026-11-27T05:15:46-05:00\"}"),
                Instant.parse("2026-11-27T10:15:47.100000001Z"));
        EntityVersion sameSecondLaterTrigger = EntityVersion.of(
                JSON.readTree("{\"updated_at\":\"2026-11-27T10:15:46Z\"}"), Instant.parse("2026-11-27T10:15:47.100000002Z"));

        assertThat(paid.updatedAt()).isEqualTo(Instant.parse("2026-11-27T10:15:46Z"));
        assertThat(sameSecondLaterTrigger.isNewerThan(paid)).isTrue();
        assertThat(paid.isNewerThan(paid)).isFalse();
    }

    @Test
    void sortable_shouldOrderAsTheVersionsDo_andRoundTrip() {
        EntityVersion a = new EntityVersion(Instant.parse("2026-11-27T10:15:46Z"), Instant.parse("2026-11-27T10:15:47.234647458Z"));
        EntityVersion b = new EntityVersion(Instant.parse("2026-11-27T10:15:46Z"), Instant.parse("2026-11-27T10:15:48Z"));
        EntityVersion c = new EntityVersion(Instant.parse("2027-01-01T00:00:00Z"), Instant.parse("2026-01-01T00:00:00Z"));

        assertThat(a.sortable().compareTo(b.sortable())).isNegative();
        assertThat(b.sortable().compareTo(c.sortable())).isNegative();
        assertThat(EntityVersion.parseSortable(a.sortable())).isEqualTo(a);
    }

    @Test
    void of_shouldFallBackToTriggeredAt_andRejectAMalformedUpdatedAt() throws Exception {
        Instant trigger = Instant.parse("2026-11-27T10:15:47Z");

        assertThat(EntityVersion.of(JSON.readTree("{}"), trigger).updatedAt()).isEqualTo(trigger);
        assertThatThrownBy(() -> EntityVersion.of(JSON.readTree("{\"updated_at\":\"yesterday\"}"), trigger))
                .isInstanceOf(UnprocessableWebhookException.class);
    }
}
